package dev.cliptune.prompt;

import static dev.cliptune.prompt.TinyClip.CLASSES;
import static dev.cliptune.prompt.TinyClip.config;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.train.TrainingStep;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The frozen CLIP (METHODS.md §0): training any method for a few SGD steps changes its prompt parameters and
 * nothing of the model. Every array the model holds is found by walking its fields (and its transformers'
 * blocks), compared bit for bit with the loaded weights, and must never carry a gradient; the plain encoders
 * give bit-identical features before and after.
 */
class FrozenClipTest {
  /** A word of two BPE tokens. */
  private static final String W = TinyClip.twoTokenWord();

  /** The model's text context length. */
  private static final int CTX_LEN = TinyClip.contextLength();

  private static ClipWeights weights;
  private static ClipModel clip;
  private static ClipTokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = TinyClip.tokenizer();
    weights = TinyClip.weights();
    clip = TinyClip.clip();
  }

  static Stream<Arguments> methods() {
    return Stream.of(
        Arguments.of("CoOp", config(Method.COOP, "N_CTX", 4)),
        Arguments.of("CoOp CSC front", config(Method.COOP, "N_CTX", 4, "CSC", true, "CLASS_TOKEN_POSITION", "front")),
        Arguments.of("CoCoOp", config(Method.COCOOP, "N_CTX", 4, "CTX_INIT", "a photo of a")),
        Arguments.of("MIP (trains its own ln_final scale)", config(Method.MIP, "N_CTX", 4)),
        Arguments.of("MaPLe", config(Method.MAPLE, "PROMPT_DEPTH", 3)),
        Arguments.of("MaPLe†", config(Method.MAPLE_SHARED, "PROMPT_DEPTH", 4)),
        Arguments.of("MaPLe with fp16 casts", config(Method.MAPLE, "PROMPT_DEPTH", 3, "FP16_CASTS", true)),
        Arguments.of("IVLP", config(Method.IVLP, "PROMPT_DEPTH_TEXT", 3, "PROMPT_DEPTH_VISION", 3)),
        Arguments.of("deep language", config(Method.IVLP, "N_CTX_TEXT", 4, "PROMPT_DEPTH_TEXT", 4,
            "N_CTX_VISION", 0, "PROMPT_DEPTH_VISION", 0)),
        Arguments.of("VPT", config(Method.VPT, "N_CTX_VISION", 4, "PROMPT_DEPTH_VISION", 3)));
  }

  // ------------------------------------------------------------------ the model's arrays

  /** Every NDArray reachable from {@code root} through fields, records and collections of cliptune classes. */
  static List<NDArray> arraysOf(Object root) {
    List<NDArray> out = new ArrayList<>();
    walk(root, out, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
    return out;
  }

  private static void walk(Object o, List<NDArray> out, Set<Object> seen) {
    if (o == null || !seen.add(o)) {
      return;
    }
    if (o instanceof NDArray a) {
      out.add(a);
      return;
    }
    if (o instanceof Iterable<?> it) {
      it.forEach(x -> walk(x, out, seen));
      return;
    }
    if (!o.getClass().getName().startsWith("dev.cliptune.") || o instanceof Enum<?>) {
      return;
    }
    for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
          continue;
        }
        f.setAccessible(true);
        try {
          walk(f.get(o), out, seen);
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
  }

  /** The model's arrays by OpenAI weight name (each array was created with its name). */
  private static Map<String, NDArray> namedModelArrays() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (NDArray a : arraysOf(clip)) {
      if (a.getName() != null && weights.has(a.getName())) {
        out.put(a.getName(), a);
      }
    }
    return out;
  }

  @Test
  void theWalkReachesEveryWeightOfTheModel() {
    Map<String, NDArray> named = namedModelArrays();
    // all but logit_scale, which the model holds as a float
    assertThat(named.keySet()).hasSize(weights.tensors().size() - 1)
        .contains("token_embedding.weight", "ln_final.weight", "visual.transformer.resblocks.3.mlp.c_proj.bias",
            "transformer.resblocks.0.attn.in_proj_weight", "text_projection", "visual.proj");
    assertThat(named.get("token_embedding.weight")).isSameAs(clip.tokenEmbeddingTable());
    assertThat(named.get("ln_final.weight")).isSameAs(clip.lnFinalWeight());
  }

  private static void assertModelUnchangedAndGradientFree(String when) {
    for (NDArray a : arraysOf(clip)) {
      assertThat(a.hasGradient()).as(when + ": " + a.getName() + " has a gradient").isFalse();
    }
    for (Map.Entry<String, NDArray> e : namedModelArrays().entrySet()) {
      FloatTensor w = weights.get(e.getKey());
      assertThat(Arrays.equals(e.getValue().toFloatArray(), w.data())).as(when + ": " + e.getKey() + " unchanged")
          .isTrue();
    }
  }

  // ------------------------------------------------------------------ training leaves it alone

  private static float[][] plainFeatures(NDManager m, NDArray px) {
    long[] ids = new long[3 * CTX_LEN];
    String[] texts = {"a photo of a dog.", "X X X X tabby cat.", W + " of a golden retriever."};
    for (int k = 0; k < texts.length; k++) {
      System.arraycopy(tokenizer.tokenize(texts[k], CTX_LEN, false), 0, ids, k * CTX_LEN, CTX_LEN);
    }
    try (NDManager s = m.newSubManager()) {
      px.tempAttach(s);
      float[] img = clip.encodeImage(px).toFloatArray();
      float[] txt = clip.encodeText(s.create(ids, new Shape(3, CTX_LEN))).toFloatArray();
      return new float[][] {img, txt};
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void sgdStepsTrainThePromptsAndLeaveClipFrozen(String what, MethodConfig cfg) {
    try (NDManager m = NDManager.newBaseManager();
        PromptLearner learner = PromptLearners.create(clip, tokenizer, CLASSES, cfg);
        TrainingStep step = new TrainingStep(learner, 0.9, 5e-4)) {
      NDArray px = TinyClip.pixels(m, clip, 4, 21);
      NDArray labels = TinyClip.labels(m, 0, 1, 2, 3);
      float[][] before = plainFeatures(m, px);
      Map<String, float[]> start = TinyClip.values(learner);
      for (int i = 0; i < 3; i++) {
        String after = what + ", after backward " + i;
        step.onGradients(ps -> assertModelUnchangedAndGradientFree(after));
        step.run(px, labels, 0.05);
      }
      for (PromptParameter p : learner.parameters()) {
        assertThat(p.value().toFloatArray()).as(what + ": " + p.name() + " trained")
            .isNotEqualTo(start.get(p.name()));
      }
      assertModelUnchangedAndGradientFree(what + ", after 3 steps");
      float[][] after = plainFeatures(m, px);
      assertThat(Arrays.equals(after[0], before[0])).as("image features of the plain encoder").isTrue();
      assertThat(Arrays.equals(after[1], before[1])).as("text features of the plain encoder").isTrue();
      if (cfg.method() == Method.MIP) {
        // the fp32 mode trains meta_features = ln_final.weight; the learner holds its own copy
        assertThat(learner.parameter("prompt_learner.meta_features").value().toFloatArray())
            .isNotEqualTo(clip.lnFinalWeight().toFloatArray());
      }
    }
  }
}
