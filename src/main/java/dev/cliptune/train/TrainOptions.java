package dev.cliptune.train;

import dev.cliptune.config.Setting;
import dev.cliptune.config.Settings;
import java.util.List;

/**
 * Settings of the training loop (PROTOCOL.md §5–8); {@link #official} gives Dassl's defaults around a
 * method config's batch size, learning rate and epochs, {@link #toBuilder()} changes any of them, and
 * {@link #KEYS} is the one table of their {@code --set} keys.
 *
 * @param decodeCacheBytes decoded training images kept in memory across epochs
 * @param threads          image decoding threads
 * @param skipCorrupt      skip (and count) undecodable images instead of stopping
 * @param progress         show a progress bar per epoch
 * @param cropScaleMin     RandomResizedCrop's lower area bound (Dassl's {@code INPUT.RRCROP_SCALE[0]})
 */
public record TrainOptions(int epochs, int batchSize, double lr, double momentum, double weightDecay,
    int warmupEpochs, double warmupLr, long seed, int testBatchSize, int threads, long decodeCacheBytes,
    boolean skipCorrupt, boolean progress, double cropScaleMin) {

  /** Dassl's {@code INPUT.RRCROP_SCALE} lower bound: RandomResizedCrop samples 8 %–100 % of the image area. */
  public static final double DEFAULT_CROP_SCALE_MIN = 0.08;

  /** The training keys of {@code --set}, in the order config.yaml records them ({@code optim}, {@code run}). */
  public static final Settings<TrainOptions> KEYS = new Settings<>(List.of(
      Setting.integer("epochs", "optim", 0, "training epochs", TrainOptions::epochs,
          (t, v) -> t.toBuilder().epochs(v).build()),
      Setting.integer("batch_size", "optim", 1, "training images per step", TrainOptions::batchSize,
          (t, v) -> t.toBuilder().batchSize(v).build()),
      Setting.number("lr", "optim", "base learning rate of the cosine schedule", TrainOptions::lr,
          (t, v) -> t.toBuilder().lr(v).build()),
      Setting.number("momentum", "optim", "SGD momentum", TrainOptions::momentum,
          (t, v) -> t.toBuilder().momentum(v).build()),
      Setting.number("weight_decay", "optim", "SGD weight decay", TrainOptions::weightDecay,
          (t, v) -> t.toBuilder().weightDecay(v).build()),
      Setting.integer("warmup_epochs", "optim", 0, "epochs at the constant warm-up rate", TrainOptions::warmupEpochs,
          (t, v) -> t.toBuilder().warmupEpochs(v).build()),
      Setting.number("warmup_lr", "optim", "the constant warm-up rate", TrainOptions::warmupLr,
          (t, v) -> t.toBuilder().warmupLr(v).build()),
      Setting.integer("test_batch_size", "run", 1, "evaluation images per batch", TrainOptions::testBatchSize,
          (t, v) -> t.toBuilder().testBatchSize(v).build()),
      Setting.integer("threads", "run", 1, "image decoding threads", TrainOptions::threads,
          (t, v) -> t.toBuilder().threads(v).build()),
      Setting.integer("decode_cache_mb", "run", 0, "decoded training images kept in memory (MiB)",
          t -> (int) (t.decodeCacheBytes() >> 20), (t, v) -> t.toBuilder().decodeCacheBytes((long) v << 20).build()),
      Setting.bool("skip_corrupt", "run", "skip undecodable images instead of stopping", TrainOptions::skipCorrupt,
          (t, v) -> t.toBuilder().skipCorrupt(v).build()),
      Setting.number("rrcrop_scale", "run", "RandomResizedCrop's lower area bound, in (0, 1]",
          t -> List.of(t.cropScaleMin(), 1.0), (t, v) -> {
            if (!(v > 0 && v <= 1)) {
              throw new IllegalArgumentException("expected RandomResizedCrop's lower area bound in (0, 1]");
            }
            return t.toBuilder().cropScaleMin(v).build();
          }),
      Setting.bool("progress", null, "show a progress bar per epoch", TrainOptions::progress,
          (t, v) -> t.toBuilder().progress(v).build())));

  public static TrainOptions official(int epochs, int batchSize, double lr, long seed) {
    return new Builder().epochs(epochs).batchSize(batchSize).lr(lr).seed(seed).build();
  }

  public LrSchedule schedule() {
    return new LrSchedule(lr, epochs, warmupEpochs, warmupLr);
  }

  public TrainOptions withProgress(boolean p) {
    return toBuilder().progress(p).build();
  }

  public TrainOptions withSeed(long s) {
    return toBuilder().seed(s).build();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A {@link TrainOptions} under construction; starts from Dassl's defaults (momentum 0.9, weight decay 5e-4, ...). */
  public static final class Builder {
    private int epochs;
    private int batchSize = 1;
    private double lr;
    private double momentum = 0.9;
    private double weightDecay = 5e-4;
    private int warmupEpochs = 1;
    private double warmupLr = 1e-5;
    private long seed = 1;
    private int testBatchSize = 100;
    private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private long decodeCacheBytes = 1L << 30;
    private boolean skipCorrupt;
    private boolean progress = true;
    private double cropScaleMin = DEFAULT_CROP_SCALE_MIN;

    public Builder() {}

    private Builder(TrainOptions t) {
      epochs = t.epochs;
      batchSize = t.batchSize;
      lr = t.lr;
      momentum = t.momentum;
      weightDecay = t.weightDecay;
      warmupEpochs = t.warmupEpochs;
      warmupLr = t.warmupLr;
      seed = t.seed;
      testBatchSize = t.testBatchSize;
      threads = t.threads;
      decodeCacheBytes = t.decodeCacheBytes;
      skipCorrupt = t.skipCorrupt;
      progress = t.progress;
      cropScaleMin = t.cropScaleMin;
    }

    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder lr(double v) {
      lr = v;
      return this;
    }

    public Builder momentum(double v) {
      momentum = v;
      return this;
    }

    public Builder weightDecay(double v) {
      weightDecay = v;
      return this;
    }

    public Builder warmupEpochs(int v) {
      warmupEpochs = v;
      return this;
    }

    public Builder warmupLr(double v) {
      warmupLr = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder testBatchSize(int v) {
      testBatchSize = v;
      return this;
    }

    public Builder threads(int v) {
      threads = v;
      return this;
    }

    public Builder decodeCacheBytes(long v) {
      decodeCacheBytes = v;
      return this;
    }

    public Builder skipCorrupt(boolean v) {
      skipCorrupt = v;
      return this;
    }

    public Builder progress(boolean v) {
      progress = v;
      return this;
    }

    public Builder cropScaleMin(double v) {
      cropScaleMin = v;
      return this;
    }

    public TrainOptions build() {
      return new TrainOptions(epochs, batchSize, lr, momentum, weightDecay, warmupEpochs, warmupLr, seed,
          testBatchSize, threads, decodeCacheBytes, skipCorrupt, progress, cropScaleMin);
    }
  }
}
