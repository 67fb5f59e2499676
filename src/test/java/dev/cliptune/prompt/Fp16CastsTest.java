package dev.cliptune.prompt;

import static dev.cliptune.prompt.TinyClip.CLASSES;
import static dev.cliptune.prompt.TinyClip.config;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.TextInput;
import dev.cliptune.clip.VisionInput;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.train.Loss;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official MaPLe/IVLP/VPT forward casts inserted prompt tokens to float16 (METHODS.md §4, fixtures
 * README "Float16 casts"). With {@code FP16_CASTS} the learner must equal a float32 forward on float16-rounded
 * prompt tokens, and round the gradients that flow through the casts; without it there is no rounding and no
 * cast boundary at all.
 */
class Fp16CastsTest {
  /** The model's text context length. */
  private static final int CTX_LEN = TinyClip.contextLength();

  private static ClipModel clip;
  private static ClipTokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = TinyClip.tokenizer();
    clip = TinyClip.clip();
  }

  private static final MethodConfig MAPLE = config(Method.MAPLE, "PROMPT_DEPTH", 3);
  private static final MethodConfig IVLP = config(Method.IVLP, "PROMPT_DEPTH_TEXT", 3, "PROMPT_DEPTH_VISION", 3);
  private static final MethodConfig VPT = config(Method.VPT, "N_CTX_VISION", 4, "PROMPT_DEPTH_VISION", 3);

  private static PromptLearner learner(MethodConfig c, boolean casts) {
    return PromptLearners.create(clip, tokenizer, CLASSES, c.with("FP16_CASTS", String.valueOf(casts), "test"));
  }

  private static boolean allHalf(float[] v) {
    for (float x : v) {
      if (TinyClip.roundToHalf(new float[] {x})[0] != x) {
        return false;
      }
    }
    return true;
  }

  private static float[] round(NDArray a) {
    return TinyClip.roundToHalf(a.toFloatArray());
  }

  /**
   * MaPLe's logits built by hand from its parameters: visual prompts {@code V₀ = ctx·Wᵀ + b},
   * {@code V_k = P_k·W_kᵀ + b_k}, text input {@code [SOT, ctx, S]}; deep text prompts and all visual prompts
   * optionally rounded to float16 (what the casts do).
   */
  private static float[] mapleByHand(PromptLearner l, NDArray px, boolean rounded) {
    NDManager m = px.getManager();
    try (NDManager s = m.newSubManager()) {
      java.util.function.Function<String, NDArray> p = name -> {
        NDArray v = l.parameter(name).value();
        return s.create(v.toFloatArray(), v.getShape());
      };
      java.util.function.UnaryOperator<NDArray> maybeRound = a -> rounded ? s.create(round(a), a.getShape()) : a;
      NDArray ctx = p.apply("prompt_learner.ctx");
      NDArray v0 = maybeRound.apply(ctx.matMul(p.apply("prompt_learner.proj.weight").transpose())
          .add(p.apply("prompt_learner.proj.bias")));
      List<NDArray> deepVision = new ArrayList<>();
      List<NDArray> deepText = new ArrayList<>();
      for (int k = 0; k < MAPLE.promptDepth() - 1; k++) {
        NDArray pk = p.apply("prompt_learner.compound_prompts_text." + k);
        String proj = "prompt_learner.compound_prompt_projections." + k;
        deepVision.add(maybeRound.apply(pk.matMul(p.apply(proj + ".weight").transpose()).add(p.apply(proj + ".bias"))));
        deepText.add(maybeRound.apply(pk));
      }
      int c = CLASSES.size();
      NDArray ids = s.create(l.tokenizedPrompts(), new Shape(c, CTX_LEN));
      NDArray emb = clip.embedTokens(ids);
      long n = ctx.getShape().get(0);
      NDArray text = NDArrays.concat(new NDList(emb.get(new NDIndex(":, :1, :")),
          ctx.expandDims(0).broadcast(c, n, ctx.getShape().get(1)), emb.get(new NDIndex(":, {}:, :", 1 + n))), 1);
      NDArray txt = clip.encodeText(new TextInput(text, ids.argMax(1), deepText), Probe.NONE);
      px.tempAttach(s);
      NDArray img = clip.encodeImage(new VisionInput(px, v0, deepVision), Probe.NONE);
      return clip.logits(img, txt).toFloatArray();
    }
  }

  @Test
  void mapleWithCastsIsTheForwardOnHalfRoundedPrompts() {
    try (NDManager m = NDManager.newBaseManager(); PromptLearner half = learner(MAPLE, true);
        PromptLearner full = learner(MAPLE, false)) {
      NDArray px = TinyClip.pixels(m, clip, 4, 31);
      float[] byHandRounded = mapleByHand(half, px, true);
      float[] byHandExact = mapleByHand(half, px, false);
      assertThat(TinyClip.maxAbsDiff(byHandRounded, byHandExact)).as("rounding shows in the logits")
          .isGreaterThan(1e-5);
      assertThat(TinyClip.maxAbsDiff(TinyClip.logits(half, px), byHandRounded)).as("fp16 casts")
          .isLessThanOrEqualTo(1e-5);
      assertThat(TinyClip.maxAbsDiff(TinyClip.logits(full, px), byHandExact)).as("no casts")
          .isLessThanOrEqualTo(1e-5);
      // float16 rounding only: small against logits of scale exp(logit_scale) ≈ 13.9
      assertThat(TinyClip.maxAbsDiff(TinyClip.logits(half, px), TinyClip.logits(full, px))).isLessThan(1e-2);
    }
  }

  /** IVLP and VPT cast their own parameters: the same as a float32 learner given float16-rounded values. */
  @Test
  void ivlpAndVptWithCastsEqualRoundedParameters() {
    for (MethodConfig c : List.of(IVLP, VPT)) {
      try (NDManager m = NDManager.newBaseManager(); PromptLearner half = learner(c, true);
          PromptLearner rounded = learner(c, false); PromptLearner full = learner(c, false)) {
        for (PromptParameter p : half.parameters()) {
          // IVLP's first-layer text context enters through the fp16 embeddings: not cast
          float[] v = p.name().equals("prompt_learner.ctx") ? p.value().toFloatArray() : round(p.value());
          rounded.setParameter(p.name(), v, p.value().getShape().getShape());
        }
        NDArray px = TinyClip.pixels(m, clip, 4, 32);
        float[] h = TinyClip.logits(half, px);
        assertThat(TinyClip.maxAbsDiff(h, TinyClip.logits(rounded, px))).as(c.method().officialName)
            .isLessThanOrEqualTo(1e-6);
        double d = TinyClip.maxAbsDiff(h, TinyClip.logits(full, px));
        assertThat(d).as(c.method().officialName + " differs from float32 by rounding only").isGreaterThan(0)
            .isLessThan(1e-2);
      }
    }
  }

  @Test
  void gradientsThroughCastsAreFiniteHalfRoundedAndCloseToFloat32() {
    for (MethodConfig c : List.of(MAPLE, IVLP, VPT)) {
      String what = c.method().officialName;
      try (NDManager m = NDManager.newBaseManager(); PromptLearner half = learner(c, true);
          PromptLearner full = learner(c, false)) {
        NDArray px = TinyClip.pixels(m, clip, 4, 33);
        NDArray labels = TinyClip.labels(m, 1, 0, 3, 2);
        Map<String, float[]> gh = TinyClip.step(half, px, labels).grads();
        Map<String, float[]> gf = TinyClip.step(full, px, labels).grads();
        for (String name : gh.keySet()) {
          float[] g = gh.get(name);
          for (float x : g) {
            assertThat(Float.isFinite(x)).as(what + ": " + name + " finite").isTrue();
          }
          assertThat(TinyClip.maxAbs(g)).as(what + ": " + name + " nonzero").isGreaterThan(0);
          assertThat(TinyClip.maxAbsDiff(g, gf.get(name))).as(what + ": " + name + " close to float32")
              .isLessThanOrEqualTo(1e-2 * TinyClip.maxAbs(gf.get(name)));
          // a parameter that only enters through one cast receives the float16-rounded gradient
          boolean castOnly = c.method() != Method.MAPLE && !name.equals("prompt_learner.ctx");
          if (castOnly) {
            assertThat(allHalf(g)).as(what + ": " + name + " gradient is float16-rounded").isTrue();
            assertThat(allHalf(gf.get(name))).as(what + ": " + name + " float32 gradient is not").isFalse();
          }
        }
      }
    }
  }

  /**
   * Without casts there is no boundary: the training step's backward is a plain {@code gc.backward}, and forward
   * passes leave no state behind (a used learner gives a fresh learner's logits).
   */
  @Test
  void withoutCastsThereAreNoBoundaries() {
    for (MethodConfig c : List.of(MAPLE, IVLP, VPT)) {
      String what = c.method().officialName;
      try (NDManager m = NDManager.newBaseManager(); PromptLearner used = learner(c, false);
          PromptLearner plain = learner(c, false); PromptLearner withCasts = learner(c, true)) {
        NDArray px = TinyClip.pixels(m, clip, 3, 34);
        NDArray labels = TinyClip.labels(m, 0, 1, 2);
        Map<String, float[]> viaLearner = TinyClip.step(used, px, labels).grads();
        float[] afterUse = TinyClip.logits(used, px);
        try (PromptLearner fresh = learner(c, false)) {
          assertThat(TinyClip.maxAbsDiff(afterUse, TinyClip.logits(fresh, px))).as(what + ": fresh learner").isZero();
        }
        Map<String, float[]> raw = rawBackward(plain, px, labels);
        Map<String, float[]> rawWithCasts = rawBackward(withCasts, px, labels);
        boolean cutSomewhere = false;
        for (String name : viaLearner.keySet()) {
          assertThat(TinyClip.maxAbsDiff(viaLearner.get(name), raw.get(name))).as(what + ": " + name).isZero();
          cutSomewhere |= TinyClip.maxAbs(rawWithCasts.get(name)) == 0;
        }
        assertThat(cutSomewhere).as(what + ": with casts a plain backward stops at the boundaries").isTrue();
      }
    }
  }

  /** {@code gc.backward(loss)} alone, bypassing {@link PromptLearner#backward}. */
  private static Map<String, float[]> rawBackward(PromptLearner l, NDArray px, NDArray labels) {
    try (NDManager s = px.getManager().newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      px.tempAttach(s);
      labels.tempAttach(s);
      NDArray loss = Loss.crossEntropy(l.logits(px, Probe.NONE), labels);
      gc.backward(loss);
    }
    Map<String, float[]> g = new java.util.LinkedHashMap<>();
    for (PromptParameter p : l.parameters()) {
      try {
        g.put(p.name(), TinyClip.grad(p));
      } catch (IllegalStateException e) { // never reached by the backward pass
        g.put(p.name(), new float[(int) p.value().getShape().size()]);
      }
    }
    l.releaseCasts();
    return g;
  }

  @Test
  void castsRoundTripThroughFloat16() {
    // the helper agrees with libtorch's cast (round to nearest even)
    try (NDManager m = NDManager.newBaseManager()) {
      float[] v = {0.1f, -0.02f, 1.0001f, 3.14159f, 1e-6f, 65504f, 0.33333334f};
      float[] torch;
      try (NDArray a = m.create(v); NDArray h = a.toType(DataType.FLOAT16, true);
          NDArray b = h.toType(DataType.FLOAT32, true)) {
        torch = b.toFloatArray();
      }
      assertThat(TinyClip.roundToHalf(v)).containsExactly(torch);
    }
  }
}
