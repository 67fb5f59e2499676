package dev.cliptune.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.SafeTensorsWriter;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code cliptune parity} on {@code ../shared/fixtures/parity}: every tokenisation, preprocessing and
 * CLIP check must pass within the manifest's tolerances (each line prints its error and tolerance).
 */
class ParityFixturesTest {

  static ParityRunner.Result run(Path dir, String... only) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    ParityRunner.Result r = ParityRunner.run(dir, new Selection(List.of(only)), out);
    System.out.print(buf.toString(StandardCharsets.UTF_8));
    return r;
  }

  @Test
  void tokenisationPreprocessAndClipPassOnTheOpenSet() {
    Path dir = Shared.parity();
    ParityRunner.Result r = run(dir, "tokenisation", "preprocess", "clip");
    assertThat(r.checks()).filteredOn(c -> c.status() != Check.Status.PASS)
        .as("failed or skipped checks").isEmpty();
    assertThat(r.checks().stream().map(Check::name))
        .anyMatch(n -> n.startsWith("tokenisation/"))
        .anyMatch(n -> n.startsWith("preprocess/"))
        .contains("clip/image_features", "clip/text_features", "clip/zero_shot/logits",
            "clip/zero_shot_ensemble/logits", "clip/weights/hf_equals_openai");
    assertThat(r.exitCode()).isZero();
    assertThat(r.summary()).matches("parity: \\d+ checks, 0 failed, 0 skipped; worst \\S+ of tolerance at \\S+");
  }

  @Test
  void everyMethodCasePassesOnTheOpenSet() {
    Path dir = Shared.parity();
    ParityRunner.Result r = run(dir, "methods");
    assertThat(r.checks()).filteredOn(c -> c.status() != Check.Status.PASS)
        .as("failed or skipped method checks").isEmpty();
    // every case of the manifest is covered, with gradients and both SGD steps
    assertThat(r.checks().stream().map(Check::name))
        .anyMatch(n -> n.matches("coop_\\w+/after_step2/prompt_learner.ctx"))
        .anyMatch(n -> n.startsWith("cocoop_init/grad_step2/"))
        .anyMatch(n -> n.startsWith("maple_d3/official_fp16_roundtrip/grad/"))
        .anyMatch(n -> n.startsWith("mip_meta/init/prompt_learner.meta_features"))
        .anyMatch(n -> n.startsWith("vpt_deep_v3/after_step2/"))
        .anyMatch(n -> n.startsWith("ivlp_t3_v3/debug/"));
  }

  @Test
  void aPerturbedWeightFailsTheClipChecks(@TempDir Path tmp) throws IOException {
    Path dir = Shared.parity();
    Path copy = tmp.resolve("set");
    copyTree(dir, copy);
    // scale one LayerNorm weight of the HF model by 1.01: the features must move beyond tolerance
    Path model = copy.resolve("model/hf/model.safetensors");
    SafeTensorsWriter w = new SafeTensorsWriter();
    try (SafeTensors st = SafeTensors.open(dir.resolve("model/hf/model.safetensors"))) {
      for (TensorInfo t : st.tensors()) {
        float[] v = st.floats(t.name());
        if (t.name().equals("vision_model.post_layernorm.weight")) {
          for (int i = 0; i < v.length; i++) {
            v[i] *= 1.01f;
          }
        }
        w.putFloats(t.name(), v, t.shape());
      }
    }
    w.write(model);
    ParityRunner.Result r = run(copy, "clip/image_features", "clip/weights/hf_equals_openai", "clip/text_features");
    assertThat(r.checks()).extracting(Check::name, Check::status).containsExactly(
        org.assertj.core.groups.Tuple.tuple("clip/weights/hf_equals_openai", Check.Status.FAIL),
        org.assertj.core.groups.Tuple.tuple("clip/image_features", Check.Status.FAIL),
        org.assertj.core.groups.Tuple.tuple("clip/text_features", Check.Status.PASS));
    assertThat(r.exitCode()).isEqualTo(1);
  }

  @Test
  void aDirectoryWithoutManifestIsNotAFixtureSet(@TempDir Path tmp) {
    assertThatThrownBy(() -> run(tmp)).isInstanceOf(ParityRunner.NotAFixtureSet.class)
        .hasMessageContaining("manifest.json or fewshot.json");
  }

  @Test
  void anUnknownSelectorIsAnError() {
    Path dir = Shared.parity();
    assertThatThrownBy(() -> run(dir, "no_such_case")).isInstanceOf(ParityRunner.NotAFixtureSet.class)
        .hasMessageContaining("no_such_case");
  }

  @Test
  void summaryNamesTheWorstCheck() {
    List<Check> checks = List.of(Check.compare("a", 1e-6, 1e-5, ""), Check.compare("b", 5e-5, 1e-4, ""),
        Check.skip("c", "later"));
    assertThat(ParityRunner.summary(checks))
        .isEqualTo("parity: 3 checks, 0 failed, 1 skipped; worst 0.500 of tolerance at b");
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
