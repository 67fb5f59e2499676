package dev.cliptune.clip.weights;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.io.DType;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.Half;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.SafeTensorsWriter;
import dev.cliptune.io.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both layouts of the parity fixture load to the same weights and to the manifest's dimensions. */
class ClipLoaderFixtureTest {
  @TempDir Path tmp;

  static void assertBitEqual(ClipWeights a, ClipWeights b) {
    assertThat(b.config()).isEqualTo(a.config());
    assertThat(b.tensors().keySet()).containsExactlyElementsOf(a.tensors().keySet());
    for (Map.Entry<String, FloatTensor> e : a.tensors().entrySet()) {
      FloatTensor x = e.getValue();
      FloatTensor y = b.get(e.getKey());
      assertThat(y.shape()).as(e.getKey()).isEqualTo(x.shape());
      float[] xd = x.data();
      float[] yd = y.data();
      for (int i = 0; i < xd.length; i++) {
        if (Float.floatToRawIntBits(xd[i]) != Float.floatToRawIntBits(yd[i])) {
          throw new AssertionError(e.getKey() + "[" + i + "]: " + xd[i] + " vs " + yd[i]);
        }
      }
    }
  }

  @Test
  void bothLayoutsLoadToIdenticalWeightsAndTheManifestConfig() {
    ClipWeights hf = ClipLoader.load(Checkpoints.hfDir(), LoadOptions.defaults());
    ClipWeights oa = ClipLoader.load(Checkpoints.openAiDir(), LoadOptions.defaults());
    assertThat(hf.config()).isEqualTo(Checkpoints.manifestConfig());
    assertThat(oa.config()).isEqualTo(Checkpoints.manifestConfig());
    assertBitEqual(hf, oa);
    assertThat(hf.sha256()).isEqualTo(oa.sha256()).hasSize(64);
    assertThat(hf.tensors()).hasSize(ClipWeights.shapes(hf.config()).size());
    assertThat(hf.source()).contains("HuggingFace").contains(Checkpoints.hfDir().toString());
    assertThat(oa.source()).contains("OpenAI").contains("__metadata__");
    assertThat(hf.get("logit_scale").shape()).isEmpty();
    assertThat(hf.get("logit_scale").data()[0]).isEqualTo(2.632812f, org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(ClipLoader.detectLayout(Checkpoints.hfDir())).isEqualTo(ClipLoader.Layout.HF);
    assertThat(ClipLoader.detectLayout(Checkpoints.openAiDir())).isEqualTo(ClipLoader.Layout.OPENAI);
  }

  @Test
  void hfMappingStacksQkvAndTransposesProjections() {
    ClipWeights w = ClipLoader.load(Checkpoints.hfDir());
    int d = w.config().vision().width();
    int e = w.config().embedDim();
    try (SafeTensors st = SafeTensors.open(Checkpoints.hfDir().resolve("model.safetensors"))) {
      float[] k = st.floats("vision_model.encoder.layers.1.self_attn.k_proj.weight");
      float[] in = w.get("visual.transformer.resblocks.1.attn.in_proj_weight").data();
      for (int i = 0; i < d * d; i++) {
        assertThat(in[d * d + i]).isEqualTo(k[i]);
      }
      float[] vp = st.floats("visual_projection.weight"); // [E, Dv]
      float[] proj = w.get("visual.proj").data(); // [Dv, E]
      assertThat(proj[5 * e + 7]).isEqualTo(vp[7 * d + 5]);
    }
  }

  @Test
  void shardedIndexLoadsTheSame() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("sharded"));
    Files.copy(Checkpoints.hfDir().resolve("config.json"), dir.resolve("config.json"));
    ObjectNode index = Checkpoints.JSON.createObjectNode();
    ObjectNode wm = index.putObject("weight_map");
    try (SafeTensors st = SafeTensors.open(Checkpoints.hfDir().resolve("model.safetensors"))) {
      SafeTensorsWriter a = new SafeTensorsWriter();
      SafeTensorsWriter b = new SafeTensorsWriter();
      for (TensorInfo t : st.tensors()) {
        boolean first = t.name().startsWith("text_model.");
        (first ? a : b).put(t.name(), t.dtype(), t.shape(), st.raw(t.name()));
        wm.put(t.name(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
      }
      a.write(dir.resolve("model-00001-of-00002.safetensors"));
      b.write(dir.resolve("model-00002-of-00002.safetensors"));
    }
    Checkpoints.JSON.writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
    ClipWeights w = ClipLoader.load(dir);
    assertBitEqual(ClipLoader.load(Checkpoints.hfDir()), w);
    assertThat(w.source()).contains("2 shards");
  }

  @Test
  void float16CheckpointUpCastsToTheSameWeights() throws Exception {
    // every fixture value is exactly representable in float16, so an F16 copy loads bit-equal
    Path dir = Checkpoints.copy(Checkpoints.openAiDir(), tmp.resolve("f16"));
    Files.delete(dir.resolve("model.safetensors"));
    Checkpoints.rewrite(Checkpoints.openAiDir().resolve("model.safetensors"), dir.resolve("model.safetensors"),
        m -> m.replaceAll((name, e) -> {
          ByteBuffer src = e.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
          int n = src.remaining() / 4;
          ByteBuffer out = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
          for (int i = 0; i < n; i++) {
            out.putShort(2 * i, Half.fromFloat(src.getFloat(4 * i)));
          }
          return new Checkpoints.Entry(DType.F16, e.shape(), out);
        }));
    ClipWeights f16 = ClipLoader.load(dir);
    ClipWeights f32 = ClipLoader.load(Checkpoints.openAiDir());
    assertBitEqual(f32, f16);
    assertThat(f16.sha256()).isEqualTo(f32.sha256());
  }
}
