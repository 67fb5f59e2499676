package dev.cliptune.parity;

/**
 * The outcome of one parity check: the largest absolute difference to the reference and the tolerance it
 * was held to. Exact checks (token ids, shapes) use tolerance 0.
 */
public record Check(String name, Status status, double maxAbsError, double tolerance, String note) {

  public enum Status { PASS, FAIL, SKIP }

  public static Check compare(String name, double maxAbsError, double tolerance, String note) {
    boolean ok = !Double.isNaN(maxAbsError) && maxAbsError <= tolerance;
    return new Check(name, ok ? Status.PASS : Status.FAIL, maxAbsError, tolerance, note);
  }

  public static Check fail(String name, String why) {
    return new Check(name, Status.FAIL, Double.NaN, Double.NaN, why);
  }

  public static Check skip(String name, String why) {
    return new Check(name, Status.SKIP, Double.NaN, Double.NaN, why);
  }

  /** Error as a fraction of the tolerance (0 for an exact match, infinite for a failed exact check). */
  public double ratio() {
    if (status == Status.SKIP) {
      return 0;
    }
    if (Double.isNaN(maxAbsError)) {
      return Double.POSITIVE_INFINITY;
    }
    if (tolerance == 0) {
      return maxAbsError == 0 ? 0 : Double.POSITIVE_INFINITY;
    }
    return maxAbsError / tolerance;
  }

  /** One report line: status, name, max abs error, tolerance, ratio and an optional note. */
  public String line() {
    String err = Double.isNaN(maxAbsError) ? "-" : String.format("%.3e", maxAbsError);
    String tol = Double.isNaN(tolerance) ? "-" : String.format("%.0e", tolerance);
    String r = status == Status.SKIP || Double.isNaN(maxAbsError) ? "" : String.format("  (%s of tol)", fmtRatio(ratio()));
    return String.format("%-4s %-58s max_abs_err %-10s tol %-6s%s%s", status, name, err, tol, r,
        note == null || note.isEmpty() ? "" : "  " + note);
  }

  static String fmtRatio(double r) {
    if (Double.isInfinite(r)) {
      return "inf";
    }
    return r >= 100 ? String.format("%.0f", r) : String.format("%.3g", r);
  }
}
