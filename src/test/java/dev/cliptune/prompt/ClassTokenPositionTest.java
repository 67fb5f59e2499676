package dev.cliptune.prompt;

import static dev.cliptune.prompt.TinyClip.CLASSES;
import static dev.cliptune.prompt.TinyClip.config;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.train.TrainingStep;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CoOp's class-token positions (METHODS.md §2): the rows entering the text encoder (probe
 * {@code prompt_embeddings}) against an independent construction from the token embedding table — SOT, the
 * context rows and the rows of the {@code end} text after the context ({@code S}), split at the class-name
 * length {@code L}: end {@code [SOT, ctx, S]}, middle {@code [SOT, ctx[:h], S[:L], ctx[h:], S[L:]]}, front
 * {@code [SOT, S[:L], ctx, S[L:]]}.
 */
class ClassTokenPositionTest {
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

  private static float[] tokenRow(long id) {
    float[] r = new float[dt];
    System.arraycopy(table, (int) id * dt, r, 0, dt);
    return r;
  }

  private static float[] ctxRow(float[] ctx, boolean csc, int k, int n, int i) {
    float[] r = new float[dt];
    System.arraycopy(ctx, ((csc ? k * n : 0) + i) * dt, r, 0, dt);
    return r;
  }

  /** The documented layout, built from the token ids of {@code "<prefix> <name>."} and the context values. */
  private static float[] expected(String prefix, int n, ClassTokenPosition pos, float[] ctx, boolean csc) {
    List<float[]> rows = new ArrayList<>();
    int h = n / 2;
    for (int k = 0; k < CLASSES.size(); k++) {
      String name = CLASSES.get(k).replace('_', ' ');
      long[] ids = tokenizer.tokenize(prefix + " " + name + ".", CTX_LEN, false);
      int len = tokenizer.encode(name).length;
      List<float[]> s = new ArrayList<>();
      for (int r = 1 + n; r < CTX_LEN; r++) {
        s.add(tokenRow(ids[r]));
      }
      rows.add(tokenRow(ids[0]));
      switch (pos) {
        case END -> {
          for (int i = 0; i < n; i++) {
            rows.add(ctxRow(ctx, csc, k, n, i));
          }
          rows.addAll(s);
        }
        case MIDDLE -> {
          for (int i = 0; i < h; i++) {
            rows.add(ctxRow(ctx, csc, k, n, i));
          }
          rows.addAll(s.subList(0, len));
          for (int i = h; i < n; i++) {
            rows.add(ctxRow(ctx, csc, k, n, i));
          }
          rows.addAll(s.subList(len, s.size()));
        }
        case FRONT -> {
          rows.addAll(s.subList(0, len));
          for (int i = 0; i < n; i++) {
            rows.add(ctxRow(ctx, csc, k, n, i));
          }
          rows.addAll(s.subList(len, s.size()));
        }
        default -> throw new IllegalStateException();
      }
    }
    assertThat(rows).hasSize(CLASSES.size() * CTX_LEN);
    float[] out = new float[rows.size() * dt];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, out, i * dt, dt);
    }
    return out;
  }

  private static float[] promptEmbeddings(PromptLearner l) {
    try (NDManager m = NDManager.newBaseManager()) {
      return TinyClip.probe(l, TinyClip.pixels(m, clip, 1, 0)).get("prompt_embeddings");
    }
  }

  private static void assertLayout(MethodConfig cfg, String prefix, int n) {
    try (PromptLearner l = PromptLearners.create(clip, tokenizer, CLASSES, cfg)) {
      float[] ctx = l.parameter("prompt_learner.ctx").value().toFloatArray();
      boolean csc = l.parameter("prompt_learner.ctx").value().getShape().dimension() == 3;
      float[] want = expected(prefix, n, cfg.position(), ctx, csc);
      assertThat(TinyClip.maxAbsDiff(promptEmbeddings(l), want)).as(cfg.toString()).isZero();
      // the EOT position stays the one of the end text
      for (int k = 0; k < CLASSES.size(); k++) {
        long[] ids = tokenizer.tokenize(l.promptTexts().get(k), CTX_LEN, false);
        long[] mine = java.util.Arrays.copyOfRange(l.tokenizedPrompts(), k * CTX_LEN, (k + 1) * CTX_LEN);
        assertThat(mine).containsExactly(ids);
      }
    }
  }

  @Test
  void classNamesHaveDifferentTokenCounts() {
    // otherwise a wrong split at L would go unnoticed
    assertThat(CLASSES.stream().map(c -> tokenizer.encode(c.replace('_', ' ')).length).distinct().count())
        .isGreaterThanOrEqualTo(3);
  }

  @Test
  void unifiedContextAtEveryPosition() {
    for (String pos : List.of("end", "middle", "front")) {
      assertLayout(config(Method.COOP, "N_CTX", 4, "CLASS_TOKEN_POSITION", pos), "X X X X", 4);
      assertLayout(config(Method.COOP, "N_CTX", 5, "CLASS_TOKEN_POSITION", pos), "X X X X X", 5); // h = 2
    }
  }

  @Test
  void classSpecificContextAtEveryPosition() {
    for (String pos : List.of("end", "middle", "front")) {
      assertLayout(config(Method.COOP, "N_CTX", 3, "CSC", true, "CLASS_TOKEN_POSITION", pos), "X X X", 3);
    }
  }

  @Test
  void positionsDifferFromEachOther() {
    float[][] got = new float[3][];
    int i = 0;
    for (String pos : List.of("end", "middle", "front")) {
      try (PromptLearner l = PromptLearners.create(clip, tokenizer, CLASSES,
          config(Method.COOP, "N_CTX", 4, "CLASS_TOKEN_POSITION", pos))) {
        got[i++] = promptEmbeddings(l);
      }
    }
    assertThat(TinyClip.maxAbsDiff(got[0], got[1])).isGreaterThan(0.01);
    assertThat(TinyClip.maxAbsDiff(got[0], got[2])).isGreaterThan(0.01);
    assertThat(TinyClip.maxAbsDiff(got[1], got[2])).isGreaterThan(0.01);
  }

  /**
   * {@code CTX_INIT "W of a"} with W a word of two BPE tokens (official BPE: itap = it, ap): three words,
   * n_ctx = 3, but four tokens. The context is [w1, w2, of]; the leftover "a" is the first row of S, fixed, and
   * moves with the class name at middle and front, exactly as the official code does.
   */
  @Test
  void leftoverInitTokenStaysInTheSuffix() {
    assertThat(tokenizer.encode(W)).hasSize(2);
    for (String pos : List.of("end", "middle", "front")) {
      assertLayout(config(Method.COOP, "CTX_INIT", W + " of a", "CLASS_TOKEN_POSITION", pos), W + " of a", 3);
    }
    long a = tokenizer.encode("a")[0];
    try (NDManager m = NDManager.newBaseManager();
        PromptLearner l = PromptLearners.create(clip, tokenizer, CLASSES, config(Method.COOP, "CTX_INIT", W + " of a"));
        TrainingStep step = new TrainingStep(l, 0.9, 5e-4)) {
      assertThat(l.trainableCount()).isEqualTo(3L * dt);
      assertThat(l.promptTexts().get(2)).isEqualTo(W + " of a airliner.");
      NDArray px = TinyClip.pixels(m, clip, 2, 4);
      step.run(px, TinyClip.labels(m, 0, 1), 0.5);
      float[] emb = promptEmbeddings(l);
      float[] ctx = l.parameter("prompt_learner.ctx").value().toFloatArray();
      assertThat(ctx).isNotEqualTo(l.initialValue("prompt_learner.ctx"));
      float[] aRow = tokenRow(a);
      for (int k = 0; k < CLASSES.size(); k++) {
        int base = k * CTX_LEN * dt;
        for (int i = 0; i < dt; i++) {
          assertThat(emb[base + 4 * dt + i]).as("class %d, row 4 is the fixed 'a'", k).isEqualTo(aRow[i]);
          assertThat(emb[base + 3 * dt + i]).as("class %d, row 3 is the trained ctx[2]", k).isEqualTo(ctx[2 * dt + i]);
        }
      }
    }
  }
}
