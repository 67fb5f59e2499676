package dev.cliptune.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code cliptune parity} on {@code ../shared/fixtures/checkpoints}: every checkpoint file's weights bit for bit
 * against its reference (tolerance 0), every ViT reference output within the manifest's tolerance, every hostile
 * file refused with the manifest's code and a message naming what the manifest lists. Each line prints its error
 * and tolerance.
 */
class CheckpointFixturesTest {

  private static ParityRunner.Result run(Path dir, String... only) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ParityRunner.Result r = ParityRunner.run(dir, new Selection(List.of(only)),
        new PrintStream(buf, true, StandardCharsets.UTF_8));
    System.out.print(buf.toString(StandardCharsets.UTF_8));
    return r;
  }

  @Test
  void weightsFeaturesAndRefusalsPass() throws IOException {
    Path dir = Shared.checkpoints();
    JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    ParityRunner.Result r = run(dir, "weights", "hostile", "features/vit/");
    assertThat(r.checks()).filteredOn(c -> c.status() != Check.Status.PASS).as("failed or skipped").isEmpty();
    long checkpoints = 0;
    long hostile = 0;
    for (JsonNode f : m.path("files")) {
      checkpoints += f.path("role").asText().equals("checkpoint") && f.has("weights") ? 1 : 0;
      hostile += f.path("role").asText().equals("hostile") ? 1 : 0;
    }
    assertThat(r.checks().stream().filter(c -> c.name().startsWith("weights/")).count()).isEqualTo(checkpoints);
    assertThat(r.checks().stream().filter(c -> c.name().startsWith("refuse/")).count()).isEqualTo(hostile);
    assertThat(r.checks().stream().map(Check::name)).contains(
        "features/vit/reference.safetensors/image_features", "features/vit/reference-gelu.safetensors/logits",
        "weights/vit/openai-jit.pt", "weights/vit/hf-bin-legacy/pytorch_model.bin", "refuse/hostile/global-posix-system.bin");
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void theWholeSetPassesWithTheResNetKindsAndTheSummaryFollowsTheContract() throws IOException {
    Path dir = Shared.checkpoints();
    JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    ParityRunner.Result r = run(dir);
    assertThat(r.checks()).filteredOn(c -> c.status() != Check.Status.PASS).as("failed or skipped").isEmpty();
    // the ResNet CLIP's inferred config, its reference activations and every rn_cases method case are checked
    assertThat(r.checks().stream().map(Check::name)).contains("rn/config", "rn/reference/debug/attnpool");
    for (JsonNode c : m.path("rn_cases")) {
      String id = c.path("id").asText();
      assertThat(r.checks().stream().map(Check::name)).as("checks of rn_cases " + id)
          .anyMatch(n -> n.startsWith(id + "/logits")).anyMatch(n -> n.startsWith(id + "/after_step2/"));
    }
    assertThat(r.summary()).matches("parity: \\d+ checks, 0 failed, 0 skipped; worst \\S+ of tolerance at \\S+");
    assertThat(r.exitCode()).isZero();
  }
}
