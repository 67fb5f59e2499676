package dev.cliptune.clip.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.ClipWeightsException;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;
import dev.cliptune.io.FloatTensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClipWeightsTest {
  /** A small model with distinct widths, like the parity fixture. */
  static final ClipConfig TINY = new ClipConfig(48, new VisionConfig(96, 2, 3, 8, 32, 384, 1e-5),
      new TextConfig(64, 2, 2, 77, 300, 256, 1e-5));

  @Test
  void randomVitB16HasTheOfficialParameterCount() {
    ClipWeights w = ClipWeights.random(ClipConfig.vitB16(), 0);
    assertThat(w.parameterCount()).isEqualTo(149_620_737L);
    long vision = w.tensors().entrySet().stream().filter(e -> e.getKey().startsWith("visual."))
        .mapToLong(e -> e.getValue().data().length).sum();
    assertThat(vision).isEqualTo(86_192_640L);
    assertThat(w.get("visual.transformer.resblocks.11.attn.in_proj_weight").shape()).containsExactly(2304, 768);
    assertThat(w.get("visual.proj").shape()).containsExactly(768, 512);
    assertThat(w.get("text_projection").shape()).containsExactly(512, 512);
    assertThat(w.get("token_embedding.weight").shape()).containsExactly(49408, 512);
    assertThat(w.get("logit_scale").data()).containsExactly((float) Math.log(100));
  }

  @Test
  void randomValues() {
    ClipWeights w = ClipWeights.random(TINY, 7);
    assertThat(w.get("visual.ln_pre.weight").data()).containsOnly(1f);
    assertThat(w.get("transformer.resblocks.1.ln_2.weight").data()).containsOnly(1f);
    assertThat(w.get("ln_final.weight").data()).containsOnly(1f);
    assertThat(w.get("transformer.resblocks.0.attn.in_proj_bias").data()).containsOnly(0f);
    assertThat(w.get("visual.ln_post.bias").data()).containsOnly(0f);
    float[] m = w.get("token_embedding.weight").data();
    double sum = 0;
    double sq = 0;
    for (float v : m) {
      sum += v;
      sq += v * v;
    }
    double mean = sum / m.length;
    double std = Math.sqrt(sq / m.length - mean * mean);
    assertThat(mean).isBetween(-0.001, 0.001);
    assertThat(std).isBetween(0.0195, 0.0205);
    // deterministic in the seed, different across seeds and across tensors
    ClipWeights again = ClipWeights.random(TINY, 7);
    assertThat(again.get("token_embedding.weight").data()).isEqualTo(m);
    assertThat(again.sha256()).isEqualTo(w.sha256());
    assertThat(ClipWeights.random(TINY, 8).sha256()).isNotEqualTo(w.sha256());
    assertThat(Arrays.copyOf(w.get("visual.proj").data(), 10))
        .isNotEqualTo(Arrays.copyOf(w.get("text_projection").data(), 10));
  }

  @Test
  void sha256DependsOnEveryBitAndOnTheHeads() {
    ClipWeights w = ClipWeights.random(TINY, 1);
    String h = w.sha256();
    assertThat(h).matches("[0-9a-f]{64}");
    Map<String, FloatTensor> copy = new LinkedHashMap<>();
    w.tensors().forEach((n, t) -> copy.put(n, new FloatTensor(n, t.shape(), t.data().clone())));
    assertThat(new ClipWeights(TINY, copy, "copy").sha256()).isEqualTo(h);
    float[] d = copy.get("visual.transformer.resblocks.1.mlp.c_proj.weight").data();
    d[17] = Math.nextUp(d[17]);
    assertThat(new ClipWeights(TINY, copy, "edited").sha256()).isNotEqualTo(h);
    d[17] = Math.nextDown(d[17]);
    ClipConfig otherHeads = new ClipConfig(48, new VisionConfig(96, 2, 6, 8, 32, 384, 1e-5), TINY.text());
    assertThat(new ClipWeights(otherHeads, copy, "heads").sha256()).isNotEqualTo(h);
  }

  @Test
  void constructorAndGetValidate() {
    ClipWeights w = ClipWeights.random(TINY, 1);
    assertThatThrownBy(() -> w.get("visual.transformer.resblocks.0.attn.q_proj.weight"))
        .isInstanceOf(ClipWeightsException.class)
        .hasMessageContaining("no tensor 'visual.transformer.resblocks.0.attn.q_proj.weight'")
        .hasMessageContaining("visual.transformer.resblocks.0.attn.in_proj_weight");
    Map<String, FloatTensor> m = new LinkedHashMap<>(w.tensors());
    m.remove("ln_final.bias");
    assertThatThrownBy(() -> new ClipWeights(TINY, m, "test"))
        .hasMessageContaining("test: missing tensor 'ln_final.bias', expected shape [64]");
    m.put("ln_final.bias", new FloatTensor("ln_final.bias", new long[] {63}, new float[63]));
    assertThatThrownBy(() -> new ClipWeights(TINY, m, "test"))
        .hasMessageContaining("tensor 'ln_final.bias' has shape [63], expected [64]");
    m.put("ln_final.bias", w.get("ln_final.bias"));
    m.put("extra", new FloatTensor("extra", new long[] {1}, new float[1]));
    assertThatThrownBy(() -> new ClipWeights(TINY, m, "test")).hasMessageContaining("unexpected tensor 'extra'");
    assertThatThrownBy(() -> w.tensors().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void shapesFollowClipMdSection9() {
    Map<String, long[]> s = ClipWeights.shapes(ClipConfig.vitB16());
    assertThat(s.get("visual.conv1.weight")).containsExactly(768, 3, 16, 16);
    assertThat(s.get("visual.positional_embedding")).containsExactly(197, 768);
    assertThat(s.get("transformer.resblocks.11.mlp.c_proj.weight")).containsExactly(512, 2048);
    assertThat(s.get("logit_scale")).isEmpty();
    assertThat(s).hasSize(5 + 12 * 12 + 3 + 2 + 12 * 12 + 3 + 1);
  }
}
