package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.Half;
import dev.cliptune.testing.TinyModel;
import dev.cliptune.train.TrainingStep;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test helpers around the repository's tiny CLIP ({@link TinyModel}, shared by every test class): loading,
 * configurations from official keys, a seeded pixel batch, one training step as the trainer runs it, and array
 * comparisons.
 */
final class TinyClip {
  /** The fixtures' class names: underscores, capitals, a hyphen and digits, names of 1 to several tokens. */
  static final List<String> CLASSES = List.of("golden_retriever", "Tabby cat", "airliner", "sunflower",
      "Mercedes-Benz 300SL");

  private TinyClip() {}

  /** The shared frozen model; do not close it. */
  static ClipModel clip() {
    return TinyModel.clip();
  }

  static ClipWeights weights() {
    return TinyModel.weights();
  }

  static ClipTokenizer tokenizer() {
    return TinyModel.tokenizer();
  }

  /** The text context length L of the model (32 for the tiny CLIP; the official CLIP's is 77). */
  static int contextLength() {
    return clip().config().text().contextLength();
  }

  /**
   * A word the tokenizer splits into exactly two BPE tokens, for checks that contexts count tokens, not words
   * ({@code itap} for the official BPE, {@code ciring} for the world's).
   */
  static String twoTokenWord() {
    for (String w : List.of("itap", "ciring", "ecking")) {
      if (tokenizer().encode(w).length == 2) {
        return w;
      }
    }
    throw new AssertionError("no candidate word is two BPE tokens for this tokenizer");
  }

  /** {@code MethodConfig.fromOfficial(m, {k1: v1, k2: v2, ...})}. */
  static MethodConfig config(Method m, Object... keysAndValues) {
    Map<String, Object> keys = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      keys.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return MethodConfig.fromOfficial(m, keys);
  }

  /** A seeded batch of "preprocessed" pixels {@code [b, 3, R, R]} (standard normal values). */
  static NDArray pixels(NDManager m, ClipModel clip, int b, long seed) {
    int r = clip.config().imageSize();
    float[] v = new float[b * 3 * r * r];
    Random rng = new Random(seed);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    return m.create(v, new Shape(b, 3, r, r));
  }

  static NDArray labels(NDManager m, long... labels) {
    return m.create(labels);
  }

  /** Evaluation logits as a float array. */
  static float[] logits(PromptLearner learner, NDArray px) {
    return logits(learner, px, Probe.NONE);
  }

  static float[] logits(PromptLearner learner, NDArray px, Probe probe) {
    try (NDManager s = px.getManager().newSubManager()) {
      px.tempAttach(s);
      return learner.logits(px, probe).toFloatArray();
    }
  }

  /** Records every probed tensor as floats (probes must copy). */
  static Map<String, float[]> probe(PromptLearner learner, NDArray px) {
    Map<String, float[]> out = new HashMap<>();
    logits(learner, px, (name, v) -> out.put(name, v.toFloatArray()));
    return out;
  }

  /** The loss and every parameter's gradient of one training step. */
  record Step(float loss, Map<String, float[]> grads) {}

  /**
   * The trainer's own {@link TrainingStep} at learning rate 0 (no momentum, no weight decay), so no parameter
   * moves: the loss and the gradients it computed, read before the step zeroes them.
   */
  static Step step(PromptLearner learner, NDArray px, NDArray labels) {
    Map<String, float[]> grads = new LinkedHashMap<>();
    try (TrainingStep step = new TrainingStep(learner, 0, 0)) {
      step.onGradients(ps -> ps.forEach(p -> grads.put(p.name(), grad(p))));
      return new Step(step.run(px, labels, 0).loss(), grads);
    }
  }

  static float[] grad(PromptParameter p) {
    try (NDArray g = p.value().getGradient()) {
      return g.toFloatArray();
    }
  }

  static Map<String, float[]> grads(PromptLearner learner) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (PromptParameter p : learner.parameters()) {
      out.put(p.name(), grad(p));
    }
    return out;
  }

  static Map<String, float[]> values(PromptLearner learner) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (PromptParameter p : learner.parameters()) {
      out.put(p.name(), p.value().toFloatArray());
    }
    return out;
  }

  /** Copies every parameter of {@code from} into the parameter of the same name of {@code to}. */
  static void copyParameters(PromptLearner from, PromptLearner to) {
    for (PromptParameter p : from.parameters()) {
      to.setParameter(p.name(), p.value().toFloatArray(), p.value().getShape().getShape());
    }
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
    }
    return m;
  }

  static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** Rounds every value to float16 and back, as {@code x.half().float()}. */
  static float[] roundToHalf(float[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Half.round(v[i]);
    }
    return out;
  }
}
