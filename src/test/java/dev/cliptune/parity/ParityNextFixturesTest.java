package dev.cliptune.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.testing.Shared;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code cliptune parity} on {@code ../shared/fixtures/parity-next} (PromptSRC and KgCoOp from their official
 * trainers; skipped with a message when absent). Tolerances are the manifest's per-tensor {@code atol}
 * (10× the official code's own float32-vs-float64 error, at least 16 float32 ulps), a derived 1e-4 of the
 * tensor's scale for intermediate activations, 0 for token ids and for the GPA aggregation of the reference
 * epoch states (bit for bit), 1e-13 relative for the float64 GPA weights. The run prints every check and the
 * worst error relative to its tolerance.
 */
class ParityNextFixturesTest {

  @Test
  void everyCaseAndScheduleOfTheManifestPasses() throws IOException {
    Path dir = Shared.parityNext();
    ParityRunner.Result r = ParityFixturesTest.run(dir);
    System.out.println(r.summary());
    assertThat(r.checks()).filteredOn(c -> c.status() != Check.Status.PASS).as("failed or skipped checks").isEmpty();
    assertThat(r.exitCode()).isZero();
    JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    List<String> names = r.checks().stream().map(Check::name).toList();
    for (JsonNode c : m.path("methods")) {
      String id = c.path("id").asText();
      // logits, every loss term of both steps, gradients and both updates of every learnable tensor
      assertThat(names).contains(id + "/logits", id + "/loss", id + "/loss_step2");
      c.path("loss_terms_step1").fieldNames().forEachRemaining(t -> assertThat(names).contains(id + "/loss_terms/" + t));
      c.path("loss_terms_step2").fieldNames().forEachRemaining(
          t -> assertThat(names).contains(id + "/loss_terms_step2/" + t));
      for (JsonNode p : c.path("learnable_parameters")) {
        String n = p.path("name").asText();
        assertThat(names).contains(id + "/grad/" + n, id + "/grad_step2/" + n, id + "/after_step1/" + n,
            id + "/after_step2/" + n);
      }
    }
    for (JsonNode s : m.path("gpa_schedules")) {
      String id = s.path("id").asText();
      assertThat(names).contains(id + "/logits_after_gpa", id + "/loss_per_epoch", id + "/gpa_weights_float64");
      for (JsonNode p : s.path("learnable_parameters")) {
        String n = p.path("name").asText();
        assertThat(names).contains(id + "/aggregated/" + n, id + "/aggregated_from_reference_epochs/" + n);
        for (int e = 1; e <= s.path("epochs").asInt(); e++) {
          assertThat(names).contains(id + "/epoch" + e + "/" + n);
        }
      }
    }
  }
}
