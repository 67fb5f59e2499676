package dev.cliptune.prompt.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptParameter;
import dev.cliptune.testing.TinyModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test helpers for checkpoints and interpretation on the repository's tiny CLIP ({@link TinyModel}). */
public final class CheckpointFixture {
  private CheckpointFixture() {}

  public static Path modelDir() {
    return TinyModel.dir();
  }

  public static ClipWeights weights() {
    return TinyModel.weights();
  }

  public static ClipTokenizer tokenizer() {
    return TinyModel.tokenizer();
  }

  /** The same backbone with one weight changed by a tiny amount: another identity. */
  public static ClipWeights modified(ClipWeights w) {
    Map<String, FloatTensor> tensors = new LinkedHashMap<>(w.tensors());
    FloatTensor ln = tensors.get("ln_final.bias");
    float[] data = ln.data().clone();
    data[0] += 1e-3f;
    tensors.put(ln.name(), new FloatTensor(ln.name(), ln.shape(), data));
    return new ClipWeights(w.config(), tensors, "modified " + w.source());
  }

  /** {@code MethodConfig.fromOfficial(m, {k1: v1, ...})}. */
  public static MethodConfig config(Method m, Object... keysAndValues) {
    Map<String, Object> keys = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      keys.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return MethodConfig.fromOfficial(m, keys);
  }

  /** A random pixel batch {@code [b, 3, R, R]} at the model's resolution. */
  public static NDArray pixels(NDManager m, ClipModel clip, int b) {
    int r = clip.config().vision().imageSize();
    return m.randomNormal(new Shape(b, 3, r, r));
  }

  /** Evaluation logits as floats, with their shape. */
  public static FloatTensor logits(PromptLearner learner, NDArray px) {
    try (NDManager s = px.getManager().newSubManager()) {
      px.tempAttach(s);
      NDArray l = learner.logits(px, Probe.NONE);
      return new FloatTensor("logits", l.getShape().getShape(), l.toFloatArray());
    }
  }

  /** Every parameter's values by name. */
  public static Map<String, float[]> values(PromptLearner learner) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (PromptParameter p : learner.parameters()) {
      out.put(p.name(), p.value().toFloatArray());
    }
    return out;
  }

  /** Raw-bit equality of two float arrays, with the first difference in the message. */
  public static void assertBitEqual(String what, float[] expected, float[] actual) {
    if (expected.length != actual.length) {
      throw new AssertionError(what + ": " + expected.length + " values expected, " + actual.length + " found");
    }
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        throw new AssertionError(what + "[" + i + "]: expected " + expected[i] + ", found " + actual[i]);
      }
    }
  }
}
