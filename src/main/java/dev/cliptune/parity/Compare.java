package dev.cliptune.parity;

import java.util.Arrays;

/** Element-wise comparisons of float/long arrays against references. */
public final class Compare {
  private Compare() {}

  /** The largest absolute difference; NaN when the lengths differ or a value is not finite in only one. */
  public static double maxAbs(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.NaN;
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - (double) b[i]);
      if (Double.isNaN(d)) {
        if (!(Float.isNaN(a[i]) && Float.isNaN(b[i])) && a[i] != b[i]) {
          return Double.NaN;
        }
        continue;
      }
      m = Math.max(m, d);
    }
    return m;
  }

  public static double maxAbs(long[] a, long[] b) {
    if (a.length != b.length) {
      return Double.NaN;
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - (double) b[i]));
    }
    return m;
  }

  public static double maxAbsValue(float[] a) {
    double m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** A short description of the first differing position, for notes. */
  public static String firstDifference(long[] a, long[] b) {
    if (a.length != b.length) {
      return "length " + a.length + " vs " + b.length;
    }
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        return "first difference at " + i + ": " + a[i] + " vs " + b[i] + " ("
            + Arrays.toString(Arrays.copyOfRange(a, Math.max(0, i - 2), Math.min(a.length, i + 3))) + ")";
      }
    }
    return "";
  }
}
