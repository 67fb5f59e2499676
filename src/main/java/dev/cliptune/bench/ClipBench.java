package dev.cliptune.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.ModifiedResNet;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@code bench clip}: image- and text-encoder throughput of a CLIP with random weights (no download), with
 * the rows {@code zs_text} and {@code zs_image} at the settings of {@code shared/perf/official-cpu.md}.
 */
public final class ClipBench {
  /** Settings of the official timing anchors. */
  static final int ZS_CLASSES = 100;
  static final int ZS_IMAGE_BATCH = 8;

  private final ClipConfig config;
  private final int warmup;
  private final int repeats;
  private final String idSuffix;

  public ClipBench(ClipConfig config, int warmup, int repeats) {
    this(config, warmup, repeats, "");
  }

  /** {@code idSuffix} is appended to every row id ({@code _rn50}: {@code zs_image_rn50}, ...). */
  public ClipBench(ClipConfig config, int warmup, int repeats, String idSuffix) {
    this.config = config;
    this.warmup = warmup;
    this.repeats = repeats;
    this.idSuffix = idSuffix;
  }

  /** Random token rows shaped like class prompts: SOT, 8 ids, EOT, zero padding. */
  static long[] promptIds(int n, int ctx, int vocab, long seed) {
    Random r = new Random(seed);
    long[] ids = new long[n * ctx];
    for (int i = 0; i < n; i++) {
      ids[i * ctx] = vocab - 2;
      for (int j = 1; j <= 8; j++) {
        ids[i * ctx + j] = 256 + r.nextInt(vocab - 600);
      }
      ids[i * ctx + 9] = vocab - 1;
    }
    return ids;
  }

  public List<BenchRow> run(PrintStream log, double matmulGflops) {
    List<BenchRow> rows = new ArrayList<>();
    log.println("building " + ClipWeights.describe(config) + " with random weights ...");
    ClipWeights w = ClipWeights.random(config, 0);
    int r = config.imageSize();
    int ctx = config.text().contextLength();
    try (ClipModel model = ClipModel.create(w); NDManager m = NDManager.newBaseManager(model.device())) {
      double imgFlops = Flops.image(config, 0) / 1e9;
      for (int b : new int[] {1, 8, 32}) {
        NDArray px = m.randomNormal(new Shape(b, 3, r, r));
        double s = Timing.median(warmup, repeats, () -> {
          try (NDManager step = m.newSubManager()) {
            px.tempAttach(step);
            model.encodeImage(px).toFloatArray();
          }
        });
        rows.add(new BenchRow("image_b" + b + idSuffix, "image encoder, batch " + b, s, b / s, b * imgFlops));
        log.println(rows.get(rows.size() - 1).line(matmulGflops));
        px.close();
      }
      if (config.isResNet()) {
        rows.addAll(batchNormRows(w, m, imgFlops, log, matmulGflops));
      }
      long[] zsIds = promptIds(ZS_CLASSES, ctx, config.text().vocabSize(), 1);
      double txtFlops = Flops.text(config, Flops.textTokens(zsIds, ctx)) / 1e9;
      NDArray ids = m.create(zsIds, new Shape(ZS_CLASSES, ctx));
      double st = Timing.median(warmup, repeats, () -> {
        try (NDManager step = m.newSubManager()) {
          ids.tempAttach(step);
          model.encodeText(ids).toFloatArray();
        }
      });
      rows.add(new BenchRow("zs_text" + idSuffix, "zero-shot: encode " + ZS_CLASSES + " class prompts", st, null,
          ZS_CLASSES * txtFlops));
      log.println(rows.get(rows.size() - 1).line(matmulGflops));
      NDArray text = model.encodeText(ids);
      NDArray textNorm = ClipModel.l2Normalise(text);
      NDArray px = m.randomNormal(new Shape(ZS_IMAGE_BATCH, 3, r, r));
      double si = Timing.median(warmup, repeats, () -> {
        try (NDManager step = m.newSubManager()) {
          px.tempAttach(step);
          try (NDArray f = model.encodeImage(px)) {
            model.logits(f, textNorm).toFloatArray();
          }
        }
      });
      rows.add(new BenchRow("zs_image" + idSuffix, "zero-shot: images + logits (" + ZS_CLASSES + " classes precomputed)", si,
          ZS_IMAGE_BATCH / si, ZS_IMAGE_BATCH * imgFlops));
      log.println(rows.get(rows.size() - 1).line(matmulGflops));
    }
    return rows;
  }

  /**
   * A ModifiedResNet's evaluation-mode BatchNorm two ways, timed alternately on one batch of 8 (so that a drifting
   * host affects both alike): libtorch's {@code batch_norm} after each convolution ({@code image_bn_b8}) and the
   * normalisation folded into the convolutions ({@code image_bnfold_b8}). (Their exactness is compared on the
   * checkpoints set's weights by {@code ModifiedResNetTest}: random weights make the attention pool saturate.)
   */
  private List<BenchRow> batchNormRows(ClipWeights w, NDManager m, double imgGflops, PrintStream log, double mm) {
    List<BenchRow> out = new ArrayList<>();
    int b = ZS_IMAGE_BATCH;
    int r = config.imageSize();
    try (NDManager own = m.newSubManager()) {
      java.util.function.Function<String, NDArray> load = n -> {
        dev.cliptune.io.FloatTensor t = w.get(n);
        return dev.cliptune.clip.Tensors.owned(own, t.data(), new Shape(t.shape()));
      };
      ModifiedResNet plain = new ModifiedResNet(config.resnet(), load, own, false);
      ModifiedResNet folded = new ModifiedResNet(config.resnet(), load, own, true);
      NDArray px = own.randomNormal(new Shape(b, 3, r, r));
      double[][] t = new double[2][repeats];
      for (int i = -warmup; i < repeats; i++) {
        for (int k = 0; k < 2; k++) {
          ModifiedResNet tower = k == 0 ? plain : folded;
          try (NDManager step = own.newSubManager()) {
            px.tempAttach(step);
            long s = System.nanoTime();
            tower.forward(px, dev.cliptune.clip.Probe.NONE).toFloatArray();
            if (i >= 0) {
              t[k][i] = (System.nanoTime() - s) / 1e9;
            }
          }
        }
      }
      String[] ids = {"image_bn_b8", "image_bnfold_b8"};
      String[] what = {"image tower, BatchNorm after each conv, batch " + b, "image tower, BatchNorm folded, batch " + b};
      for (int k = 0; k < 2; k++) {
        java.util.Arrays.sort(t[k]);
        double sec = repeats % 2 == 1 ? t[k][repeats / 2] : (t[k][repeats / 2 - 1] + t[k][repeats / 2]) / 2;
        out.add(new BenchRow(ids[k] + idSuffix, what[k], sec, b / sec, b * imgGflops));
        log.println(out.get(k).line(mm));
      }
    }
    return out;
  }

  /** Result of a memory run: RSS samples over many batches. */
  public record MemoryRun(int batches, int batchSize, long[] rssSamples) {
    public long growth() {
      return rssSamples[rssSamples.length - 1] - rssSamples[0];
    }

    /** Largest RSS minus the RSS after the first tenth of the run (warm-up allocations excluded). */
    public long maxGrowthAfterWarmup() {
      return Timing.maxGrowthAfterWarmup(rssSamples);
    }
  }

  /** Encodes {@code batches} random image batches, sampling RSS ten times along the way. */
  public MemoryRun memory(int batches, int batchSize, PrintStream log) {
    ClipWeights w = ClipWeights.random(config, 0);
    int r = config.imageSize();
    int samples = 11;
    long[] rss = new long[samples];
    int k = 0;
    try (ClipModel model = ClipModel.create(w); NDManager m = NDManager.newBaseManager(model.device())) {
      for (int i = 0; i < batches; i++) {
        if (i % Math.max(1, batches / (samples - 1)) == 0 && k < samples - 1) {
          rss[k++] = Timing.rssBytes();
          log.printf("memory: batch %d/%d, RSS %.1f MiB%n", i, batches, rss[k - 1] / 1048576.0);
        }
        try (NDManager step = m.newSubManager()) {
          NDArray px = step.randomNormal(new Shape(batchSize, 3, r, r));
          model.encodeImage(px).toFloatArray();
        }
      }
      rss[samples - 1] = Timing.rssBytes();
      log.printf("memory: batch %d/%d, RSS %.1f MiB%n", batches, batches, rss[samples - 1] / 1048576.0);
    }
    return new MemoryRun(batches, batchSize, java.util.Arrays.copyOf(rss, samples));
  }
}
