package dev.cliptune.clip.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.ClipWeightsException;
import dev.cliptune.clip.ResNetConfig;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.SafeTensorsWriter;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ResNet CLIP weights: build_model's shape inference, the checkpoints set's rn/ directory, and the errors. */
class ResNetCheckpointTest {

  @Test
  void inferenceFromShapesGivesEachOfficialResNetBack() {
    for (String name : List.of("RN50", "RN101", "RN50x4", "RN50x16", "RN50x64")) {
      ClipConfig cfg = ResNetConfig.byName(name);
      Map<String, long[]> shapes = ClipWeights.shapes(cfg);
      assertThat(ResNetCheckpoint.isResNet(shapes.keySet())).as(name).isTrue();
      ClipConfig inferred = ResNetCheckpoint.inferConfig(shapes, Map.of(), ResNetCheckpoint.Hints.none(), name);
      assertThat(inferred).as(name).isEqualTo(cfg);
    }
    // the table of CHECKPOINTS.md §3: attention-pool grid 7, 7, 9, 12, 14 and heads width * 32 / 64
    assertThat(ResNetConfig.rn50x64().resnet().grid()).isEqualTo(14);
    assertThat(ResNetConfig.rn50x4().resnet().heads()).isEqualTo(40);
    assertThat(ClipWeights.shapes(ResNetConfig.rn50()).get("visual.attnpool.c_proj.weight"))
        .containsExactly(1024, 2048);
    assertThat(ResNetCheckpoint.isResNet(ClipWeights.shapes(ClipConfig.vitB16()).keySet())).isFalse();
  }

  @Test
  void loadsTheCheckpointSetsResNetDirectory() throws IOException {
    Path rn = Shared.checkpoints().resolve("rn");
    ClipWeights w = ClipLoader.load(rn);
    ResNetConfig r = w.config().resnet();
    assertThat(r.layers()).containsExactly(2, 1, 1, 1);
    assertThat(r.width()).isEqualTo(8);
    assertThat(r.heads()).isEqualTo(4);
    assertThat(r.imageSize()).isEqualTo(64);
    assertThat(w.config().embedDim()).isEqualTo(32);
    assertThat(w.config().text().heads()).isEqualTo(1);
    assertThat(w.config().text().vocabSize()).isEqualTo(2000);
    try (SafeTensors st = SafeTensors.open(rn.resolve("model.safetensors"))) {
      int floats = 0;
      for (TensorInfo t : st.tensors()) {
        if (t.dtype().isFloating()) {
          floats++;
          assertThat(w.get(t.name()).data()).as(t.name()).containsExactly(st.floats(t.name()));
        } else {
          assertThat(t.name()).endsWith(".num_batches_tracked");
        }
      }
      assertThat(w.tensors()).hasSize(floats);
    }
    assertThat(w.sha256()).isNotEqualTo(ClipWeights.random(w.config(), 1).sha256());
  }

  @Test
  void aConfigThatDisagreesWithTheWeightsIsNamed(@TempDir Path tmp) throws IOException {
    Path rn = Shared.checkpoints().resolve("rn");
    Path dir = tmp.resolve("m");
    Files.createDirectories(dir);
    Files.copy(rn.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    String cfg = Files.readString(rn.resolve("config.json"));
    Files.writeString(dir.resolve("config.json"), cfg.replaceFirst("\\[\\s*2,\\s*1,\\s*1,\\s*1\\s*\\]", "[2, 1, 1, 2]"));
    assertThatThrownBy(() -> ClipLoader.load(dir)).isInstanceOf(ClipWeightsException.class)
        .hasMessageContaining("vision_layers = [2,1,1,2]").hasMessageContaining("[2, 1, 1, 1]");
    Files.writeString(dir.resolve("config.json"), cfg.replace("\"embed_dim\": 32", "\"embed_dim\": 48"));
    assertThatThrownBy(() -> ClipLoader.load(dir)).isInstanceOf(ClipWeightsException.class)
        .hasMessageContaining("embed_dim = 48").hasMessageContaining("text_projection");
  }

  @Test
  void unknownAndMissingTensorsAreNamed(@TempDir Path tmp) throws IOException {
    Path rn = Shared.checkpoints().resolve("rn");
    Path extra = tmp.resolve("extra");
    rewrite(rn, extra, n -> true, "visual.layer1.0.se.weight");
    assertThatThrownBy(() -> ClipLoader.load(extra)).isInstanceOf(ClipWeightsException.class)
        .hasMessageContaining("'visual.layer1.0.se.weight'").hasMessageContaining("ResNet CLIP");
    assertThat(ClipLoader.load(extra, LoadOptions.defaults().withAllowUnknownTensors(true)).has("visual.bn1.weight"))
        .isTrue();
    Path missing = tmp.resolve("missing");
    rewrite(rn, missing, n -> !n.equals("visual.layer2.0.bn1.running_var"), null);
    assertThatThrownBy(() -> ClipLoader.load(missing)).isInstanceOf(ClipWeightsException.class)
        .hasMessageContaining("missing tensor 'visual.layer2.0.bn1.running_var'").hasMessageContaining("[16]");
  }

  private static void rewrite(Path from, Path to, Predicate<String> keep, String extra) throws IOException {
    Files.createDirectories(to);
    SafeTensorsWriter w = new SafeTensorsWriter();
    try (SafeTensors st = SafeTensors.open(from.resolve("model.safetensors"))) {
      w.metadata(st.metadata());
      for (TensorInfo t : st.tensors()) {
        if (keep.test(t.name()) && t.dtype().isFloating()) {
          w.putFloats(t.name(), st.floats(t.name()), t.shape());
        }
      }
    }
    if (extra != null) {
      float[] v = new float[4];
      Arrays.fill(v, 1f);
      w.putFloats(extra, v, 4);
    }
    w.write(to.resolve("model.safetensors"));
  }
}
