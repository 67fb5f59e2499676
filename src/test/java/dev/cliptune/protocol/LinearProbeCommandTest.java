package dev.cliptune.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.Clip;
import dev.cliptune.cli.Main;
import dev.cliptune.data.DatasetOpener;
import dev.cliptune.data.Item;
import dev.cliptune.data.LoadedDataset;
import dev.cliptune.eval.ImageFeatures;
import dev.cliptune.testing.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cliptune linear-probe} end to end on a miniature CoOp tree and the repository's tiny CLIP. */
class LinearProbeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String model() {
    return TinyModel.dir().toString();
  }

  @Test
  void probesSeparableClassesFarAboveChanceAndWritesRunsAndTable(@TempDir Path tmp) throws IOException {
    String model = model();
    Path data = tmp.resolve("data");
    MiniCoopData.dtd(data, 4, 2, 3); // 6 classes told apart by stripe colour and spacing
    Path out = tmp.resolve("out");
    int rc = Main.run("linear-probe", "--model", model, "--data-root", data.toString(), "--dataset",
        "DescribableTextures", "--shots", "2", "--seeds", "1,2", "--output", out.toString(), "--set", "threads=1");
    assertThat(rc).isZero();

    Path run = out.resolve("linear_probe/all/DescribableTextures/shots_2/LinearProbeCLIP/lpclip/seed1");
    for (String f : List.of("config.yaml", "log.txt", "metrics.json", "split.json")) {
      assertThat(run.resolve(f)).as(f).exists();
    }
    assertThat(Files.readString(run.resolve("config.yaml"))).contains("LinearProbeCLIP").contains("shots: 2");
    assertThat(Files.readString(run.resolve("log.txt"))).contains("search for C").contains("chosen C")
        .containsPattern("\\* accuracy: \\d+\\.\\d%");
    JsonNode metrics = JSON.readTree(run.resolve("metrics.json").toFile());
    assertThat(metrics.path("total").asInt()).isEqualTo(18); // 6 classes x 3 test images
    assertThat(metrics.path("C").asDouble()).isPositive();
    assertThat(metrics.path("search").path("interval_steps")).hasSize(8);
    assertThat(metrics.path("search").path("initial_val_accuracy")).hasSize(7);

    JsonNode table = JSON.readTree(out.resolve("linear_probe_all_2shots.json").toFile());
    JsonNode row = table.path("rows").get(0);
    assertThat(row.path("per_seed")).hasSize(2);
    assertThat(row.path("C_per_seed")).hasSize(2);
    // chance is 16.7%; the classes differ in colour, which the tiny CLIP's features keep
    assertThat(row.path("accuracy").asDouble()).isGreaterThan(60);
    assertThat(Files.readString(out.resolve("linear_probe_all_2shots.md"))).contains("| DescribableTextures | 2 |");

    // base classes only: trained and tested on the first half (3 classes), as base2new's Base
    Path outBase = tmp.resolve("out-base");
    assertThat(Main.run("linear-probe", "--model", model, "--data-root", data.toString(), "--dataset",
        "DescribableTextures", "--shots", "2", "--seeds", "1", "--subsample", "base", "--output",
        outBase.toString(), "--set", "threads=1", "--search-steps", "2")).isZero();
    JsonNode base = JSON.readTree(outBase.resolve(
        "linear_probe/base/DescribableTextures/shots_2/LinearProbeCLIP/lpclip/seed1/metrics.json").toFile());
    assertThat(base.path("total").asInt()).isEqualTo(9);
    assertThat(base.path("per_class_accuracy").size()).isEqualTo(3);
    assertThat(base.path("search").path("interval_steps")).hasSize(2);

    // a dataset named by its folder: the runs go under --output, not into the dataset folder; CoOp's rn50_val
    // config (lpclip's feature extraction) extracts 200 images per batch
    Path outDir = tmp.resolve("out-dir");
    Path dtd = data.resolve("dtd");
    assertThat(Main.run("linear-probe", "--model", model, "--dataset", dtd.toString(), "--shots", "1", "--seeds",
        "1", "--output", outDir.toString(), "--set", "threads=1", "--search-steps", "0", "--preset", "rn50_val"))
        .isZero();
    Path rn50val = outDir.resolve("linear_probe/all/dtd/shots_1/LinearProbeCLIP/rn50_val/seed1");
    assertThat(rn50val.resolve("metrics.json")).exists();
    assertThat(Files.readString(rn50val.resolve("config.yaml"))).contains("preset: \"rn50_val\"")
        .contains("test_batch_size: 200");
    assertThat(Files.readString(run.resolve("config.yaml"))).contains("preset: \"lpclip\"").contains("test_batch_size: 100");
    assertThat(dtd.resolve("shots_1")).doesNotExist();
  }

  @Test
  void featuresAreTheUnnormalisedImageEmbeddingAndCachedByPath(@TempDir Path tmp) throws IOException {
    Path data = tmp.resolve("data");
    MiniCoopData.dtd(data, 1, 0, 1);
    try (Clip clip = Clip.load(Path.of(model()))) {
      LoadedDataset ds = DatasetOpener.open("DescribableTextures", data, Map.of());
      List<Item> items = ds.split().test();
      ImageFeatures.Cache cache = new ImageFeatures.Cache(clip.model(), clip.preprocessor());
      ImageFeatures.Encoded a = cache.encode(items, 4, 1, false);
      assertThat(cache.size()).isEqualTo(items.size());
      ImageFeatures.Encoded b = cache.encode(items.subList(1, 3), 4, 1, false);
      assertThat(cache.size()).isEqualTo(items.size());
      assertThat(b.rows()[0]).containsExactly(a.rows()[1]);
      // batching does not change a feature; rows are not L2-normalised
      ImageFeatures.Encoded single = ImageFeatures.encode(clip.model(), items.subList(2, 3), clip.preprocessor(), 1,
          1, false);
      for (int j = 0; j < single.rows()[0].length; j++) {
        assertThat(single.rows()[0][j]).isCloseTo(a.rows()[2][j], org.assertj.core.api.Assertions.within(1e-4f));
      }
      double norm = 0;
      for (float v : a.rows()[0]) {
        norm += v * v;
      }
      assertThat(Math.abs(Math.sqrt(norm) - 1)).isGreaterThan(1e-3);
      assertThat(a.labels()).containsExactly(items.stream().mapToInt(Item::label).toArray());
    }
  }
}
