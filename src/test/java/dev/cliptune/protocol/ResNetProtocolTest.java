package dev.cliptune.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.cli.Main;
import dev.cliptune.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol commands on the checkpoints set's ResNet CLIP (a model directory: its OpenAI-named
 * {@code model.safetensors} with {@code config.json} and the set's tokenizer files): CoOp with CoOp's own RN50
 * preset trains and evaluates; MaPLe is refused by name.
 */
class ResNetProtocolTest {

  private static Path modelDir(Path tmp) throws IOException {
    Path set = Shared.checkpoints();
    Path dir = tmp.resolve("rn-model");
    Files.createDirectories(dir);
    for (String f : new String[] {"rn/model.safetensors", "rn/config.json", "tokenizer/vocab.json", "tokenizer/merges.txt"}) {
      Files.copy(set.resolve(f), dir.resolve(Path.of(f).getFileName()));
    }
    return dir;
  }

  @Test
  void coopsResNetPresetsAreTheOfficialFiles() {
    // METHODS.md §7 (CoOp configs/trainers/CoOp/*.yaml): name, backbone, epochs, CTX_INIT; all batch 32, lr 0.002
    Object[][] table = {
        {"rn50", "RN50", 200, ""}, {"rn50_ep50", "RN50", 50, ""}, {"rn50_ep100", "RN50", 100, ""},
        {"rn50_ctxv1", "RN50", 200, "a photo of a"}, {"rn50_ep50_ctxv1", "RN50", 50, "a photo of a"},
        {"rn101", "RN101", 200, ""}, {"rn101_ep50", "RN101", 50, ""}};
    for (Object[] row : table) {
      Preset p = Presets.get(dev.cliptune.prompt.Method.COOP, (String) row[0]);
      assertThat(p.backbone()).as(p.name()).isEqualTo(row[1]);
      assertThat(p.epochs()).as(p.name()).isEqualTo(row[2]);
      assertThat(p.batchSize()).as(p.name()).isEqualTo(32);
      assertThat(p.lr()).as(p.name()).isEqualTo(0.002);
      assertThat(p.methodKeys().get("CTX_INIT")).as(p.name()).isEqualTo(row[3]);
      RunConfig c = RunConfig.of("m", Path.of("d"), java.util.List.of("EuroSAT"), dev.cliptune.prompt.Method.COOP,
          p.name(), 16, java.util.List.of(1L), "all", Path.of("o"), false);
      assertThat(c.train().epochs()).as(p.name()).isEqualTo(row[2]);
    }
  }

  @Test
  void coopTrainsWithTheRn50PresetAndMapleIsRefused(@TempDir Path tmp) throws IOException {
    Path model = modelDir(tmp);
    Path data = tmp.resolve("data");
    MiniCoopData.dtd(data, 2, 1, 2);
    Path out = tmp.resolve("out");
    int rc = Main.run("train", "--model", model.toString(), "--data-root", data.toString(), "--dataset",
        "DescribableTextures", "--method", "CoOp", "--preset", "rn50_ep50_ctxv1", "--shots", "2", "--seeds", "1",
        "--output", out.toString(), "--set", "epochs=2", "--set", "progress=false", "--set", "threads=1");
    assertThat(rc).isZero();
    Path config;
    try (var s = Files.walk(out)) {
      config = s.filter(p -> p.getFileName().toString().equals("config.yaml")).findFirst().orElseThrow();
    }
    assertThat(Files.readString(config)).contains("preset: \"rn50_ep50_ctxv1\"").contains("CTX_INIT: \"a photo of a\"");
    JsonNode metrics = new ObjectMapper().readTree(config.resolveSibling("metrics.json").toFile());
    assertThat(metrics.path("total").asInt()).isEqualTo(6 * 2); // 6 classes x 2 test images
    assertThat(config.resolveSibling("checkpoints/latest")).exists();

    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int maple = Main.run("train", "--model", model.toString(), "--data-root", data.toString(), "--dataset",
          "DescribableTextures", "--method", "MaPLe", "--shots", "2", "--seeds", "1", "--output",
          tmp.resolve("maple").toString(), "--set", "epochs=1", "--set", "progress=false", "--set", "threads=1");
      assertThat(maple).isEqualTo(Main.USER_ERROR);
    } finally {
      System.setErr(err);
    }
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("\ncliptune train: MaPLe needs a ViT image encoder")
        .contains("ModifiedResNet");
  }
}
