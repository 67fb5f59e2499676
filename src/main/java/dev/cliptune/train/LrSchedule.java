package dev.cliptune.train;

import dev.cliptune.prompt.checkpoint.TrainingState;

/**
 * Dassl's {@code ConstantWarmupScheduler} around {@code CosineAnnealingLR(T_max = epochs, eta_min = 0)} with
 * {@code WARMUP_RECOUNT}, stepped once per epoch (PROTOCOL.md §7): epoch 0 runs at the constant warm-up
 * rate, epoch {@code e ≥ 1} at {@code ½·lr₀·(1 + cos(π·(e−1)/E))}.
 */
public record LrSchedule(double baseLr, int epochs, int warmupEpochs, double warmupLr) {

  /** The official settings: one warm-up epoch at 1e-5. */
  public static LrSchedule official(double baseLr, int epochs) {
    return new LrSchedule(baseLr, epochs, 1, 1e-5);
  }

  /** The schedule a checkpoint recorded. */
  public static LrSchedule of(TrainingState.Schedule s) {
    return new LrSchedule(s.baseLr(), s.epochs(), s.warmupEpochs(), s.warmupLr());
  }

  /** This schedule as a checkpoint records it. */
  public TrainingState.Schedule state() {
    return new TrainingState.Schedule(baseLr, epochs, warmupEpochs, warmupLr);
  }

  /** The learning rate of 0-based epoch {@code e}. */
  public double lr(int e) {
    if (e < warmupEpochs) {
      return warmupLr;
    }
    int t = e - warmupEpochs; // warm-up recount: the cosine restarts after the warm-up epochs
    return 0.5 * baseLr * (1 + Math.cos(Math.PI * t / epochs));
  }
}
