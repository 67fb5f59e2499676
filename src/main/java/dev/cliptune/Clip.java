package dev.cliptune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.clip.weights.LoadOptions;
import dev.cliptune.zeroshot.Templates;
import dev.cliptune.zeroshot.ZeroShotClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The library's front door: a CLIP model with its tokenizer and preprocessing, and zero-shot classification
 * of images against any labels.
 *
 * <pre>{@code
 * try (Clip clip = Clip.load(Path.of("clip-vit-base-patch16"))) {
 *   for (Clip.Prediction p : clip.classify(Path.of("cat.jpg"), List.of("cat", "dog", "car"))) {
 *     System.out.println(p);
 *   }
 * }
 * }</pre>
 *
 * Class text features are computed once per (labels, templates) and kept for the next calls (the most
 * recent {@value #CACHED_CLASSIFIERS} sets).
 */
public final class Clip implements AutoCloseable {
  /** How many label sets keep their text features in memory. */
  public static final int CACHED_CLASSIFIERS = 8;

  /** One label with its softmax probability. */
  public record Prediction(String label, int index, float probability) {
    @Override
    public String toString() {
      return String.format("%-30s %6.2f%%", label, 100 * probability);
    }
  }

  private final ClipModel model;
  private final ClipTokenizer tokenizer;
  private final ClipPreprocessor preprocessor;
  private final Map<List<List<String>>, ZeroShotClassifier> classifiers =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<List<String>>, ZeroShotClassifier> e) {
          if (size() > CACHED_CLASSIFIERS) {
            e.getValue().close();
            return true;
          }
          return false;
        }
      };

  public Clip(ClipModel model, ClipTokenizer tokenizer, ClipPreprocessor preprocessor) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.preprocessor = preprocessor;
  }

  /**
   * Loads a model directory: weights (HF {@code CLIPModel} or OpenAI naming), {@code vocab.json} +
   * {@code merges.txt}, and {@code preprocessor_config.json} when present (else CLIP's defaults at the
   * model's resolution).
   */
  public static Clip load(Path dir) {
    ClipModel model = ClipModel.create(ClipLoader.load(dir, LoadOptions.defaults()));
    try {
      ClipTokenizer tok = ClipTokenizer.fromDirectory(dir);
      int r = model.config().vision().imageSize();
      Path pre = dir.resolve("preprocessor_config.json");
      ClipPreprocessor p = Files.isRegularFile(pre) ? ClipPreprocessor.fromPreprocessorConfig(pre, r)
          : ClipPreprocessor.openAi(r);
      if (p.resolution() != r) {
        throw new IllegalArgumentException(pre + ": crop size " + p.resolution()
            + " differs from the model's image size " + r);
      }
      return new Clip(model, tok, p);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public ClipModel model() {
    return model;
  }

  public ClipTokenizer tokenizer() {
    return tokenizer;
  }

  public ClipPreprocessor preprocessor() {
    return preprocessor;
  }

  /** Top-5 labels of one image with the template {@code "a photo of a {}."}. */
  public List<Prediction> classify(Path image, List<String> classNames) {
    return classify(image, classNames, Math.min(5, classNames.size()), List.of(Templates.DEFAULT));
  }

  /**
   * Top-{@code k} labels of one image. With several templates their normalised text features are averaged
   * (the prompt-ensembling of {@code ZeroshotCLIP2}).
   */
  public List<Prediction> classify(Path image, List<String> classNames, int k, List<String> templates) {
    return classify(List.of(image), classNames, k, templates).get(0);
  }

  /** Top-{@code k} labels of each image, batched. */
  public List<List<Prediction>> classify(List<Path> images, List<String> classNames, int k, List<String> templates) {
    ZeroShotClassifier zs = classifier(classNames, templates);
    int r = preprocessor.resolution();
    float[] batch = new float[images.size() * 3 * r * r];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(preprocessor.apply(images.get(i)), 0, batch, i * 3 * r * r, 3 * r * r);
    }
    try (NDManager m = NDManager.newBaseManager(model.device())) {
      NDArray px = dev.cliptune.clip.Tensors.owned(m, batch, new Shape(images.size(), 3, r, r));
      float[] probs = zs.logits(px).softmax(1).toFloatArray();
      int c = classNames.size();
      List<List<Prediction>> out = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        List<Prediction> all = new ArrayList<>();
        for (int j = 0; j < c; j++) {
          all.add(new Prediction(classNames.get(j), j, probs[i * c + j]));
        }
        all.sort(Comparator.comparingDouble(Prediction::probability).reversed());
        out.add(List.copyOf(all.subList(0, Math.min(k, c))));
      }
      return out;
    }
  }

  /** The zero-shot classifier of a label set (built once, then cached). */
  public synchronized ZeroShotClassifier classifier(List<String> classNames, List<String> templates) {
    List<List<String>> key = List.of(List.copyOf(classNames), List.copyOf(templates));
    ZeroShotClassifier zs = classifiers.get(key);
    if (zs == null) {
      zs = ZeroShotClassifier.build(model, tokenizer, classNames, templates);
      classifiers.put(key, zs);
    }
    return zs;
  }

  @Override
  public synchronized void close() {
    classifiers.values().forEach(ZeroShotClassifier::close);
    classifiers.clear();
    model.close();
  }
}
