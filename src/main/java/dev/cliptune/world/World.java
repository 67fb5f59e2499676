package dev.cliptune.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cliptune.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Writes the hermetic world to disk: every dataset in the CoOp {@code $DATA} layout (PNG images,
 * {@code split_zhou_<Name>.json}), the world's tokenizer files and a {@code world.json} that
 * describes the datasets.
 *
 * <pre>
 * OUT/world.json
 * OUT/tokenizer/vocab.json, merges.txt
 * OUT/shapes/images/&lt;class&gt;/&lt;class&gt;_0000.png ...
 * OUT/shapes/split_zhou_Shapes.json
 * ...
 * </pre>
 *
 * <p>Image {@code i} of class {@code c} of dataset {@code d} is drawn from its own generator seeded
 * from (seed, d, c, i): the first {@code train} indices of a class go to train, the next
 * {@code val} to val, the rest to test. Files are byte-identical for the same configuration. Split
 * files, tokenizer files and {@code world.json} are written atomically, {@code world.json} last.
 * Rendering uses only integer hashing, {@code java.util.Random}, float arithmetic and
 * {@code StrictMath}, so images are the same on every JVM; PNG bytes come from the JDK's encoder
 * (stable for a given JDK).
 *
 * <p>Writing over an existing world replaces its files but does not delete files that a run with
 * another configuration wrote (e.g. more images per class); use an empty directory for a new world.
 */
public final class World {
  private World() {}

  /** The manifest file name under the output root. */
  public static final String MANIFEST = "world.json";
  /** The tokenizer folder under the output root. */
  public static final String TOKENIZER_DIR = "tokenizer";
  /** The image folder under each dataset folder. */
  public static final String IMAGE_ROOT = "images";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What was written for one dataset.
   *
   * @param name dataset name
   * @param classes number of classes
   * @param train train items in the split file
   * @param val val items
   * @param test test items
   * @param images image files written
   * @param bytes total PNG bytes
   */
  public record DatasetSummary(String name, int classes, int train, int val, int test, int images,
      long bytes) {}

  /**
   * What was written.
   *
   * @param root the output root
   * @param datasets per dataset
   * @param vocabSize token ids of the tokenizer
   * @param contextLength tokens needed by the longest dataset prompt (with start/end tokens)
   */
  public record Summary(Path root, List<DatasetSummary> datasets, int vocabSize,
      int contextLength) {
    /** Total image files. */
    public int images() {
      return datasets.stream().mapToInt(DatasetSummary::images).sum();
    }

    /** Total PNG bytes. */
    public long bytes() {
      return datasets.stream().mapToLong(DatasetSummary::bytes).sum();
    }
  }

  /** Writes the standard world ({@link WorldConfig#standard}) under {@code out}. */
  public static Summary write(Path out, long seed) throws IOException {
    return write(out, WorldConfig.standard(seed));
  }

  /** Writes the world described by {@code config} under {@code out}. */
  public static Summary write(Path out, WorldConfig config) throws IOException {
    Files.createDirectories(out);
    WorldTokenizer tokenizer = WorldTokenizer.build(Vocabulary.words(config.datasets()));
    tokenizer.write(out.resolve(TOKENIZER_DIR));
    List<String> prompts = new ArrayList<>();
    for (DatasetSpec d : config.datasets()) {
      d.classNames().forEach(c -> prompts.add(d.prompt(c)));
    }
    int context = tokenizer.contextLength(prompts);

    List<DatasetSummary> summaries = new ArrayList<>();
    for (DatasetSpec d : config.datasets()) {
      summaries.add(writeDataset(out, config, d));
    }
    Map<String, Object> manifest = manifest(config, tokenizer, context);
    AtomicFiles.writeString(out.resolve(MANIFEST), PRETTY.writeValueAsString(manifest) + "\n");
    return new Summary(out, summaries, tokenizer.vocabSize(), context);
  }

  /** Renders one image of a dataset: class {@code label}, index {@code index} within the class. */
  public static Scene scene(WorldConfig config, DatasetSpec d, int label, int index) {
    long s = Seeds.derive(Seeds.derive(Seeds.derive(config.seed(), d.name()), label), index);
    ClassTarget target = d.classes().get(label);
    Scene scene = d.space().sample(new Random(s), target);
    if (!target.matches(scene)) {
      throw new IllegalStateException(d.name() + ": scene " + scene + " is not a " + target.name());
    }
    return scene;
  }

  private static DatasetSummary writeDataset(Path out, WorldConfig config, DatasetSpec d)
      throws IOException {
    Path folder = out.resolve(d.folder());
    Path images = folder.resolve(IMAGE_ROOT);
    int perClass = d.trainPerClass() + d.valPerClass() + d.testPerClass();
    int n = d.classes().size();
    for (String c : d.classNames()) {
      Files.createDirectories(images.resolve(c));
    }
    AtomicLong bytes = new AtomicLong();
    try {
      IntStream.range(0, n * perClass).parallel().forEach(job -> {
        int label = job / perClass;
        int index = job % perClass;
        Scene scene = scene(config, d, label, index);
        byte[] png = Png.encode(Renderer.render(scene, d.style(), config.imageSize()));
        try {
          Files.write(images.resolve(relativePath(d, label, index)), png);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        bytes.addAndGet(png.length);
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    List<List<Object>> train = new ArrayList<>();
    List<List<Object>> val = new ArrayList<>();
    List<List<Object>> test = new ArrayList<>();
    for (int label = 0; label < n; label++) {
      String name = d.classNames().get(label);
      for (int index = 0; index < perClass; index++) {
        List<Object> triple = List.of(relativePath(d, label, index), label, name);
        if (index < d.trainPerClass()) {
          train.add(triple);
        } else if (index < d.trainPerClass() + d.valPerClass()) {
          val.add(triple);
        } else {
          test.add(triple);
          if (d.trainIsTest()) {
            train.add(triple);
          }
        }
      }
    }
    Map<String, Object> split = new LinkedHashMap<>();
    split.put("train", train);
    split.put("val", val);
    split.put("test", test);
    AtomicFiles.writeString(folder.resolve(d.splitFile()), JSON.writeValueAsString(split));
    // the dataset's own zero-shot template, read by the protocol runner like a custom dataset's
    AtomicFiles.writeString(folder.resolve("template.txt"), d.template() + "\n");
    return new DatasetSummary(d.name(), n, train.size(), val.size(), test.size(), n * perClass,
        bytes.get());
  }

  /** The image path of an item relative to the image root, e.g. {@code red_circle/red_circle_0003.png}. */
  static String relativePath(DatasetSpec d, int label, int index) {
    String c = d.classNames().get(label);
    return c + "/" + c + "_" + String.format("%04d", index) + ".png";
  }

  private static Map<String, Object> manifest(WorldConfig config, WorldTokenizer tokenizer,
      int context) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", "cliptune-world/1");
    m.put("seed", config.seed());
    m.put("imageSize", config.imageSize());
    Map<String, Object> tok = new LinkedHashMap<>();
    tok.put("dir", TOKENIZER_DIR);
    tok.put("vocabSize", tokenizer.vocabSize());
    tok.put("words", tokenizer.words().size());
    tok.put("promptContextLength", context);
    m.put("tokenizer", tok);
    Map<String, Object> pre = new LinkedHashMap<>();
    PretrainMix mix = PretrainMix.standard();
    Map<String, Object> styles = new LinkedHashMap<>();
    for (Style s : Style.values()) {
      styles.put(s.id(), mix.styleWeights().getOrDefault(s, 0.0));
    }
    pre.put("styleWeights", styles);
    pre.put("swatchRate", mix.space().swatchRate());
    pre.put("hardNegativeGroupSize", mix.groupSize());
    Map<String, Object> contrast = new LinkedHashMap<>();
    for (Attribute a : Attribute.values()) {
      contrast.put(a.name().toLowerCase(java.util.Locale.ROOT), mix.contrastWeights().getOrDefault(a, 0.0));
    }
    contrast.put("none", mix.contrastWeights().getOrDefault(null, 0.0));
    pre.put("hardNegativeContrast", contrast);
    m.put("pretraining", pre);
    List<Map<String, Object>> list = new ArrayList<>();
    for (DatasetSpec d : config.datasets()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", d.name());
      e.put("folder", d.folder());
      e.put("imageRoot", IMAGE_ROOT);
      e.put("splitFile", d.splitFile());
      e.put("label", d.label());
      e.put("style", d.style().id());
      e.put("template", d.template());
      e.put("role", d.role().id());
      e.put("far", d.far());
      if (d.domainOf() != null) {
        e.put("domainOf", d.domainOf());
      }
      e.put("trainIsTest", d.trainIsTest());
      Map<String, Object> perClass = new LinkedHashMap<>();
      perClass.put("train", d.trainPerClass());
      perClass.put("val", d.valPerClass());
      perClass.put("test", d.testPerClass());
      e.put("perClass", perClass);
      e.put("baseClasses", d.baseClasses());
      e.put("newClasses", d.classes().size() - d.baseClasses());
      e.put("description", d.description());
      e.put("classes", d.classNames());
      list.add(e);
    }
    m.put("datasets", list);
    return m;
  }
}
