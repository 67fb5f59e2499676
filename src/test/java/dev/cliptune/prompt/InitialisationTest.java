package dev.cliptune.prompt;

import static dev.cliptune.prompt.TinyClip.CLASSES;
import static dev.cliptune.prompt.TinyClip.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.train.TrainingStep;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deterministic initialisations on the fixture CLIP (METHODS.md §0, §2–§6): word initialisation from the
 * token embedding table, MIP's meta-initialisation, seeding, and MaPLe's deep-copied coupling maps that
 * then train independently. The distributions of the random draws are checked at ViT-B/16 size in
 * {@link VitB16PromptLearnersTest}.
 */
class InitialisationTest {
  /** A word of two BPE tokens. */
  private static final String W = TinyClip.twoTokenWord();

  /** The model's text context length. */
  private static final int CTX_LEN = TinyClip.contextLength();

  private static ClipModel clip;
  private static ClipTokenizer tokenizer;
  private static float[] table;
  private static int dt;

  @BeforeAll
  static void load() {
    tokenizer = TinyClip.tokenizer();
    clip = TinyClip.clip();
    table = clip.tokenEmbeddingTable().toFloatArray();
    dt = clip.config().text().width();
  }

  /** Rows of the token embedding table for the BPE tokens {@code from..to-1} of {@code text} (after SOT). */
  private static float[] tableRows(String text, int from, int to) {
    long[] ids = tokenizer.tokenize(text, CTX_LEN, false);
    float[] out = new float[(to - from) * dt];
    for (int i = from; i < to; i++) {
      System.arraycopy(table, (int) ids[1 + i] * dt, out, (i - from) * dt, dt);
    }
    return out;
  }

  private static PromptLearner learner(MethodConfig c) {
    return PromptLearners.create(clip, tokenizer, CLASSES, c);
  }

  @Test
  void wordInitialisationIsTheTokenEmbeddingsAfterSot() {
    String init = "a photo of a";
    float[] four = tableRows(init, 0, 4);
    float[] two = tableRows(init, 0, 2);
    // CoOp, CoCoOp, MIP: n_ctx := word count (N_CTX ignored)
    for (Method m : List.of(Method.COOP, Method.COCOOP, Method.MIP)) {
      try (PromptLearner l = learner(config(m, "N_CTX", 16, "CTX_INIT", init))) {
        assertThat(l.initialValue("prompt_learner.ctx")).as(m.officialName).containsExactly(four);
        assertThat(l.parameter("prompt_learner.ctx").value().getShape().getShape()).containsExactly(4, dt);
        assertThat(l.promptTexts().get(1)).isEqualTo("a photo of a Tabby cat.");
      }
    }
    // underscores in CTX_INIT become spaces
    try (PromptLearner l = learner(config(Method.COOP, "CTX_INIT", "a_photo_of_a"))) {
      assertThat(l.initialValue("prompt_learner.ctx")).containsExactly(four);
    }
    // MaPLe and IVLP keep N_CTX and take the first tokens
    try (PromptLearner l = learner(config(Method.MAPLE, "N_CTX", 2, "CTX_INIT", init, "PROMPT_DEPTH", 3))) {
      assertThat(l.initialValue("prompt_learner.ctx")).containsExactly(two);
      assertThat(l.promptTexts().get(0)).isEqualTo("a photo of a golden retriever.");
    }
    try (PromptLearner l = learner(config(Method.IVLP, "N_CTX_TEXT", 2, "CTX_INIT", init, "PROMPT_DEPTH_TEXT", 3,
        "N_CTX_VISION", 2, "PROMPT_DEPTH_VISION", 3))) {
      assertThat(l.initialValue("prompt_learner.ctx")).containsExactly(two);
    }
    try (PromptLearner l = learner(config(Method.IVLP, "N_CTX_TEXT", 4, "CTX_INIT", init, "PROMPT_DEPTH_TEXT", 4,
        "N_CTX_VISION", 0, "PROMPT_DEPTH_VISION", 0))) {
      assertThat(l.initialValue("prompt_learner.ctx")).as("deep language prompting: all four").containsExactly(four);
    }
    // a word of two BPE tokens: the first n_ctx tokens, not the first n_ctx words
    assertThat(tokenizer.encode(W)).as("the tokenizer splits " + W).hasSize(2);
    try (PromptLearner l = learner(config(Method.COOP, "CTX_INIT", W + " of a"))) {
      assertThat(l.initialValue("prompt_learner.ctx")).containsExactly(tableRows(W + " of a", 0, 3));
    }
  }

  @Test
  void mipMetaInitialisationIsTheNormalisedLnFinalScale() {
    float[] g = clip.lnFinalWeight().toFloatArray();
    double norm = 0;
    for (float v : g) {
      norm += (double) v * v;
    }
    norm = Math.sqrt(norm);
    assertThat(norm).as("the fixture's ln_final.weight is not a unit vector").isNotCloseTo(1.0, within(0.1));
    try (PromptLearner l = learner(config(Method.MIP, "TRAINER.MIP.N_CTX", 4, "TRAINER.MIP.CTX_INIT", ""))) {
      float[] ctx = l.initialValue("prompt_learner.ctx");
      assertThat(ctx).hasSize(4 * dt);
      for (int r = 0; r < 4; r++) {
        double rowNorm = 0;
        for (int i = 0; i < dt; i++) {
          float v = ctx[r * dt + i];
          assertThat((double) v).as("row %d, element %d", r, i).isCloseTo(g[i] / norm, within(1e-7));
          rowNorm += (double) v * v;
        }
        assertThat(Math.sqrt(rowNorm)).as("row %d norm", r).isCloseTo(1.0, within(1e-6));
      }
      // meta_features (fp32 mode) starts as ln_final.weight itself
      assertThat(l.initialValue("prompt_learner.meta_features")).containsExactly(g);
    }
    // CoCoOp with the same configuration draws normal(0.02) instead
    try (PromptLearner l = learner(config(Method.COCOOP, "N_CTX", 4, "CTX_INIT", ""))) {
      assertThat(l.initialValue("prompt_learner.ctx")[0]).isNotEqualTo(l.initialValue("prompt_learner.ctx")[dt]);
    }
  }

  private static final List<MethodConfig> RANDOM_CONFIGS = List.of(
      config(Method.COOP, "N_CTX", 4),
      config(Method.COOP, "N_CTX", 4, "CSC", true),
      config(Method.COCOOP, "N_CTX", 4, "CTX_INIT", "a photo of a"),
      config(Method.MIP, "N_CTX", 4),
      config(Method.MAPLE, "PROMPT_DEPTH", 3),
      config(Method.MAPLE_SHARED, "PROMPT_DEPTH", 3),
      config(Method.IVLP, "PROMPT_DEPTH_TEXT", 3, "PROMPT_DEPTH_VISION", 3),
      config(Method.VPT, "N_CTX_VISION", 4, "PROMPT_DEPTH_VISION", 3));

  /** Word-initialised and meta-initialised contexts and MIP's meta_features do not depend on the seed. */
  private static boolean seedIndependent(MethodConfig c, String name) {
    if (name.equals("prompt_learner.meta_features")) {
      return true;
    }
    if (!name.equals("prompt_learner.ctx")) {
      return false;
    }
    return switch (c.method()) {
      case COOP, COCOOP -> c.hasCtxInit();
      case MIP -> true;
      case MAPLE, MAPLE_SHARED -> c.hasCtxInit() && c.nCtx() <= 4;
      case IVLP -> c.hasCtxInit() && c.nCtxText() <= 4;
      default -> false;
    };
  }

  @Test
  void sameSeedSameInitialisationOtherSeedOtherDraws() {
    for (MethodConfig c : RANDOM_CONFIGS) {
      String what = c.method().officialName + " " + c;
      try (PromptLearner a = learner(c); PromptLearner b = learner(c);
          PromptLearner other = learner(c.with("SEED", "7", "test"))) {
        boolean anyRandom = false;
        for (PromptParameter p : a.parameters()) {
          String n = p.name();
          assertThat(b.initialValue(n)).as(what + ": " + n).containsExactly(a.initialValue(n));
          assertThat(p.value().toFloatArray()).as("value equals initialValue").containsExactly(a.initialValue(n));
          if (seedIndependent(c, n)) {
            assertThat(other.initialValue(n)).as(what + ": " + n + " does not depend on the seed")
                .containsExactly(a.initialValue(n));
          } else {
            anyRandom = true;
            assertThat(Arrays.equals(other.initialValue(n), a.initialValue(n))).as(what + ": " + n + " with seed 7")
                .isFalse();
          }
        }
        assertThat(anyRandom).as(what).isTrue();
      }
    }
  }

  @Test
  void mapleCouplingMapsStartIdenticalButTrainIndependently() {
    try (NDManager m = NDManager.newBaseManager();
        PromptLearner l = learner(config(Method.MAPLE, "N_CTX", 2, "PROMPT_DEPTH", 4))) {
      String w = "prompt_learner.compound_prompt_projections.%d.weight";
      for (int k = 1; k < 3; k++) {
        assertThat(l.initialValue(w.formatted(k))).containsExactly(l.initialValue(w.formatted(0)));
        assertThat(l.initialValue(w.formatted(k).replace("weight", "bias")))
            .containsExactly(l.initialValue(w.formatted(0).replace("weight", "bias")));
      }
      NDArray px = TinyClip.pixels(m, clip, 4, 11);
      NDArray labels = TinyClip.labels(m, 0, 1, 2, 3);
      try (TrainingStep step = new TrainingStep(l, 0.9, 5e-4)) {
        step.onGradients(ps -> assertThat(TinyClip.grad(l.parameter(w.formatted(0)))).as(
            "different text prompts give different gradients").isNotEqualTo(TinyClip.grad(l.parameter(w.formatted(1)))));
        step.run(px, labels, 0.1);
      }
      Map<String, float[]> after = TinyClip.values(l);
      for (int k = 0; k < 3; k++) {
        assertThat(after.get(w.formatted(k))).as("k = %d moved", k).isNotEqualTo(l.initialValue(w.formatted(k)));
        for (int j = 0; j < k; j++) {
          assertThat(after.get(w.formatted(k))).as("k = %d vs %d", k, j).isNotEqualTo(after.get(w.formatted(j)));
        }
      }
    }
  }
}
