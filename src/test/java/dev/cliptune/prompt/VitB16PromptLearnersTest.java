package dev.cliptune.prompt;

import static dev.cliptune.prompt.TinyClip.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Prompt learners at ViT-B/16 dimensions (a randomly weighted model; no forward/backward passes beyond VPT's
 * one-off class text features): the trainable counts of METHODS.md §8 from the official configuration keys
 * of §7, and the distributions of the random initialisations (§0). Word-initialised configurations use the
 * fixture tokenizer, whose vocabulary has CLIP's size.
 */
class VitB16PromptLearnersTest {
  private static final List<String> CLASSES = List.of("dog", "tabby cat", "golden_retriever", "airliner",
      "sunflower", "oxford_flower", "Mercedes-Benz 300SL");
  private static ClipModel clip;
  private static ClipTokenizer tokenizer;

  @BeforeAll
  static void build() {
    tokenizer = TinyClip.tokenizer(); // skips without ../shared
    clip = ClipModel.create(ClipWeights.random(ClipConfig.vitB16(), 0));
  }

  @AfterAll
  static void release() {
    if (clip != null) {
      clip.close();
    }
  }

  private static PromptLearner learner(MethodConfig c) {
    return PromptLearners.create(clip, tokenizer, CLASSES, c);
  }

  private static long count(MethodConfig c) {
    try (PromptLearner l = learner(c)) {
      return l.trainableCount();
    }
  }

  private static long count(PromptLearner l, Predicate<String> names) {
    return l.parameters().stream().filter(p -> names.test(p.name())).mapToLong(p -> p.value().getShape().size()).sum();
  }

  // ------------------------------------------------------------------ METHODS.md §8

  @Test
  void coopCounts() {
    assertThat(count(config(Method.COOP, "TRAINER.COOP.N_CTX", 16, "TRAINER.COOP.CSC", "False",
        "TRAINER.COOP.CTX_INIT", "", "TRAINER.COOP.CLASS_TOKEN_POSITION", "end", "TRAINER.COOP.PREC", "fp16")))
        .as("CoOp, 16 generic tokens").isEqualTo(8_192);
    assertThat(count(config(Method.COOP, "TRAINER.COOP.N_CTX", 16, "TRAINER.COOP.CTX_INIT", "a photo of a")))
        .as("CoOp vit_b16_ctxv1: 4 word-initialised tokens, N_CTX ignored").isEqualTo(2_048);
    assertThat(count(config(Method.COOP, "TRAINER.COOP.N_CTX", 16, "TRAINER.COOP.CSC", "True")))
        .as("CoOp CSC, 16 tokens").isEqualTo(8_192L * CLASSES.size());
    assertThat(count(config(Method.COOP, "TRAINER.COOP.N_CTX", 16, "TRAINER.COOP.CSC", "True",
        "TRAINER.COOP.CTX_INIT", "a photo of a"))).as("CSC is ignored with CTX_INIT").isEqualTo(2_048);
  }

  @Test
  void cocoopAndMipCounts() {
    for (String init : List.of("a photo of a", "")) {
      assertThat(count(config(Method.COCOOP, "TRAINER.COCOOP.N_CTX", 4, "TRAINER.COCOOP.CTX_INIT", init,
          "TRAINER.COCOOP.PREC", "fp16"))).as("CoCoOp 4 tokens, init '%s'", init).isEqualTo(35_360);
    }
    try (PromptLearner l = learner(config(Method.COCOOP, "TRAINER.COCOOP.N_CTX", 4,
        "TRAINER.COCOOP.CTX_INIT", "a photo of a"))) {
      assertThat(count(l, n -> n.equals("prompt_learner.ctx"))).isEqualTo(2_048);
      assertThat(count(l, n -> n.contains("meta_net"))).isEqualTo(33_312);
    }
    assertThat(count(config(Method.COCOOP, "TRAINER.COCOOP.N_CTX", 16, "TRAINER.COCOOP.CTX_INIT", "")))
        .as("CoCoOp 16 tokens").isEqualTo(41_504);

    // MIP: the official fp16 runs keep meta_features a frozen copy; the fp32 mode trains ln_final.weight too
    assertThat(count(config(Method.MIP, "TRAINER.MIP.N_CTX", 4, "TRAINER.MIP.CTX_INIT", "a photo of a",
        "MIP_SHARED_LN_FINAL", false))).isEqualTo(35_360);
    assertThat(count(config(Method.MIP, "TRAINER.MIP.N_CTX", 4, "TRAINER.MIP.CTX_INIT", "",
        "MIP_SHARED_LN_FINAL", false))).isEqualTo(35_360);
    assertThat(count(config(Method.MIP, "TRAINER.MIP.N_CTX", 16, "TRAINER.MIP.CTX_INIT", "",
        "MIP_SHARED_LN_FINAL", false))).isEqualTo(41_504);
    assertThat(count(config(Method.MIP, "TRAINER.MIP.N_CTX", 16, "TRAINER.MIP.CTX_INIT", "",
        "MIP_SHARED_LN_FINAL", true))).isEqualTo(41_504 + 512);
    assertThat(count(config(Method.MIP, "TRAINER.MIP.N_CTX", 4, "TRAINER.MIP.CTX_INIT", "a photo of a",
        "MIP_SHARED_LN_FINAL", true))).isEqualTo(35_360 + 512);
    assertThat(count(config(Method.MIP))).as("MIP defaults: N_CTX 16, fp32 mode").isEqualTo(41_504 + 512);
  }

  @Test
  void mapleCounts() {
    try (PromptLearner l = learner(config(Method.MAPLE, "TRAINER.MAPLE.N_CTX", 2,
        "TRAINER.MAPLE.CTX_INIT", "a photo of a", "TRAINER.MAPLE.PROMPT_DEPTH", 9, "TRAINER.MAPLE.PREC", "fp16"))) {
      assertThat(l.trainableCount()).isEqualTo(3_555_072);
      assertThat(count(l, n -> n.equals("prompt_learner.ctx"))).isEqualTo(1_024);
      assertThat(count(l, n -> n.startsWith("prompt_learner.proj."))).isEqualTo(393_984);
      assertThat(count(l, n -> n.startsWith("prompt_learner.compound_prompts_text."))).isEqualTo(8_192);
      assertThat(count(l, n -> n.startsWith("prompt_learner.compound_prompt_projections."))).isEqualTo(3_151_872);
      assertThat(l.parameters()).hasSize(1 + 2 + 8 + 16);
      assertThat(l.checkpointModule()).isEqualTo("MultiModalPromptLearner");
    }
    assertThat(count(config(Method.MAPLE, "TRAINER.MAPLE.N_CTX", 2, "TRAINER.MAPLE.CTX_INIT", "a photo of a",
        "TRAINER.MAPLE.PROMPT_DEPTH", 3))).as("cross-dataset J=3").isEqualTo(1_185_024);
    assertThat(count(config(Method.MAPLE, "TRAINER.MAPLE.PROMPT_DEPTH", 1))).as("shallow J=1").isEqualTo(395_008);
    assertThat(count(config(Method.MAPLE_SHARED, "TRAINER.MAPLE.N_CTX", 2, "TRAINER.MAPLE.CTX_INIT", "a photo of a",
        "TRAINER.MAPLE.PROMPT_DEPTH", 9))).as("MaPLe† J=9").isEqualTo(403_200);
    assertThat(count(config(Method.MAPLE))).as("MaPLe defaults = the published config").isEqualTo(3_555_072);
  }

  @Test
  void independentPromptingCounts() {
    try (PromptLearner l = learner(config(Method.IVLP, "TRAINER.IVLP.N_CTX_TEXT", 2, "TRAINER.IVLP.N_CTX_VISION", 2,
        "TRAINER.IVLP.PROMPT_DEPTH_TEXT", 12, "TRAINER.IVLP.PROMPT_DEPTH_VISION", 12,
        "TRAINER.IVLP.CTX_INIT", "a photo of a", "TRAINER.IVLP.PREC", "fp16"))) {
      assertThat(l.trainableCount()).as("IVLP 2+2").isEqualTo(30_720);
      assertThat(count(l, n -> n.startsWith("prompt_learner.") || n.startsWith("text_encoder."))).isEqualTo(12_288);
      assertThat(count(l, n -> n.startsWith("image_encoder."))).isEqualTo(18_432);
    }
    assertThat(count(config(Method.IVLP, "TRAINER.IVLP.N_CTX_TEXT", 4, "TRAINER.IVLP.PROMPT_DEPTH_TEXT", 12,
        "TRAINER.IVLP.N_CTX_VISION", 0, "TRAINER.IVLP.PROMPT_DEPTH_VISION", 0)))
        .as("deep language prompting").isEqualTo(24_576);
    assertThat(count(config(Method.VPT, "TRAINER.VPT.N_CTX_VISION", 8, "TRAINER.VPT.PROMPT_DEPTH_VISION", 12,
        "TRAINER.VPT.PREC", "fp16"))).as("deep VPT").isEqualTo(73_728);
  }

  // ------------------------------------------------------------------ METHODS.md §0 initialisations

  /** Pools the initial values of the parameters whose names match. */
  private static float[] initial(PromptLearner l, Predicate<String> names) {
    List<float[]> parts = new ArrayList<>();
    for (PromptParameter p : l.parameters()) {
      if (names.test(p.name())) {
        parts.add(l.initialValue(p.name()));
      }
    }
    int n = parts.stream().mapToInt(a -> a.length).sum();
    float[] out = new float[n];
    int o = 0;
    for (float[] a : parts) {
      System.arraycopy(a, 0, out, o, a.length);
      o += a.length;
    }
    return out;
  }

  private static double mean(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double std(float[] v) {
    double m = mean(v);
    double s = 0;
    for (float x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }

  /** Gaussian N(0, 0.02): sample std within 10 %, mean within 5 standard errors, 68 % inside one σ. */
  private static void assertNormal002(float[] v, String what) {
    assertThat(v.length).as(what + ": sample size").isGreaterThanOrEqualTo(5_000);
    assertThat(std(v)).as(what + ": std").isBetween(0.018, 0.022);
    assertThat(Math.abs(mean(v))).as(what + ": |mean|").isLessThan(5 * 0.02 / Math.sqrt(v.length));
    long inside = 0;
    for (float x : v) {
      if (Math.abs(x) < 0.02) {
        inside++;
      }
    }
    // 0.683 for a Gaussian, 0.577 for a uniform of the same std
    assertThat((double) inside / v.length).as(what + ": fraction within one σ").isBetween(0.65, 0.71);
  }

  /** PyTorch Linear default U(±1/√fanIn): inside the bound, reaching it, and flat (4 equal bins) when large. */
  private static void assertLinearDefault(float[] v, int fanIn, String what) {
    double bound = 1 / Math.sqrt(fanIn);
    assertThat(TinyClip.maxAbs(v)).as(what + ": max |x| ≤ 1/√" + fanIn).isLessThanOrEqualTo(bound);
    // P(max |x| < q·bound) = q^n for a uniform sample
    assertThat(TinyClip.maxAbs(v)).as(what + ": reaches the bound").isGreaterThan((v.length >= 500 ? 0.95 : 0.5) * bound);
    if (v.length >= 5_000) {
      assertThat(Math.abs(mean(v))).as(what + ": |mean|").isLessThan(5 * bound / Math.sqrt(3 * v.length));
      assertThat(std(v)).as(what + ": std = bound/√3").isBetween(0.95 * bound / Math.sqrt(3), 1.05 * bound / Math.sqrt(3));
      int[] bins = new int[4];
      for (float x : v) {
        bins[Math.min(3, (int) ((x / bound + 1) * 2))]++;
      }
      for (int b : bins) {
        assertThat((double) b / v.length).as(what + ": quarter of the range").isBetween(0.23, 0.27);
      }
    }
  }

  @Test
  void normalInitialisationsHaveStd002() {
    try (PromptLearner l = learner(config(Method.COOP, "TRAINER.COOP.N_CTX", 16))) {
      assertNormal002(initial(l, n -> true), "CoOp ctx");
    }
    try (PromptLearner l = learner(config(Method.COOP, "TRAINER.COOP.N_CTX", 16, "TRAINER.COOP.CSC", true))) {
      assertNormal002(initial(l, n -> true), "CoOp CSC ctx");
    }
    try (PromptLearner l = learner(config(Method.COCOOP, "TRAINER.COCOOP.N_CTX", 16, "TRAINER.COCOOP.CTX_INIT", ""))) {
      assertNormal002(initial(l, n -> n.equals("prompt_learner.ctx")), "CoCoOp ctx");
    }
    try (PromptLearner l = learner(config(Method.MAPLE))) {
      assertNormal002(initial(l, n -> n.contains("compound_prompts_text")), "MaPLe compound_prompts_text");
    }
    try (PromptLearner l = learner(config(Method.MAPLE, "TRAINER.MAPLE.N_CTX", 16, "TRAINER.MAPLE.PROMPT_DEPTH", 1))) {
      assertNormal002(initial(l, n -> n.equals("prompt_learner.ctx")), "MaPLe ctx with N_CTX > 4");
    }
    try (PromptLearner l = learner(config(Method.IVLP, "TRAINER.IVLP.PROMPT_DEPTH_TEXT", 12,
        "TRAINER.IVLP.PROMPT_DEPTH_VISION", 12))) {
      assertNormal002(initial(l, n -> n.startsWith("text_encoder.")), "IVLP text VPT_shallow");
      assertNormal002(initial(l, n -> n.startsWith("image_encoder.")), "IVLP vision VPT, VPT_shallow");
    }
    try (PromptLearner l = learner(config(Method.VPT, "TRAINER.VPT.N_CTX_VISION", 8,
        "TRAINER.VPT.PROMPT_DEPTH_VISION", 12))) {
      assertNormal002(l.initialValue("image_encoder.VPT"), "image_encoder.VPT");
      assertNormal002(initial(l, n -> true), "VPT all");
    }
  }

  @Test
  void linearLayersHavePyTorchsDefaultInitialisation() {
    try (PromptLearner l = learner(config(Method.COCOOP, "TRAINER.COCOOP.N_CTX", 4))) {
      // linear1: 512 → 32, linear2: 32 → 512; weight and bias both bounded by 1/√in_features
      assertLinearDefault(l.initialValue("prompt_learner.meta_net.linear1.weight"), 512, "linear1.weight");
      assertLinearDefault(l.initialValue("prompt_learner.meta_net.linear1.bias"), 512, "linear1.bias");
      assertLinearDefault(l.initialValue("prompt_learner.meta_net.linear2.weight"), 32, "linear2.weight");
      assertLinearDefault(l.initialValue("prompt_learner.meta_net.linear2.bias"), 32, "linear2.bias");
    }
    try (PromptLearner l = learner(config(Method.MAPLE, "TRAINER.MAPLE.PROMPT_DEPTH", 3))) {
      for (String name : List.of("prompt_learner.proj", "prompt_learner.compound_prompt_projections.0",
          "prompt_learner.compound_prompt_projections.1")) {
        assertLinearDefault(l.initialValue(name + ".weight"), 512, name + ".weight");
        assertLinearDefault(l.initialValue(name + ".bias"), 512, name + ".bias");
      }
      assertThat(l.parameter("prompt_learner.proj.weight").value().getShape().getShape())
          .containsExactly(768, 512);
    }
  }

  @Test
  void mapleProjectionsStartAsDeepCopiesOfOneDraw() {
    try (PromptLearner l = learner(config(Method.MAPLE))) {
      for (String part : List.of(".weight", ".bias")) {
        float[] first = l.initialValue("prompt_learner.compound_prompt_projections.0" + part);
        for (int k = 1; k < 8; k++) {
          // (Arrays.equals: AssertJ's containsExactly is too slow for 393,216 values)
          assertThat(Arrays.equals(l.initialValue("prompt_learner.compound_prompt_projections." + k + part), first))
              .as("projection %d%s equals projection 0", k, part).isTrue();
        }
        assertThat(Arrays.equals(l.initialValue("prompt_learner.proj" + part), first)).as("proj is its own draw")
            .isFalse();
      }
      // separate storage
      assertThat(l.parameter("prompt_learner.compound_prompt_projections.0.weight").value())
          .isNotSameAs(l.parameter("prompt_learner.compound_prompt_projections.1.weight").value());
    }
  }

  @Test
  void mipMetaInitialisationAtFullWidth() {
    try (PromptLearner l = learner(config(Method.MIP, "TRAINER.MIP.N_CTX", 4))) {
      float[] ctx = l.initialValue("prompt_learner.ctx");
      float[] g = clip.lnFinalWeight().toFloatArray();
      assertThat(ctx).hasSize(4 * 512);
      for (int r = 0; r < 4; r++) {
        double norm = 0;
        for (int i = 0; i < 512; i++) {
          norm += (double) ctx[r * 512 + i] * ctx[r * 512 + i];
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
      }
      // the random model's LayerNorm scales are all 1: u = 1/√512 everywhere
      assertThat(g[0]).isEqualTo(1f);
      assertThat((double) ctx[77]).isCloseTo(1 / Math.sqrt(512), org.assertj.core.data.Offset.offset(1e-7));
    }
  }

  @Test
  void configurationsBuildTheDocumentedShapes() {
    try (PromptLearner l = learner(config(Method.IVLP, "TRAINER.IVLP.N_CTX_TEXT", 2, "TRAINER.IVLP.N_CTX_VISION", 2,
        "TRAINER.IVLP.PROMPT_DEPTH_TEXT", 12, "TRAINER.IVLP.PROMPT_DEPTH_VISION", 12))) {
      Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
      l.parameters().forEach(p -> shapes.put(p.name(), p.value().getShape().getShape()));
      assertThat(shapes.get("prompt_learner.ctx")).containsExactly(2, 512);
      assertThat(shapes.get("text_encoder.transformer.resblocks.11.VPT_shallow")).containsExactly(2, 512);
      assertThat(shapes.get("image_encoder.VPT")).containsExactly(2, 768);
      assertThat(shapes.get("image_encoder.transformer.resblocks.11.VPT_shallow")).containsExactly(2, 768);
      assertThat(shapes).doesNotContainKeys("text_encoder.transformer.resblocks.0.VPT_shallow",
          "image_encoder.transformer.resblocks.0.VPT_shallow", "text_encoder.transformer.resblocks.12.VPT_shallow");
    }
  }
}
