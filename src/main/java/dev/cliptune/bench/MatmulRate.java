package dev.cliptune.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** The fp32 matrix-product rate of this process (n x n x n), the yardstick for every throughput figure. */
public final class MatmulRate {
  private MatmulRate() {}

  /** GFLOP/s of an {@code n}-cubed float32 matrix product, median of {@code repeats}. */
  public static double gflops(int n, int repeats) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.randomNormal(new Shape(n, n));
      NDArray b = m.randomNormal(new Shape(n, n));
      double s = Timing.median(1, repeats, () -> {
        try (NDArray c = a.matMul(b)) {
          c.getFloat(0, 0); // synchronise
        }
      });
      return 2.0 * n * n * n / s / 1e9;
    }
  }
}
