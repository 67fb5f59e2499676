package dev.cliptune.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.Classifier;
import dev.cliptune.Clip;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.SafeTensorsWriter;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cliptune parity} on the checkpoints set's ResNet CLIP: every tensor of {@code rn/reference.safetensors}
 * (features, logits, every stem/stage/attention-pool activation) within the manifest's tolerance (derived for
 * tensors without one), and the official CoOp / CoCoOp steps of {@code rn_cases} (logits, loss, gradients, both
 * SGD steps). Each line prints its error and tolerance.
 */
class ResNetChecksTest {

  private static ParityRunner.Result run(Path dir, String... only) {
    return ParityFixturesTest.run(dir, only);
  }

  @Test
  void everyReferenceActivationAndMethodCaseOfTheResNetPasses() throws IOException {
    Path dir = Shared.checkpoints();
    ParityRunner.Result r = run(dir, ResNetChecks.GROUP, "methods");
    assertThat(r.checks()).filteredOn(c -> c.status() != Check.Status.PASS).as("failed or skipped checks").isEmpty();
    Set<String> names = new HashSet<>();
    r.checks().forEach(c -> names.add(c.name()));
    // one check per output tensor of the reference file and per tensor of each case file (inputs excluded)
    List<String> expected = new ArrayList<>();
    try (SafeTensors ref = SafeTensors.open(dir.resolve("rn/reference.safetensors"))) {
      for (TensorInfo t : ref.tensors()) {
        if (!t.name().endsWith("pixel_values")) {
          expected.add("rn/reference/" + t.name());
        }
      }
    }
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    for (JsonNode c : manifest.path("rn_cases")) {
      try (SafeTensors cf = SafeTensors.open(dir.resolve(c.path("file").asText()))) {
        for (TensorInfo t : cf.tensors()) {
          if (!t.name().startsWith("inputs/") && !t.name().startsWith("params/")) {
            expected.add(c.path("id").asText() + "/" + t.name());
          }
        }
      }
    }
    assertThat(expected).contains("rn/reference/debug/stem/relu1", "rn/reference/debug/layer4",
        "coop_csc8_end/after_step2/prompt_learner.ctx", "cocoop_init/grad_step2/prompt_learner.meta_net.linear2.weight");
    assertThat(names).containsAll(expected).contains("rn/config");
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void zeroShotClassificationOnTheResNetGivesTheReferenceLogits() {
    Path dir = Shared.checkpoints();
    List<String> classes = List.of("golden retriever", "Tabby cat", "airliner", "sunflower",
        "Mercedes-Benz 300SL"); // the reference's class prompts are "a photo of a {}." of these
    try (Clip clip = new Clip(
            ClipModel.create(ClipLoader.load(dir.resolve("rn"))),
            ClipTokenizer.fromBpeGz(dir.resolve("tokenizer/bpe_trunc_2000.txt.gz")),
            ClipPreprocessor.openAi(64));
        SafeTensors ref = SafeTensors.open(dir.resolve("rn/reference.safetensors"))) {
      Classifier zs = clip.classifier(classes, List.of("a photo of a {}."));
      float[] all = ref.floats("pixel_values");
      int per = 3 * 64 * 64;
      List<float[]> images = new ArrayList<>();
      for (int i = 0; i < all.length / per; i++) {
        images.add(Arrays.copyOfRange(all, i * per, (i + 1) * per));
      }
      float[][] rows = zs.logits(images, null);
      float[] logits = new float[rows.length * classes.size()];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(rows[i], 0, logits, i * classes.size(), classes.size());
      }
      double err = Compare.maxAbs(logits, ref.floats("logits"));
      System.out.printf("zero-shot logits on the ResNet CLIP: max abs error %.3e (tolerance 1e-4)%n", err);
      assertThat(err).isLessThanOrEqualTo(1e-4);
    }
  }

  @Test
  void runningStatisticsMatter(@TempDir Path tmp) throws IOException {
    Path dir = Shared.checkpoints();
    Path copy = tmp.resolve("set");
    Files.createDirectories(copy.resolve("rn"));
    Files.copy(dir.resolve("manifest.json"), copy.resolve("manifest.json"));
    ParityFixturesTest.copyTree(dir.resolve("tokenizer"), copy.resolve("tokenizer"));
    ParityFixturesTest.copyTree(dir.resolve("rn/cases"), copy.resolve("rn/cases"));
    for (String f : new String[] {"config.json", "reference.safetensors"}) {
      Files.copy(dir.resolve("rn").resolve(f), copy.resolve("rn").resolve(f));
    }
    // one BatchNorm's running variance of layer3 doubled: the stem and earlier stages still match, the rest not
    SafeTensorsWriter w = new SafeTensorsWriter();
    try (SafeTensors st = SafeTensors.open(dir.resolve("rn/model.safetensors"))) {
      w.metadata(st.metadata());
      for (TensorInfo t : st.tensors()) {
        if (t.dtype().isFloating()) {
          float[] v = st.floats(t.name());
          if (t.name().equals("visual.layer3.0.bn2.running_var")) {
            for (int i = 0; i < v.length; i++) {
              v[i] *= 2;
            }
          }
          w.putFloats(t.name(), v, t.shape());
        } else {
          w.putLongs(t.name(), st.longs(t.name()), t.shape());
        }
      }
    }
    w.write(copy.resolve("rn/model.safetensors"));
    ParityRunner.Result r = run(copy, "rn/reference/debug/layer2", "rn/reference/debug/layer3",
        "rn/reference/image_features", "rn/reference/text_features");
    assertThat(r.checks()).extracting(Check::name, Check::status).containsExactly(
        org.assertj.core.groups.Tuple.tuple("rn/reference/debug/layer2", Check.Status.PASS),
        org.assertj.core.groups.Tuple.tuple("rn/reference/debug/layer3", Check.Status.FAIL),
        org.assertj.core.groups.Tuple.tuple("rn/reference/image_features", Check.Status.FAIL),
        org.assertj.core.groups.Tuple.tuple("rn/reference/text_features", Check.Status.PASS));
  }
}
