package dev.cliptune.prompt;

import java.util.Random;

/**
 * Seeded initialisations (METHODS.md §0): {@code normal(0.02)} and PyTorch's {@code Linear} default
 * (weight and bias uniform in ±1/√fan_in). Values come from {@link java.util.Random} seeded per learner, so a
 * run is repeatable for a seed; they cannot equal PyTorch's draws, which the fixtures record as params.
 */
final class Init {
  private final Random rng;

  Init(long seed) {
    this.rng = new Random(seed);
  }

  float[] normal(int n, double std) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rng.nextGaussian() * std);
    }
    return v;
  }

  float[] uniform(int n, double bound) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    return v;
  }

  /** {@code nn.Linear(in, out)}: weight {@code [out, in]} then bias {@code [out]}, both U(±1/√in). */
  float[][] linear(int in, int out) {
    double bound = 1.0 / Math.sqrt(in);
    return new float[][] {uniform(out * in, bound), uniform(out, bound)};
  }
}
