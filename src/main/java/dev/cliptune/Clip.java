package dev.cliptune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.Precision;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.clip.weights.LoadOptions;
import dev.cliptune.hub.OfficialClip;
import dev.cliptune.io.UserException;
import dev.cliptune.zeroshot.Templates;
import java.io.IOException;
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

  /** Loads what a {@code --model} spec names ({@link ModelSpec}: directory, file, official name, hub, builtin). */
  public static Clip load(String spec) {
    return load(ModelSpec.resolve(spec).path());
  }

  /**
   * Loads a model directory or checkpoint file: weights (any format and naming {@link ClipLoader} reads), the
   * tokenizer beside them ({@link #tokenizerBeside}), and {@code preprocessor_config.json} or open_clip's
   * {@code preprocess_cfg} mean/std when present (else CLIP's defaults at the model's resolution).
   */
  public static Clip load(Path path) {
    return load(path, Precision.FP32);
  }

  /**
   * As {@link #load(Path)}, the encoders in {@code precision} ({@link ClipModel#create(ClipWeights, Precision)};
   * {@link Precision#BF16} is a user error on a CPU without its instructions).
   */
  public static Clip load(Path path, Precision precision) {
    Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().normalize().getParent();
    ClipModel model = ClipModel.create(ClipLoader.load(path, LoadOptions.defaults()), precision);
    try {
      ClipTokenizer tok = tokenizerBeside(path);
      int r = model.config().imageSize();
      Path pre = dir.resolve("preprocessor_config.json");
      ClipPreprocessor p = Files.isRegularFile(pre) ? ClipPreprocessor.fromPreprocessorConfig(pre, r)
          : openClipPreprocessor(dir, r);
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

  /**
   * The tokenizer of a model directory or checkpoint file: {@code vocab.json} + {@code merges.txt} in its
   * directory, else a {@code bpe_simple_vocab_16e6.txt.gz} there or in {@code ~/.cache/clip} (the official
   * BPE file of openai/CLIP); an error naming the places looked at otherwise.
   */
  public static ClipTokenizer tokenizerBeside(Path path) {
    Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().normalize().getParent();
    if (Files.isRegularFile(dir.resolve("vocab.json")) || Files.isRegularFile(dir.resolve("merges.txt"))) {
      return ClipTokenizer.fromDirectory(dir);
    }
    for (Path gz : List.of(dir.resolve(OFFICIAL_BPE), OfficialClip.defaultCacheDir().resolve(OFFICIAL_BPE))) {
      if (Files.isRegularFile(gz)) {
        return ClipTokenizer.fromBpeGz(gz);
      }
    }
    throw new IllegalArgumentException(path + ": no tokenizer beside the weights: expected vocab.json and merges.txt"
        + " in " + dir + ", or " + OFFICIAL_BPE + " (from openai/CLIP's clip/ folder) there or in "
        + OfficialClip.defaultCacheDir());
  }

  /** The official BPE vocabulary file name of openai/CLIP. */
  public static final String OFFICIAL_BPE = "bpe_simple_vocab_16e6.txt.gz";

  private static ClipPreprocessor openClipPreprocessor(Path dir, int r) {
    Path oc = dir.resolve("open_clip_config.json");
    if (Files.isRegularFile(oc)) {
      try {
        JsonNode pc = new ObjectMapper().readTree(oc.toFile()).path("preprocess_cfg");
        if (pc.path("mean").size() == 3 && pc.path("std").size() == 3) {
          float[] mean = new float[3];
          float[] std = new float[3];
          for (int i = 0; i < 3; i++) {
            mean[i] = (float) pc.path("mean").get(i).asDouble();
            std[i] = (float) pc.path("std").get(i).asDouble();
          }
          return new ClipPreprocessor(r, mean, std);
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(oc + ": not valid JSON: " + e.getMessage(), e);
      }
    }
    return ClipPreprocessor.openAi(r);
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
