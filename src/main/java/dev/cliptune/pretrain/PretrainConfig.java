package dev.cliptune.pretrain;

import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;

/**
 * Contrastive pretraining settings: the CLIP shape, AdamW, linear warm-up then cosine decay per step, the
 * temperature's clamp, checkpoint cadence, and the world's seed and image size.
 */
public record PretrainConfig(ClipConfig model, int steps, int batchSize, double lr, double beta1, double beta2,
    double eps, double weightDecay, int warmupSteps, long seed, int checkpointEvery, int logEvery,
    String hardNegatives, String init) {

  /**
   * The embedded tiny CLIP: 32-px images, patch 4, ViT 128 wide × 4 layers × 4 heads, text 128 × 4 × 4 over
   * context 32 and the world's vocabulary, joint space 128 (about 1.7 M parameters, 7 MB in float32).
   */
  public static PretrainConfig tiny(int vocabSize) {
    ClipConfig c = new ClipConfig(128, new VisionConfig(128, 4, 4, 4, 32, 512, 1e-5),
        new TextConfig(128, 4, 4, 32, vocabSize, 512, 1e-5));
    return new PretrainConfig(c, 3000, 128, 1e-3, 0.9, 0.98, 1e-6, 0.1, 100, 1, 250, 25, null, null);
  }

  public PretrainConfig withSteps(int s) {
    return new PretrainConfig(model, s, batchSize, lr, beta1, beta2, eps, weightDecay, Math.min(warmupSteps, s / 10 + 1),
        seed, checkpointEvery, logEvery, hardNegatives, init);
  }

  public PretrainConfig withBatchSize(int b) {
    return new PretrainConfig(model, steps, b, lr, beta1, beta2, eps, weightDecay, warmupSteps, seed, checkpointEvery,
        logEvery, hardNegatives, init);
  }

  public PretrainConfig withCheckpointEvery(int k) {
    return new PretrainConfig(model, steps, batchSize, lr, beta1, beta2, eps, weightDecay, warmupSteps, seed, k,
        logEvery, hardNegatives, init);
  }

  /**
   * With the batches made of groups of hard negatives whose varied attribute is drawn with {@code weights}
   * ({@link dev.cliptune.world.PretrainMix#hardNegatives(String)}, e.g. {@code pattern=0.7,none=0.3}); {@code null}
   * for independent pairs.
   */
  public PretrainConfig withHardNegatives(String weights) {
    return new PretrainConfig(model, steps, batchSize, lr, beta1, beta2, eps, weightDecay, warmupSteps, seed,
        checkpointEvery, logEvery, weights, init);
  }

  /** With another peak learning rate. */
  public PretrainConfig withLr(double peak) {
    return new PretrainConfig(model, steps, batchSize, peak, beta1, beta2, eps, weightDecay, warmupSteps, seed,
        checkpointEvery, logEvery, hardNegatives, init);
  }

  /**
   * Starting from the weights (and temperature) of the CLIP model directory {@code dir} instead of random ones: a
   * second stage, e.g. a hard-negative fine-tune of a pretrained model, as NegCLIP does.
   */
  public PretrainConfig withInit(String dir) {
    return new PretrainConfig(model, steps, batchSize, lr, beta1, beta2, eps, weightDecay, warmupSteps, seed,
        checkpointEvery, logEvery, hardNegatives, dir);
  }

  /** Linear warm-up to {@code lr}, then cosine to 0 at the last step. */
  public double lrAt(int step) {
    if (step < warmupSteps) {
      return lr * (step + 1) / warmupSteps;
    }
    double t = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
    return 0.5 * lr * (1 + Math.cos(Math.PI * t));
  }
}
