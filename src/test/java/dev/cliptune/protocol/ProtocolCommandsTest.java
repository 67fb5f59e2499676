package dev.cliptune.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.Classifier;
import dev.cliptune.Clip;
import dev.cliptune.cli.Main;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.testing.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The protocol commands end to end on a miniature CoOp tree and the repository's tiny CLIP. */
class ProtocolCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String model() {
    return TinyModel.dir().toString();
  }

  @Test
  void base2newWritesRunsAndTheTable(@TempDir Path tmp) throws IOException {
    String model = model();
    Path data = tmp.resolve("data");
    MiniCoopData.dtd(data, 4, 1, 3);
    Path out = tmp.resolve("out");
    int rc = Main.run("base2new", "--model", model, "--data-root", data.toString(), "--dataset",
        "DescribableTextures", "--method", "CoOp", "--shots", "2", "--seeds", "1,2", "--output", out.toString(),
        "--set", "epochs=2", "--set", "progress=false", "--set", "threads=1");
    assertThat(rc).isZero();
    Path run = out.resolve("base2new/train_base/DescribableTextures/shots_2/CoOp/vit_b16_ctxv1/seed1");
    for (String f : List.of("config.yaml", "log.txt", "metrics.json", "split.json", "checkpoints/latest")) {
      assertThat(run.resolve(f)).as(f).exists();
    }
    assertThat(Files.readString(run.resolve("config.yaml"))).contains("preset: \"vit_b16_ctxv1\"")
        .contains("epochs: 2").contains("CTX_INIT: \"a photo of a\"");
    assertThat(Files.readString(run.resolve("log.txt"))).contains("Finished training").containsPattern(
        "\\* accuracy: \\d+\\.\\d%");
    JsonNode split = JSON.readTree(run.resolve("split.json").toFile());
    assertThat(split.toString()).contains("banded").doesNotContain("grid_blue"); // base half = first 3 labels
    JsonNode metrics = JSON.readTree(run.resolve("metrics.json").toFile());
    assertThat(metrics.path("total").asInt()).isEqualTo(9); // 3 base classes x 3 test images
    JsonNode newRun = JSON.readTree(out.resolve(
        "base2new/test_new/DescribableTextures/shots_2/CoOp/vit_b16_ctxv1/seed2/metrics.json").toFile());
    assertThat(newRun.path("per_class_accuracy").has("grid blue") || newRun.path("per_class_accuracy").has("grid_blue"))
        .isTrue();
    JsonNode table = JSON.readTree(out.resolve("base2new_CoOp.json").toFile());
    JsonNode row = table.path("rows").get(0);
    double base = row.path("base").asDouble();
    double novel = row.path("new").asDouble();
    assertThat(row.path("hm").asDouble()).isCloseTo(2 * base * novel / (base + novel), org.assertj.core.api.Assertions.within(1e-9));
    assertThat(row.path("base_per_seed")).hasSize(2);
    assertThat(Files.readString(out.resolve("base2new_CoOp.md"))).contains("| DescribableTextures |")
        .contains("79.44 / 41.18 / 54.24"); // the published CoOp DTD row beside ours
  }

  @Test
  void zeroshotAgreesWithTheLibraryClassifier(@TempDir Path tmp) throws IOException {
    String model = model();
    Path data = tmp.resolve("data");
    Path root = MiniCoopData.dtd(data, 2, 1, 3);
    Path out = tmp.resolve("out");
    assertThat(Main.run("zeroshot", "--model", model, "--data-root", data.toString(), "--dataset",
        "DescribableTextures", "--seeds", "1", "--output", out.toString(), "--set", "threads=1")).isZero();
    JsonNode m;
    try (Stream<Path> s = Files.walk(out)) {
      Path metrics = s.filter(p -> p.getFileName().toString().equals("metrics.json")).findFirst().orElseThrow();
      m = JSON.readTree(metrics.toFile());
    }
    // recompute with Clip.classify and DTD's own template "{} texture."
    JsonNode split = JSON.readTree(root.resolve("split_zhou_DescribableTextures.json").toFile());
    List<Path> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    split.path("test").forEach(t -> {
      images.add(root.resolve("images").resolve(t.get(0).asText()));
      labels.add(t.get(1).asInt());
    });
    int correct = 0;
    try (Clip clip = Clip.load(Path.of(model))) {
      List<List<Classifier.Prediction>> preds = clip.classify(images, MiniCoopData.CLASSES, 1, List.of("{} texture."));
      for (int i = 0; i < images.size(); i++) {
        if (preds.get(i).get(0).index() == labels.get(i)) {
          correct++;
        }
      }
    }
    assertThat(m.path("total").asInt()).isEqualTo(images.size());
    assertThat(m.path("correct").asInt()).isEqualTo(correct);
  }

  @Test
  void aKilledTrainingRunResumesToTheSamePrompts(@TempDir Path tmp) throws Exception {
    String model = model();
    Path data = tmp.resolve("data");
    MiniCoopData.dtd(data, 4, 1, 2);
    List<String> common = List.of("train", "--model", model, "--data-root", data.toString(), "--dataset",
        "DescribableTextures", "--method", "CoCoOp", "--shots", "4", "--seeds", "1", "--set", "epochs=6",
        "--set", "progress=false", "--set", "threads=1", "--set", "N_CTX=2");
    // uninterrupted, in process
    List<String> a = new ArrayList<>(common);
    a.addAll(List.of("--output", tmp.resolve("a").toString()));
    assertThat(Main.run(a.toArray(String[]::new))).isZero();

    // the same run in another JVM, killed (SIGKILL) once its first epoch checkpoint is on disk
    Path outB = tmp.resolve("b");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(common);
    cmd.addAll(List.of("--output", outB.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("b.log").toFile()).start();
    Path latest;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      latest = find(outB, "latest");
      if (latest != null && Files.readString(latest).trim().startsWith("epoch-")) {
        break;
      }
      assertThat(p.isAlive()).as("training process still running (log: %s)", tmp.resolve("b.log")).isTrue();
      assertThat(System.nanoTime()).as("first checkpoint within 120 s").isLessThan(deadline);
      Thread.sleep(20);
    }
    p.destroyForcibly().waitFor();
    String killedAt = Files.readString(latest).trim();
    assertThat(killedAt).as("killed before the end").isNotEqualTo("epoch-6.safetensors");

    // resume in process
    List<String> b = new ArrayList<>(common);
    b.addAll(List.of("--output", outB.toString(), "--resume"));
    assertThat(Main.run(b.toArray(String[]::new))).isZero();
    String logB = Files.readString(find(outB, "log.txt"));
    assertThat(logB).contains("resuming from");

    Path ckA = find(tmp.resolve("a"), "epoch-6.safetensors");
    Path ckB = find(outB, "epoch-6.safetensors");
    try (SafeTensors sa = SafeTensors.open(ckA); SafeTensors sb = SafeTensors.open(ckB)) {
      for (String t : List.of("ctx", "meta_net.linear1.weight", "meta_net.linear2.bias")) {
        assertThat(sb.floats(t)).as(t + " (killed at " + killedAt + ")").containsExactly(sa.floats(t));
      }
    }
  }

  private static Path find(Path root, String name) throws IOException {
    if (!Files.exists(root)) {
      return null;
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElse(null);
    }
  }
}
