package dev.cliptune.prompt;

import static dev.cliptune.prompt.TinyClip.CLASSES;
import static dev.cliptune.prompt.TinyClip.config;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.train.Loss;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A garbage collection between the forward and the backward pass must not change the gradients. DJL on
 * CPU wraps arrays created from Java values ({@code manager.create(..)}, and the scalar of
 * {@code x.mul(2f)}) around a Java direct buffer without copying; once such an array is closed the buffer
 * can be freed by the next GC while libtorch's autograd graph still reads it. A forward pass must therefore
 * never close a Java-backed array that backward needs (use {@code manager.full(..)} for scalars).
 */
class GradientsSurviveGcTest {
  private static ClipModel clip;
  private static ClipTokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = TinyClip.tokenizer();
    clip = TinyClip.clip();
  }

  static Stream<Arguments> methods() {
    return Stream.of(
        Arguments.of("CoOp", config(Method.COOP, "N_CTX", 4)),
        Arguments.of("CoCoOp", config(Method.COCOOP, "N_CTX", 4)),
        Arguments.of("MIP", config(Method.MIP, "N_CTX", 4)),
        Arguments.of("MaPLe", config(Method.MAPLE, "PROMPT_DEPTH", 3)),
        Arguments.of("MaPLe fp16 casts", config(Method.MAPLE, "PROMPT_DEPTH", 3, "FP16_CASTS", true)),
        Arguments.of("IVLP", config(Method.IVLP, "PROMPT_DEPTH_TEXT", 3, "PROMPT_DEPTH_VISION", 3)),
        Arguments.of("VPT", config(Method.VPT, "N_CTX_VISION", 4, "PROMPT_DEPTH_VISION", 3)));
  }

  /** Frees every unreachable direct buffer and reuses small native allocations. */
  private static void collectGarbage() throws InterruptedException {
    ByteBuffer[] reuse = new ByteBuffer[2_000];
    for (int round = 0; round < 2; round++) {
      System.gc();
      Thread.sleep(50);
      for (int i = 0; i < reuse.length; i++) {
        reuse[i] = ByteBuffer.allocateDirect(4 + (i % 64)).putFloat(0, Float.NaN);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void gradientsDoNotDependOnAGcBeforeBackward(String what, MethodConfig cfg) throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        PromptLearner calm = PromptLearners.create(clip, tokenizer, CLASSES, cfg);
        PromptLearner collected = PromptLearners.create(clip, tokenizer, CLASSES, cfg)) {
      NDArray px = TinyClip.pixels(m, clip, 2, 41);
      NDArray labels = TinyClip.labels(m, 3, 1);
      Map<String, float[]> want = TinyClip.step(calm, px, labels).grads();

      try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        px.tempAttach(s);
        labels.tempAttach(s);
        NDArray loss = Loss.crossEntropy(collected.logits(px, Probe.NONE), labels);
        collectGarbage();
        collected.backward(gc, loss);
      }
      for (Map.Entry<String, float[]> e : TinyClip.grads(collected).entrySet()) {
        float[] w = want.get(e.getKey());
        assertThat(TinyClip.maxAbsDiff(e.getValue(), w)).as(what + ": " + e.getKey())
            .isLessThanOrEqualTo(1e-6 * TinyClip.maxAbs(w));
      }
    }
  }
}
