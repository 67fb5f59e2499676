package dev.cliptune.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ByteAlphabet;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.prompt.Evaluator;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptLearners;
import dev.cliptune.train.TrainingStep;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code bench methods}: one training step (the trainer's {@link TrainingStep}: forward, cross-entropy,
 * backward, SGD with momentum 0.9 and weight decay 5e-4) and one evaluation batch of every prompt-learning
 * method on a CLIP of the configured size with random weights, at the rows, batch sizes and class counts of {@code shared/perf/official-cpu.md}.
 *
 * <p>Evaluation rows are timed the way a test loop sees them: one {@link Evaluator} is built and primed on a
 * first batch (which, for CoOp / MaPLe / IVLP, encodes the class prompts once), then each timed call is one
 * further batch. The one-off class-text encoding is its own row ({@code <method>_eval_text}), and
 * {@code <method>_eval_uncached} re-encodes the class prompts on every batch as the official code does, so the
 * official figure can be compared both with what a test loop costs here and with the same work.
 */
public final class MethodsBench implements AutoCloseable {

  /** What a row times. */
  public enum Kind {
    /** forward + loss + backward + SGD step */
    TRAIN,
    /** one test batch through a primed {@link Evaluator} (class text cached where it does not depend on the image) */
    EVAL,
    /** the one-off encoding of the C class prompts an evaluator does on its first batch */
    EVAL_TEXT,
    /** one test batch re-encoding every class prompt, as the official CoOp / MaPLe / IVLP evaluation does */
    EVAL_UNCACHED
  }

  /**
   * One row.
   *
   * @param officialTunedSeconds the tuned ({@code OMP_WAIT_POLICY=PASSIVE}) official figure of
   *     {@code shared/perf/official-cpu.md}, measured 2026-11-22 (NaN where the file has no such row)
   */
  public record Spec(String id, Method method, Kind kind, int batch, int classes, double officialTunedSeconds) {
    String what(boolean ctxInit) {
      String m = method.officialName;
      return switch (kind) {
        case TRAIN -> m + " train step, batch " + batch + ", " + classes + " classes";
        case EVAL -> m + " eval batch " + batch + ", " + classes + " classes"
            + (method == Method.COCOOP || method == Method.MIP ? "" : ", text cached");
        case EVAL_TEXT -> m + " eval: one-off encoding of " + classes + " class prompts";
        case EVAL_UNCACHED -> m + " eval batch " + batch + ", " + classes + " classes re-encoded";
      };
    }
  }

  /**
   * The rows of {@code shared/perf/official-cpu.md} (same ids, batch sizes and class counts), with the official
   * tuned seconds of that file, plus this benchmark's own rows (NaN official figure).
   */
  public static final List<Spec> ROWS = List.of(
      new Spec("coop_train", Method.COOP, Kind.TRAIN, 32, 10, 9.15),
      new Spec("coop_eval", Method.COOP, Kind.EVAL, 8, 10, 2.66),
      new Spec("coop_eval_text", Method.COOP, Kind.EVAL_TEXT, 8, 10, Double.NaN),
      new Spec("coop_eval_uncached", Method.COOP, Kind.EVAL_UNCACHED, 8, 10, 2.66),
      new Spec("cocoop_train", Method.COCOOP, Kind.TRAIN, 1, 10, 1.25),
      new Spec("cocoop_eval", Method.COCOOP, Kind.EVAL, 8, 10, 5.67),
      new Spec("cocoop_train_c50", Method.COCOOP, Kind.TRAIN, 1, 50, 6.17),
      new Spec("mip_train", Method.MIP, Kind.TRAIN, 1, 10, 1.49),
      new Spec("mip_eval", Method.MIP, Kind.EVAL, 8, 10, 6.25),
      new Spec("mip_train_c50", Method.MIP, Kind.TRAIN, 1, 50, 5.35),
      new Spec("maple_train", Method.MAPLE, Kind.TRAIN, 4, 10, 3.09),
      new Spec("maple_eval", Method.MAPLE, Kind.EVAL, 8, 10, 2.42),
      new Spec("maple_eval_text", Method.MAPLE, Kind.EVAL_TEXT, 8, 10, Double.NaN),
      new Spec("maple_eval_uncached", Method.MAPLE, Kind.EVAL_UNCACHED, 8, 10, 2.42),
      new Spec("ivlp_train", Method.IVLP, Kind.TRAIN, 4, 10, 2.98),
      new Spec("ivlp_eval", Method.IVLP, Kind.EVAL, 8, 10, 2.44),
      new Spec("ivlp_eval_text", Method.IVLP, Kind.EVAL_TEXT, 8, 10, Double.NaN),
      new Spec("ivlp_eval_uncached", Method.IVLP, Kind.EVAL_UNCACHED, 8, 10, 2.44),
      new Spec("vpt_train", Method.VPT, Kind.TRAIN, 4, 10, 2.13),
      new Spec("vpt_eval", Method.VPT, Kind.EVAL, 8, 10, 2.03),
      new Spec("vpt_eval_text", Method.VPT, Kind.EVAL_TEXT, 8, 10, Double.NaN),
      // METHODS-NEXT.md: base-to-novel settings (PromptSRC batch 4, 4+4 tokens, depth 9/9; KgCoOp 4 word tokens,
      // at CoOp's row batch of 32 rather than the official 128, so that the row stays measurable on a CPU);
      // no official CPU figures exist for these
      new Spec("promptsrc_train", Method.PROMPTSRC, Kind.TRAIN, 4, 10, Double.NaN),
      new Spec("promptsrc_eval", Method.PROMPTSRC, Kind.EVAL, 8, 10, Double.NaN),
      new Spec("kgcoop_train", Method.KGCOOP, Kind.TRAIN, 32, 10, Double.NaN),
      new Spec("kgcoop_eval", Method.KGCOOP, Kind.EVAL, 8, 10, Double.NaN));

  /** Learning rate of the SGD step (its value does not change the cost). */
  static final double LR = 0.002;
  static final double MOMENTUM = 0.9;
  static final double WEIGHT_DECAY = 5e-4;

  public static Spec spec(String id) {
    for (Spec s : ROWS) {
      if (s.id().equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown row '" + id + "'; rows: "
        + ROWS.stream().map(Spec::id).toList());
  }

  /**
   * The configuration each method's row uses (METHODS.md §7): CoOp {@code vit_b16_ctxv1} (4 word-initialised
   * tokens), CoCoOp / MIP {@code c4_ep10_batch1_ctxv1}, MaPLe {@code N_CTX 2, PROMPT_DEPTH 9}, IVLP 2+2 tokens at
   * depths 12/12, VPT 8 tokens at depth 12. Without a CLIP vocabulary the context is randomly initialised
   * instead ({@code CTX_INIT ""}, the same number of tokens: the same cost). Depths are capped at the model's
   * layer counts (for the tiny model of memory runs).
   */
  public static MethodConfig config(Method m, boolean ctxInit, ClipConfig clip) {
    String init = ctxInit ? "a photo of a" : "";
    int lt = clip.text().layers();
    int lv = clip.isResNet() ? 0 : clip.vision().layers();
    Map<String, Object> keys = switch (m) {
      case COOP, COCOOP, MIP -> Map.of("N_CTX", 4, "CTX_INIT", init);
      case MAPLE -> Map.of("N_CTX", 2, "CTX_INIT", init, "PROMPT_DEPTH", Math.min(9, lt));
      case IVLP -> Map.of("N_CTX_TEXT", 2, "N_CTX_VISION", 2, "PROMPT_DEPTH_TEXT", Math.min(12, lt),
          "PROMPT_DEPTH_VISION", Math.min(12, lv),
          "CTX_INIT", init);
      case VPT -> Map.of("N_CTX_VISION", 8, "PROMPT_DEPTH_VISION", Math.min(12, lv), "CTX_INIT", init);
      case PROMPTSRC -> Map.of("N_CTX_TEXT", 4, "N_CTX_VISION", 4, "PROMPT_DEPTH_TEXT", Math.min(9, lt),
          "PROMPT_DEPTH_VISION", Math.min(9, lv), "CTX_INIT", init);
      case KGCOOP -> Map.of("N_CTX", 4, "CTX_INIT", ctxInit ? "True" : "", "W", 8.0);
      default -> throw new IllegalArgumentException("no benchmark configuration for " + m);
    };
    return MethodConfig.fromOfficial(m, keys);
  }

  /** Prompt tokens the method appends to the image sequence. */
  static int visualTokens(MethodConfig c) {
    return switch (c.method()) {
      case MAPLE, MAPLE_SHARED -> c.nCtx();
      case IVLP, PROMPTSRC -> c.depthVision() > 0 ? c.nCtxVision() : 0;
      case VPT -> c.nCtxVision();
      default -> 0;
    };
  }

  /**
   * GFLOP per call by the conventions of official-cpu.md: V image forward (with the method's prompt tokens), T
   * one prompt forward, backward through the frozen encoders ≈ the forward again (input gradients). Counts the work
   * actually done here: class text cached where it can be, and T over the {@code textTokens} positions the text
   * tower runs (up to the last end-of-text token, {@link Flops#textTokens}), not the official code's 77.
   */
  public static double gflop(Spec s, ClipConfig cfg, MethodConfig mc, int textTokens) {
    double v = Flops.image(cfg, visualTokens(mc)) / 1e9;
    double t = Flops.text(cfg, textTokens) / 1e9;
    int b = s.batch();
    int c = s.classes();
    boolean perImageText = s.method() == Method.COCOOP || s.method() == Method.MIP;
    boolean imageGrad = visualTokens(mc) > 0;
    boolean textGrad = s.method() != Method.VPT;
    return switch (s.kind()) {
      // PromptSRC adds the frozen image pass (no prompts, no gradient) of its zero-shot targets
      case TRAIN -> b * v * (imageGrad ? 2 : 1) + (textGrad ? 2 * t * c * (perImageText ? b : 1) : 0)
          + (s.method() == Method.PROMPTSRC ? b * Flops.image(cfg, 0) / 1e9 : 0);
      case EVAL -> b * v + (perImageText ? b * c * t : 0);
      case EVAL_TEXT -> c * t;
      case EVAL_UNCACHED -> b * v + c * t;
    };
  }

  private final ClipConfig config;
  private final ClipTokenizer tokenizer;
  private final boolean ctxInit;
  private final int warmup;
  private final int repeats;
  private final ClipModel model;
  private final NDManager manager;
  private double settleSeconds;
  private Path profileDir;

  /**
   * @param tokenizer a CLIP vocabulary for the word initialisation, or null: then a byte-level stand-in
   *     tokenizer and randomly initialised contexts (same shapes, same cost)
   */
  public MethodsBench(ClipConfig config, ClipTokenizer tokenizer, int warmup, int repeats, PrintStream log) {
    this.config = config;
    this.ctxInit = tokenizer != null;
    this.tokenizer = tokenizer != null ? tokenizer : byteLevelTokenizer();
    this.warmup = warmup;
    this.repeats = repeats;
    log.println("building " + ClipWeights.describe(config) + " with random weights ...");
    this.model = ClipModel.create(ClipWeights.random(config, 0));
    this.manager = NDManager.newBaseManager(model.device());
  }

  /** Synthetic class names {@code "class 0"}, ... */
  static List<String> classNames(int c) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < c; i++) {
      out.add("class " + i);
    }
    return out;
  }

  /**
   * A stand-in for the CLIP vocabulary when none is available: the 256 byte-level symbols, the same with
   * {@code </w>}, SOT and EOT, no merges. Every text tokenizes (one id per character) to valid ids of a
   * 49408-row embedding table, with EOT the largest id as the EOT pooling expects.
   */
  static ClipTokenizer byteLevelTokenizer() {
    List<String> symbols = ByteAlphabet.symbols();
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (String s : symbols) {
      vocab.put(s, vocab.size());
    }
    for (String s : symbols) {
      vocab.put(s + "</w>", vocab.size());
    }
    vocab.put(ClipTokenizer.SOT, vocab.size());
    vocab.put(ClipTokenizer.EOT, vocab.size());
    return ClipTokenizer.fromVocab(vocab, List.of());
  }

  /**
   * Before timing each row (after its warm-up), wait up to {@code seconds} until other processes use less than a
   * quarter of a core (for shared machines); 0: do not wait.
   */
  public MethodsBench settle(double seconds) {
    this.settleSeconds = seconds;
    return this;
  }

  /**
   * After timing each row, run one more call under libtorch's profiler and write its trace (Chrome trace JSON:
   * every op with its input shapes, forward and autograd) to {@code dir/<row>.json}; null: no profiling.
   */
  public MethodsBench profile(Path dir) {
    this.profileDir = dir;
    return this;
  }

  /**
   * The fp32 2048³ matrix-product yardstick of this process (plain: median of 7, best: fastest call), measured
   * after waiting up to {@code settleSeconds} for other processes to go quiet.
   */
  public static MatmulRate.Yardstick matmul(double settleSeconds) {
    if (settleSeconds > 0) {
      CpuLoad.settle(0.25, settleSeconds);
    }
    return MatmulRate.measure(2048, 7);
  }

  public boolean wordInit() {
    return ctxInit;
  }

  public ClipConfig clipConfig() {
    return config;
  }

  /** A learner with its inputs, optimiser and evaluator, ready to run one row's call repeatedly. */
  final class Case implements AutoCloseable {
    final Spec spec;
    final MethodConfig methodConfig;
    final PromptLearner learner;
    final NDManager m;
    final NDArray pixels;
    final NDArray labels;
    final TrainingStep step;
    final Evaluator evaluator;
    final NDArray textIds;
    final int textTokens;

    Case(Spec spec) {
      this.spec = spec;
      this.methodConfig = config(spec.method(), ctxInit, config);
      this.m = manager.newSubManager();
      this.learner = PromptLearners.create(model, tokenizer, classNames(spec.classes()), methodConfig);
      int r = config.imageSize();
      this.pixels = m.randomNormal(new Shape(spec.batch(), 3, r, r));
      long[] y = new long[spec.batch()];
      Random rnd = new Random(7);
      for (int i = 0; i < y.length; i++) {
        y[i] = rnd.nextInt(spec.classes());
      }
      this.labels = m.create(y);
      this.step = spec.kind() == Kind.TRAIN ? new TrainingStep(learner, MOMENTUM, WEIGHT_DECAY) : null;
      if (spec.kind() == Kind.EVAL) {
        evaluator = learner.evaluator();
        evalBatch(); // primes the evaluator: class text features are encoded here, once
      } else {
        evaluator = null;
      }
      long[] ids = learner.tokenizedPrompts();
      textIds = m.create(ids, new Shape(spec.classes(), ids.length / spec.classes()));
      textTokens = Flops.textTokens(ids, ids.length / spec.classes());
    }

    void call() {
      switch (spec.kind()) {
        case TRAIN -> trainStep();
        case EVAL -> evalBatch();
        case EVAL_TEXT -> encodeClassText();
        case EVAL_UNCACHED -> {
          try (NDManager s = m.newSubManager()) {
            pixels.tempAttach(s);
            learner.logits(pixels, Probe.NONE).toFloatArray();
          }
        }
      }
    }

    /** The trainer's own step. */
    float trainStep() {
      return step.run(pixels, labels, LR).loss();
    }

    void evalBatch() {
      try (NDManager s = m.newSubManager()) {
        pixels.tempAttach(s);
        evaluator.logits(pixels).toFloatArray();
      }
    }

    /** What an evaluator's first batch adds: the class text features (VPT: the frozen prompts, at construction). */
    void encodeClassText() {
      if (spec.method() == Method.VPT) {
        try (NDManager s = m.newSubManager()) {
          textIds.tempAttach(s);
          model.encodeText(textIds).toFloatArray();
        }
        return;
      }
      try (Evaluator e = learner.evaluator(); NDArray t = e.normalisedTextFeatures()) {
        t.toFloatArray();
      }
    }

    @Override
    public void close() {
      if (evaluator != null) {
        evaluator.close();
      }
      if (step != null) {
        step.close();
      }
      learner.close();
      m.close();
    }
  }

  /**
   * Times the selected rows; each line is printed as soon as it is measured, with its share of the best fp32 matmul
   * rate of the process and the plain rate measured right before it (shared machines drift).
   */
  public List<BenchRow> run(List<Spec> specs, PrintStream log) {
    List<BenchRow> rows = new ArrayList<>();
    for (Spec s : specs) {
      try (Case c = new Case(s)) {
        for (int i = 0; i < warmup; i++) {
          c.call();
        }
        double waited = settleSeconds > 0 ? CpuLoad.settle(0.25, settleSeconds) : 0;
        // the machine's speed drifts (shared hosts): the matmul rate right before the row shows it; the row's share
        // is of the best rate the process has seen (what the machine can do)
        double mmHere = MatmulRate.gflops(2048, 3);
        CpuLoad before = CpuLoad.now();
        double[] t = Timing.sortedTimes(0, repeats, c::call);
        double others = CpuLoad.othersSince(before);
        double sec = Timing.median(t);
        double g = gflop(s, config, c.methodConfig, c.textTokens);
        Double ips = s.kind() == Kind.EVAL_TEXT ? null : s.batch() / sec;
        BenchRow row = new BenchRow(s.id(), s.what(ctxInit), sec, ips, g);
        rows.add(row);
        StringBuilder line = new StringBuilder(line(row, MatmulRate.processBest()));
        line.append(String.format("  [%.3f-%.3f s, matmul %.0f, others %.2f cores%s]", t[0], t[t.length - 1], mmHere,
            others,
            waited >= settleSeconds && settleSeconds > 0 ? ", did not settle" : ""));
        if (!Double.isNaN(s.officialTunedSeconds()) && config.equals(ClipConfig.vitB16())) {
          line.append(String.format("  official tuned %.2f s: ours/official %.2f", s.officialTunedSeconds(),
              sec / s.officialTunedSeconds()));
        }
        log.println(line);
        if (profileDir != null) {
          Path trace = profileDir.resolve(s.id() + ".json");
          JniUtils.startProfile(false, true, false);
          c.call();
          JniUtils.stopProfile(trace.toString());
          log.println("  profile of one call: " + trace);
        }
      }
    }
    return rows;
  }

  /** {@link BenchRow#line} with room for this benchmark's longer ids and descriptions. */
  static String line(BenchRow r, double matmulGflops) {
    return String.format("%-18s %-56s %8.3f s  %11s  %6.1f GFLOP/s (%3.0f%% of matmul)", r.id(), r.what(),
        r.seconds(), r.imagesPerS() == null ? "" : String.format("%.2f img/s", r.imagesPerS()), r.gflops(),
        100 * r.gflops() / matmulGflops);
  }

  /**
   * Result of a memory run: RSS (and the Java heap in use) sampled eleven times over {@code steps} calls of one
   * row, each sample after a {@code System.gc()} so that Java garbage not yet collected does not count.
   */
  public record MemoryRun(String id, int steps, long[] rssSamples, long[] heapSamples, int[] liveArrays,
      double seconds) {
    /** Largest RSS minus the RSS after the first tenth of the run (warm-up allocations excluded). */
    public long maxGrowthAfterWarmup() {
      return Timing.maxGrowthAfterWarmup(rssSamples);
    }

    /** RSS at the end minus RSS after the first tenth. */
    public long endGrowthAfterWarmup() {
      return rssSamples[rssSamples.length - 1] - rssSamples[Math.min(1, rssSamples.length - 1)];
    }
  }

  /**
   * Runs {@code steps} calls of one row, sampling RSS before the first call, after every tenth and at the end.
   * Each sample follows a {@code System.gc()} (outside the timed path: the memory run is not a timing), so the
   * samples show native memory plus live Java objects, not how far the young generation had filled.
   */
  public MemoryRun memory(Spec spec, int steps, PrintStream log) {
    int samples = 11;
    long[] rss = new long[samples];
    long[] heap = new long[samples];
    int[] arrays = new int[samples];
    int k = 0;
    int every = Math.max(1, steps / (samples - 1));
    long start = System.nanoTime();
    try (Case c = new Case(spec)) {
      for (int i = 0; i <= steps; i++) {
        if ((i % every == 0 && k < samples - 1) || i == steps) {
          int j = i == steps ? samples - 1 : k++;
          System.gc();
          rss[j] = Timing.rssBytes();
          Runtime rt = Runtime.getRuntime();
          heap[j] = rt.totalMemory() - rt.freeMemory();
          arrays[j] = liveArrays();
          log.printf("memory %s: step %d/%d, RSS %.1f MiB, Java heap %.1f MiB, %d live NDArrays, %.0f s%n", spec.id(),
              i, steps, rss[j] / 1048576.0, heap[j] / 1048576.0, arrays[j], (System.nanoTime() - start) / 1e9);
        }
        if (i < steps) {
          c.call();
        }
      }
      for (int j = k; j < samples - 1; j++) { // fewer steps than samples
        rss[j] = rss[samples - 1];
        heap[j] = heap[samples - 1];
        arrays[j] = arrays[samples - 1];
      }
    }
    return new MemoryRun(spec.id(), steps, rss, heap, arrays, (System.nanoTime() - start) / 1e9);
  }

  /** NDArrays alive in every manager of the engine (a leak shows as a steady rise). */
  static int liveArrays() {
    try (NDManager probe = NDManager.newBaseManager()) {
      NDManager system = probe.getParentManager();
      return system == null ? -1 : system.getManagedArrays().size();
    }
  }

  @Override
  public void close() {
    manager.close();
    model.close();
  }
}
