package dev.cliptune.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.BFloat16;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fp32 matrix-product rate of this process (n x n x n), the yardstick for every throughput figure: the
 * <em>plain</em> rate (median call) and the <em>best</em> one (fastest call; the largest over every measurement
 * of the process is {@link #processBest()}), beside the {@link GemmPath} that produced them. Benchmarks state
 * their rows as a share of the best rate: "% of matmul" is "% of what this machine can do".
 */
public final class MatmulRate {
  private MatmulRate() {}

  private static double processBest;

  /**
   * One measurement: median and fastest of {@code calls} timed {@code [m, k] x [k, n]} products, in GFLOP/s.
   */
  public record Yardstick(int m, int k, int n, int calls, double plainGflops, double bestGflops, GemmPath path) {
    /** The bench line: both rates and the GEMM path. */
    public String line(String id) {
      return String.format("%-16s fp32 %s matrix product of this process: plain %.1f GFLOP/s (median of %d),"
          + " best %.1f GFLOP/s%n%-16s %s", id, shape(), plainGflops, calls, bestGflops, "gemm_path", path.describe());
    }

    /** {@code 2048^3}, or {@code [1576x768]x[768x3072]}. */
    public String shape() {
      return m == k && k == n ? n + "^3" : "[" + m + "x" + k + "]x[" + k + "x" + n + "]";
    }

    /** A JSON row: {@code seconds} and {@code gflops} of the plain rate, {@code best_gflops}, the GEMM path. */
    public Map<String, Object> json() {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("seconds", 2.0 * m * k * n / plainGflops / 1e9);
      row.put("images_per_s", null);
      row.put("gflops", plainGflops);
      row.put("best_gflops", bestGflops);
      row.put("gemm_path", path.id());
      return row;
    }
  }

  /** Median and fastest of {@code calls} timed {@code n}-cubed float32 products after one warm-up call. */
  public static Yardstick measure(int n, int calls) {
    return measure(n, n, n, calls);
  }

  /** Median and fastest of {@code calls} timed {@code [m, k] x [k, n]} float32 products after one warm-up call. */
  public static Yardstick measure(int m, int k, int n, int calls) {
    Yardstick y = measure(m, k, n, calls, false);
    synchronized (MatmulRate.class) {
      processBest = Math.max(processBest, y.bestGflops());
    }
    return y;
  }

  /**
   * As {@link #measure(int, int, int, int)} with bfloat16 operands and result (libtorch's oneDNN product; only
   * fast where the CPU has {@value dev.cliptune.clip.Precision#BF16_FLAG}). Not part of {@link #processBest()}.
   */
  public static Yardstick measureBf16(int m, int k, int n, int calls) {
    return measure(m, k, n, calls, true);
  }

  private static Yardstick measure(int m, int k, int n, int calls, boolean bf16) {
    double[] t = new double[calls];
    try (NDManager mgr = NDManager.newBaseManager()) {
      NDArray a = mgr.randomNormal(new Shape(m, k));
      NDArray b = mgr.randomNormal(new Shape(k, n));
      if (bf16) {
        a = BFloat16.of(a);
        b = BFloat16.of(b);
      }
      for (int i = -1; i < calls; i++) {
        long s = System.nanoTime();
        try (NDArray c = a.matMul(b)) {
          synchronise(c);
        }
        if (i >= 0) {
          t[i] = (System.nanoTime() - s) / 1e9;
        }
      }
    }
    Arrays.sort(t);
    double flop = 2.0 * m * k * n / 1e9;
    double median = calls % 2 == 1 ? t[calls / 2] : (t[calls / 2 - 1] + t[calls / 2]) / 2;
    return new Yardstick(m, k, n, calls, flop / median, flop / t[0], GemmPath.detect());
  }

  /** Reads one element of {@code c} (float32 or bfloat16), which waits for the product. */
  private static void synchronise(NDArray c) {
    if (!BFloat16.is(c)) {
      c.getFloat(0, 0);
      return;
    }
    try (NDArray c00 = c.get(0, 0); NDArray f = BFloat16.toFloat32(c00)) {
      f.getFloat();
    }
  }

  /** GFLOP/s of an {@code n}-cubed float32 matrix product, median of {@code repeats}. */
  public static double gflops(int n, int repeats) {
    return measure(n, repeats).plainGflops();
  }

  /** The fastest rate any measurement of this process saw (GFLOP/s), or NaN before the first. */
  public static synchronized double processBest() {
    return processBest > 0 ? processBest : Double.NaN;
  }
}
