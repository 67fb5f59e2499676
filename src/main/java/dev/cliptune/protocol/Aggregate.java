package dev.cliptune.protocol;

import java.util.List;

/** Seed aggregation of {@code parse_test_res.py} (PROTOCOL.md §10) and the base-to-novel harmonic mean. */
public final class Aggregate {
  private Aggregate() {}

  /** Mean and population standard deviation (ddof 0). */
  public record MeanStd(double mean, double std, int n) {
    @Override
    public String toString() {
      return String.format("%.2f ± %.2f", mean, std);
    }
  }

  public static MeanStd of(List<Double> values) {
    int n = values.size();
    if (n == 0) {
      return new MeanStd(Double.NaN, Double.NaN, 0);
    }
    double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
    double var = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / n;
    return new MeanStd(mean, Math.sqrt(var), n);
  }

  /** {@code 2·B·N / (B + N)} of the seed means. */
  public static double harmonicMean(double base, double novel) {
    return base + novel == 0 ? 0 : 2 * base * novel / (base + novel);
  }

  /** Rounds to one decimal, as the official logs print accuracies (the official aggregation reads those). */
  public static double oneDecimal(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
