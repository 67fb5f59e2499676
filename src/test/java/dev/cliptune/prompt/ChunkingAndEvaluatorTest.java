package dev.cliptune.prompt;

import static dev.cliptune.prompt.TinyClip.CLASSES;
import static dev.cliptune.prompt.TinyClip.config;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two ways of computing the same numbers must agree: CoCoOp/MIP's chunked text encoding (every chunk size,
 * image and class chunks) gives the logits, text features and gradients of one big batch; and an
 * {@link Evaluator} (class text features computed once and cached) gives the learner's own logits.
 */
class ChunkingAndEvaluatorTest {
  private static ClipModel clip;
  private static ClipTokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = TinyClip.tokenizer();
    clip = TinyClip.clip();
  }

  // ------------------------------------------------------------------ CoCoOp / MIP chunking

  static Stream<Arguments> imageConditioned() {
    return Stream.of(
        Arguments.of("CoCoOp", config(Method.COCOOP, "N_CTX", 4, "CTX_INIT", "a photo of a")),
        Arguments.of("MIP", config(Method.MIP, "N_CTX", 4)));
  }

  /** Float32 summation order differs between batch shapes: a few ulps of values of size ~4. */
  private static final double TOL = 2e-6;

  /**
   * 3 images × 5 classes = 15 sequences. 1 sequence per call; 2, 3: class chunks with a remainder; 7: all
   * classes of one image; 10: two images per call (remainder one); against the default (one call). The chunked
   * learners are built with the same seed, so they start from the same parameters.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("imageConditioned")
  void chunkedTextEncodingChangesNothing(String what, MethodConfig cfg) {
    try (NDManager m = NDManager.newBaseManager();
        CoCoOp learner = (CoCoOp) PromptLearners.create(clip, tokenizer, CLASSES, cfg)) {
      NDArray px = TinyClip.pixels(m, clip, 3, 8);
      NDArray labels = TinyClip.labels(m, 4, 0, 2);
      Map<String, float[]> ref = TinyClip.probe(learner, px);
      float[] refLogits = TinyClip.logits(learner, px);
      Map<String, float[]> refGrads = TinyClip.step(learner, px, labels).grads();
      assertThat(ref.get("text_features")).as("[B, C, E] text features").hasSize(3 * 5 * clip.config().embedDim());

      for (int chunk : new int[] {1, 2, 3, 7, 10}) {
        try (CoCoOp chunked = cfg.method() == Method.MIP ? new Mip(clip, tokenizer, CLASSES, cfg, chunk)
            : new CoCoOp(clip, tokenizer, CLASSES, cfg, false, chunk)) {
          String at = what + ", " + chunk + " sequences per call";
          assertChunkedEqual(at, chunked, px, labels, ref, refLogits, refGrads);
        }
      }
    }
  }

  private static void assertChunkedEqual(String at, CoCoOp learner, NDArray px, NDArray labels,
      Map<String, float[]> ref, float[] refLogits, Map<String, float[]> refGrads) {
    assertThat(TinyClip.maxAbsDiff(TinyClip.logits(learner, px), refLogits)).as(at + ": logits")
        .isLessThanOrEqualTo(TOL);
    Map<String, float[]> probed = TinyClip.probe(learner, px);
    assertThat(TinyClip.maxAbsDiff(probed.get("text_features"), ref.get("text_features")))
        .as(at + ": text features").isLessThanOrEqualTo(TOL);
    Map<String, float[]> grads = TinyClip.step(learner, px, labels).grads();
    for (PromptParameter p : learner.parameters()) {
      float[] want = refGrads.get(p.name());
      assertThat(TinyClip.maxAbsDiff(grads.get(p.name()), want)).as(at + ": grad " + p.name())
          .isLessThanOrEqualTo(1e-4 * TinyClip.maxAbs(want));
    }
  }

  // ------------------------------------------------------------------ Evaluator

  static Stream<Arguments> everyMethod() {
    return Stream.of(
        Arguments.of("CoOp end", config(Method.COOP, "N_CTX", 4)),
        Arguments.of("CoOp CSC middle", config(Method.COOP, "N_CTX", 3, "CSC", true, "CLASS_TOKEN_POSITION", "middle")),
        Arguments.of("CoCoOp", config(Method.COCOOP, "N_CTX", 4, "CTX_INIT", "a photo of a")),
        Arguments.of("MIP", config(Method.MIP, "N_CTX", 4)),
        Arguments.of("MaPLe", config(Method.MAPLE, "PROMPT_DEPTH", 3)),
        Arguments.of("MaPLe fp16 casts", config(Method.MAPLE, "PROMPT_DEPTH", 3, "FP16_CASTS", true)),
        Arguments.of("MaPLe†", config(Method.MAPLE_SHARED, "PROMPT_DEPTH", 4)),
        Arguments.of("IVLP", config(Method.IVLP, "PROMPT_DEPTH_TEXT", 3, "PROMPT_DEPTH_VISION", 3)),
        Arguments.of("IVLP fp16 casts", config(Method.IVLP, "PROMPT_DEPTH_TEXT", 3, "PROMPT_DEPTH_VISION", 3,
            "FP16_CASTS", true)),
        Arguments.of("deep language", config(Method.IVLP, "N_CTX_TEXT", 4, "PROMPT_DEPTH_TEXT", 4,
            "N_CTX_VISION", 0, "PROMPT_DEPTH_VISION", 0)),
        Arguments.of("VPT", config(Method.VPT, "N_CTX_VISION", 4, "PROMPT_DEPTH_VISION", 3)),
        Arguments.of("VPT fp16 casts", config(Method.VPT, "N_CTX_VISION", 4, "PROMPT_DEPTH_VISION", 3,
            "FP16_CASTS", true)));
  }

  private static float[] evaluate(Evaluator ev, NDArray px) {
    try (NDManager s = px.getManager().newSubManager()) {
      px.tempAttach(s);
      return ev.logits(px).toFloatArray();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyMethod")
  void evaluatorLogitsEqualTheLearnersLogits(String what, MethodConfig cfg) {
    try (NDManager m = NDManager.newBaseManager();
        PromptLearner learner = PromptLearners.create(clip, tokenizer, CLASSES, cfg)) {
      List<NDArray> batches = List.of(TinyClip.pixels(m, clip, 3, 1), TinyClip.pixels(m, clip, 2, 2),
          TinyClip.pixels(m, clip, 4, 3));
      try (Evaluator ev = learner.evaluator()) {
        for (NDArray px : batches) {
          float[] want = TinyClip.logits(learner, px);
          assertThat(TinyClip.maxAbsDiff(evaluate(ev, px), want)).as(what + ": batch of " + px.getShape().get(0))
              .isLessThanOrEqualTo(1e-6);
        }
        NDArray normalised = ev.normalisedTextFeatures();
        if (learner.textDependsOnImage()) {
          assertThat(normalised).isNull();
        } else {
          float[] f = normalised.toFloatArray();
          normalised.close();
          float[] probed = TinyClip.probe(learner, batches.get(0)).get("text_features");
          try (NDArray t = m.create(probed, new ai.djl.ndarray.types.Shape(CLASSES.size(), clip.config().embedDim()));
              NDArray n = ClipModel.l2Normalise(t)) {
            assertThat(TinyClip.maxAbsDiff(f, n.toFloatArray())).as("normalised text features").isLessThanOrEqualTo(1e-6);
          }
        }

        // the cache is real: a stale evaluator keeps the old prompts, a new one follows the change
        PromptParameter p = learner.parameters().get(0);
        float[] changed = p.value().toFloatArray();
        for (int i = 0; i < changed.length; i++) {
          changed[i] += 0.5f * (float) Math.sin(i);
        }
        learner.setParameter(p.name(), changed, p.value().getShape().getShape());
        NDArray px = batches.get(0);
        float[] now = TinyClip.logits(learner, px);
        try (Evaluator fresh = learner.evaluator()) {
          assertThat(TinyClip.maxAbsDiff(evaluate(fresh, px), now)).as(what + ": new evaluator").isLessThanOrEqualTo(1e-6);
        }
        double stale = TinyClip.maxAbsDiff(evaluate(ev, px), now);
        boolean textSide = !p.name().startsWith("image_encoder.");
        if (learner.textDependsOnImage() || !textSide) {
          assertThat(stale).as(what + ": nothing cached for " + p.name()).isLessThanOrEqualTo(1e-6);
        } else {
          assertThat(stale).as(what + ": cached text features do not see " + p.name()).isGreaterThan(1e-4);
        }
      }
    }
  }
}
