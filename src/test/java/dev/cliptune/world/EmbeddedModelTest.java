package dev.cliptune.world;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cliptune.Clip;
import dev.cliptune.Models;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded default ({@code builtin:tiny}, shipped under {@code models/tiny}) keeps its zero-shot accuracy on
 * held-out world images: images rendered from a seed that neither pretraining nor the demo's world uses, classified
 * with each dataset's own template. The floors are stated here and in docs/BENCHMARKS.md; they sit well below the
 * measured values (so a retrained model with the documented command passes) and far above chance (so a broken
 * loader, tokenizer, preprocessing or a wrong model fails).
 */
class EmbeddedModelTest {
  /** Held-out scenes: not the demo world's seed (1) and not the pretraining sampler's stream. */
  private static final long HELD_OUT_SEED = 20261123L;
  private static final int PER_CLASS = 25;

  /** Floor on zero-shot accuracy (%) per dataset; chance is 100 / classes. */
  private static final Map<String, Double> FLOORS = new LinkedHashMap<>();

  static {
    // measured with the shipped model (docs/BENCHMARKS.md): 100.0, 39.3, 73.5, 39.9, 21.7, 20.7 on 12, 12, 16, 48,
    // 12, 12 classes. Patterns and Textures have floors since the model's pattern stage: on 300 images a chance
    // classifier (8.3 %) reaches 15 % with probability below 1e-4.
    FLOORS.put("Colors", 90.0);
    FLOORS.put("Shapes", 30.0);
    FLOORS.put("Objects", 55.0);
    FLOORS.put("Source", 28.0);
    FLOORS.put("Patterns", 15.0);
    FLOORS.put("Textures", 15.0);
  }

  private static Map<String, Double> accuracy;

  @BeforeAll
  static void measure() {
    accuracy = new LinkedHashMap<>();
    WorldConfig config = WorldConfig.standard(HELD_OUT_SEED);
    try (Clip clip = Clip.load(Models.resolve(Models.BUILTIN_TINY))) {
      for (String name : FLOORS.keySet()) {
        DatasetSpec d = WorldDatasets.byName(name);
        accuracy.put(name, zeroShot(clip, config, d));
      }
    }
    accuracy.forEach((d, a) -> System.out.printf("builtin:tiny zero-shot %-8s %5.1f%% (floor %.0f%%, chance %.1f%%)%n",
        d, a, FLOORS.get(d), 100.0 / WorldDatasets.byName(d).classes().size()));
  }

  static double zeroShot(Clip clip, WorldConfig config, DatasetSpec d) {
    List<String> names = d.classNames();
    int n = names.size();
    int r = clip.preprocessor().resolution();
    int size = 3 * r * r;
    List<float[]> pixels = new java.util.ArrayList<>();
    for (int label = 0; label < n; label++) {
      for (int i = 0; i < PER_CLASS; i++) {
        Scene scene = World.scene(config, d, label, i);
        pixels.add(clip.preprocessor().apply(Renderer.render(scene, d.style(), config.imageSize())));
      }
    }
    float[][] logits = clip.classifier(names, List.of(d.template())).logits(pixels, names);
    int correct = 0;
    for (int k = 0; k < logits.length; k++) {
      int best = 0;
      for (int j = 1; j < n; j++) {
        if (logits[k][j] > logits[k][best]) {
          best = j;
        }
      }
      if (best == k / PER_CLASS) {
        correct++;
      }
    }
    return 100.0 * correct / logits.length;
  }

  @Test
  void zeroShotOnHeldOutWorldImagesStaysAboveTheFloors() {
    for (Map.Entry<String, Double> e : FLOORS.entrySet()) {
      assertThat(accuracy.get(e.getKey())).as("zero-shot accuracy of builtin:tiny on held-out %s", e.getKey())
          .isGreaterThanOrEqualTo(e.getValue());
    }
  }

  @Test
  void classifyWithoutAModelUsesTheEmbeddedDefault(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws Exception {
    // held-out images of the Colors dataset; the CLI without --model must label them with the embedded CLIP
    WorldConfig config = WorldConfig.standard(HELD_OUT_SEED);
    DatasetSpec colors = WorldDatasets.byName("Colors");
    List<String> images = new java.util.ArrayList<>();
    List<String> truth = new java.util.ArrayList<>();
    for (String colour : List.of("red", "blue", "green", "yellow")) {
      int label = colors.classNames().indexOf(colour);
      Scene scene = World.scene(config, colors, label, 0);
      java.nio.file.Path f = tmp.resolve(colour + ".png");
      java.nio.file.Files.write(f, Png.encode(Renderer.render(scene, colors.style(), config.imageSize())));
      images.add(f.toString());
      truth.add(colour);
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.out;
    int rc;
    try (java.io.PrintStream capture = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8)) {
      System.setOut(capture);
      List<String> args = new java.util.ArrayList<>(List.of("classify", "--classes", "red,blue,green,yellow",
          "--template", d("Colors")));
      args.addAll(images);
      rc = dev.cliptune.cli.Main.run(args.toArray(String[]::new));
    } finally {
      System.setOut(saved);
    }
    String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    System.out.print(out);
    assertThat(rc).isZero();
    String[] lines = out.split("\n");
    for (int i = 0; i < images.size(); i++) {
      int at = java.util.Arrays.asList(lines).indexOf(images.get(i));
      assertThat(at).as("output names %s", images.get(i)).isNotNegative();
      assertThat(lines[at + 1].trim()).as("top label of %s", images.get(i)).startsWith(truth.get(i));
    }
  }

  private static String d(String dataset) {
    return WorldDatasets.byName(dataset).template();
  }

  @Test
  void theEmbeddedModelFitsTheBudgetAndCarriesItsTokenizer() throws Exception {
    var dir = Models.resolve(Models.BUILTIN_TINY);
    long bytes = 0;
    try (var files = java.nio.file.Files.list(dir)) {
      for (var f : files.toList()) {
        bytes += java.nio.file.Files.size(f);
      }
    }
    assertThat(bytes).as("models/tiny total size").isLessThanOrEqualTo(10L << 20);
    for (String f : List.of("config.json", "model.safetensors", "vocab.json", "merges.txt")) {
      assertThat(dir.resolve(f)).as(f).isRegularFile();
    }
  }
}
