package dev.cliptune.bench;

import java.util.Arrays;

/** Median-of-n wall-clock timing after warm-up calls. */
public final class Timing {
  private Timing() {}

  /** Runs {@code warmup} untimed calls, then {@code repeats} timed ones; returns the median in seconds. */
  public static double median(int warmup, int repeats, Runnable call) {
    return median(sortedTimes(warmup, repeats, call));
  }

  /** Runs {@code warmup} untimed calls, then {@code repeats} timed ones; returns their seconds, sorted ascending. */
  public static double[] sortedTimes(int warmup, int repeats, Runnable call) {
    for (int i = 0; i < warmup; i++) {
      call.run();
    }
    double[] t = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      long s = System.nanoTime();
      call.run();
      t[i] = (System.nanoTime() - s) / 1e9;
    }
    Arrays.sort(t);
    return t;
  }

  /** The median of ascending values (the mean of the middle two for an even count). */
  public static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /**
   * Largest sample minus the sample after the first tenth of a memory run (samples taken at 0, 1/10, ..., 10/10 of
   * the run), so that warm-up allocations do not count as growth.
   */
  public static long maxGrowthAfterWarmup(long[] rssSamples) {
    long base = rssSamples[Math.min(1, rssSamples.length - 1)];
    long max = base;
    for (int i = 1; i < rssSamples.length; i++) {
      max = Math.max(max, rssSamples[i]);
    }
    return max - base;
  }

  /** Resident set size of this process in bytes (Linux {@code /proc/self/status}), or -1. */
  public static long rssBytes() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] p = line.trim().split("\\s+");
          return Long.parseLong(p[1]) * 1024;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
