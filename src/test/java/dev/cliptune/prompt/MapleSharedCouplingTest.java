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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MaPLe† (METHODS.md §4, one coupling function shared by every depth) is defined by this equivalence: it is
 * MaPLe whose coupling maps {@code compound_prompt_projections.k} all equal {@code proj}. Same forward; and
 * because the one function is used at every depth, its gradient is the sum of the per-depth gradients.
 */
class MapleSharedCouplingTest {
  private static final int DEPTH = 4; // the fixture's 4 layers: ctx + 3 deep prompts
  private static ClipModel clip;
  private static ClipTokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = TinyClip.tokenizer();
    clip = TinyClip.clip();
  }

  private static PromptLearner dagger() {
    return PromptLearners.create(clip, tokenizer, CLASSES, config(Method.MAPLE_SHARED,
        "TRAINER.MAPLE.N_CTX", 2, "TRAINER.MAPLE.CTX_INIT", "a photo of a", "TRAINER.MAPLE.PROMPT_DEPTH", DEPTH));
  }

  /** MaPLe with another seed (so nothing coincides by construction), then given MaPLe†'s shared parameters. */
  private static PromptLearner mapleWithDaggersParameters(PromptLearner dagger) {
    PromptLearner maple = PromptLearners.create(clip, tokenizer, CLASSES, config(Method.MAPLE,
        "TRAINER.MAPLE.N_CTX", 2, "TRAINER.MAPLE.CTX_INIT", "a photo of a", "TRAINER.MAPLE.PROMPT_DEPTH", DEPTH,
        "SEED", 99));
    TinyClip.copyParameters(dagger, maple);
    return maple;
  }

  private static void setProjectionsToProj(PromptLearner dagger, PromptLearner maple) {
    PromptParameter w = dagger.parameter("prompt_learner.proj.weight");
    PromptParameter b = dagger.parameter("prompt_learner.proj.bias");
    for (int k = 0; k < DEPTH - 1; k++) {
      String name = "prompt_learner.compound_prompt_projections." + k;
      maple.setParameter(name + ".weight", w.value().toFloatArray(), w.value().getShape().getShape());
      maple.setParameter(name + ".bias", b.value().toFloatArray(), b.value().getShape().getShape());
    }
  }

  @Test
  void daggerHasOneCouplingFunctionAndTheTextSideOfMaple() {
    try (PromptLearner d = dagger(); PromptLearner m = mapleWithDaggersParameters(d)) {
      List<String> daggerNames = d.parameters().stream().map(PromptParameter::name).toList();
      assertThat(daggerNames).containsExactly("prompt_learner.ctx", "prompt_learner.proj.weight",
          "prompt_learner.proj.bias", "prompt_learner.compound_prompts_text.0", "prompt_learner.compound_prompts_text.1",
          "prompt_learner.compound_prompts_text.2");
      assertThat(daggerNames).noneMatch(n -> n.contains("compound_prompt_projections"));
      List<String> mapleNames = m.parameters().stream().map(PromptParameter::name).toList();
      assertThat(mapleNames).containsAll(daggerNames).hasSize(daggerNames.size() + 2 * (DEPTH - 1));
      assertThat(d.config().method()).isEqualTo(Method.MAPLE_SHARED);
    }
  }

  @Test
  void daggerEqualsMapleWhoseProjectionsAreAllProj() {
    try (NDManager nd = NDManager.newBaseManager(); PromptLearner d = dagger();
        PromptLearner m = mapleWithDaggersParameters(d)) {
      NDArray px = TinyClip.pixels(nd, clip, 4, 3);
      Map<String, float[]> dp = TinyClip.probe(d, px);
      float[] daggerLogits = TinyClip.logits(d, px);
      // with MaPLe's own coupling maps the outputs differ: the deep visual prompts matter
      double before = TinyClip.maxAbsDiff(TinyClip.logits(m, px), daggerLogits);
      assertThat(before).as("MaPLe with its own projections").isGreaterThan(1e-3);

      setProjectionsToProj(d, m);
      Map<String, float[]> mp = TinyClip.probe(m, px);
      for (int k = 0; k < DEPTH - 1; k++) {
        String name = "maple_visual_deep_prompts." + k;
        assertThat(TinyClip.maxAbsDiff(mp.get(name), dp.get(name))).as(name).isZero();
      }
      assertThat(TinyClip.maxAbsDiff(TinyClip.logits(m, px), daggerLogits)).as("logits").isLessThanOrEqualTo(1e-6);
    }
  }

  @Test
  void theSharedFunctionsGradientSumsTheGradientsOfEveryDepth() {
    try (NDManager nd = NDManager.newBaseManager(); PromptLearner d = dagger();
        PromptLearner m = mapleWithDaggersParameters(d)) {
      setProjectionsToProj(d, m);
      NDArray px = TinyClip.pixels(nd, clip, 4, 5);
      NDArray labels = TinyClip.labels(nd, 0, 2, 4, 1);
      TinyClip.Step sd = TinyClip.step(d, px, labels);
      TinyClip.Step sm = TinyClip.step(m, px, labels);
      assertThat(sm.loss()).isCloseTo(sd.loss(), org.assertj.core.data.Offset.offset(1e-6f));
      Map<String, float[]> gd = sd.grads();
      Map<String, float[]> gm = sm.grads();
      for (String part : List.of(".weight", ".bias")) {
        float[] sum = gm.get("prompt_learner.proj" + part).clone();
        for (int k = 0; k < DEPTH - 1; k++) {
          float[] gk = gm.get("prompt_learner.compound_prompt_projections." + k + part);
          assertThat(TinyClip.maxAbs(gk)).as("depth %d contributes", k + 1).isGreaterThan(0);
          for (int i = 0; i < sum.length; i++) {
            sum[i] += gk[i];
          }
        }
        float[] shared = gd.get("prompt_learner.proj" + part);
        double tol = 1e-5 * TinyClip.maxAbs(shared);
        assertThat(TinyClip.maxAbsDiff(shared, sum)).as("proj%s grad = Σ depths", part).isLessThanOrEqualTo(tol);
        assertThat(TinyClip.maxAbsDiff(shared, gm.get("prompt_learner.proj" + part)))
            .as("proj%s grad is more than the first depth's", part).isGreaterThan(100 * tol);
      }
      for (String name : List.of("prompt_learner.ctx", "prompt_learner.compound_prompts_text.0",
          "prompt_learner.compound_prompts_text.2")) {
        float[] a = gd.get(name);
        assertThat(TinyClip.maxAbsDiff(a, gm.get(name))).as(name).isLessThanOrEqualTo(1e-5 * TinyClip.maxAbs(a));
      }
    }
  }
}
