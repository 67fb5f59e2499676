package dev.cliptune;

import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.clip.weights.LoadOptions;
import dev.cliptune.io.UserException;
import dev.cliptune.zeroshot.Templates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CLIP model with its tokenizer and preprocessing; zero-shot classification of images against any labels goes
 * through {@link Classifier} (the one classification path; use it directly for learned prompts, byte arrays,
 * {@code BufferedImage}s and batches).
 *
 * <pre>{@code
 * try (Clip clip = Clip.load(Path.of("clip-vit-base-patch16"))) {
 *   for (Classifier.Prediction p : clip.classify(Path.of("cat.jpg"), List.of("cat", "dog", "car"))) {
 *     System.out.println(p);
 *   }
 * }
 * }</pre>
 *
 * Class text features are computed once per (labels, templates) and kept for the next calls (one zero-shot
 * {@link Classifier} per template list, each caching {@value Classifier#CACHED_LABEL_SETS} label sets).
 */
public final class Clip implements AutoCloseable {
  /** How many template lists keep a zero-shot classifier. */
  public static final int CACHED_TEMPLATE_LISTS = 4;

  private final ClipModel model;
  private final ClipTokenizer tokenizer;
  private final ClipPreprocessor preprocessor;
  private final Map<List<String>, Classifier> zeroShot =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<String>, Classifier> e) {
          if (size() > CACHED_TEMPLATE_LISTS) {
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
      int r = model.config().imageSize();
      Path pre = dir.resolve("preprocessor_config.json");
      ClipPreprocessor p = Files.isRegularFile(pre) ? ClipPreprocessor.fromPreprocessorConfig(pre, r)
          : ClipPreprocessor.openAi(r);
      if (p.resolution() != r) {
        throw new UserException(pre + ": crop size " + p.resolution()
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
  public List<Classifier.Prediction> classify(Path image, List<String> classNames) {
    return classify(image, classNames, Math.min(5, classNames.size()), List.of(Templates.DEFAULT));
  }

  /**
   * Top-{@code k} labels of one image. With several templates their normalised text features are averaged
   * (the prompt-ensembling of {@code ZeroshotCLIP2}).
   */
  public List<Classifier.Prediction> classify(Path image, List<String> classNames, int k, List<String> templates) {
    return classify(List.of(image), classNames, k, templates).get(0);
  }

  /** Top-{@code k} labels of each image, batched. */
  public List<List<Classifier.Prediction>> classify(List<Path> images, List<String> classNames, int k,
      List<String> templates) {
    Classifier c = classifier(classNames, templates);
    List<float[]> pixels = images.parallelStream().map(preprocessor::apply).toList();
    return c.classify(pixels, k, classNames).stream().map(Classifier.Result::top).toList();
  }

  /**
   * The zero-shot classifier of a template list (built once, then cached; it borrows this model), with the text
   * features of {@code classNames} computed.
   */
  public synchronized Classifier classifier(List<String> classNames, List<String> templates) {
    List<String> key = List.copyOf(templates);
    Classifier c = zeroShot.get(key);
    if (c == null) {
      c = Classifier.zeroShot(this, classNames, templates);
      zeroShot.put(key, c);
    }
    return c;
  }

  @Override
  public synchronized void close() {
    zeroShot.values().forEach(Classifier::close);
    zeroShot.clear();
    model.close();
  }
}
