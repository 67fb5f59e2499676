package dev.cliptune.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One benchmark row: median seconds per call, images per second (null where no image is involved) and the
 * achieved GFLOP/s of the analytic operation count.
 */
public record BenchRow(String id, String what, double seconds, Double imagesPerS, double gflopPerCall) {

  public double gflops() {
    return gflopPerCall / seconds;
  }

  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("seconds", seconds);
    m.put("images_per_s", imagesPerS);
    m.put("gflops", gflops());
    return m;
  }

  public String line(double matmulGflops) {
    return String.format("%-16s %-52s %9.4f s  %9s  %7.1f GFLOP/s (%4.0f%% of matmul)", id, what, seconds,
        imagesPerS == null ? "" : String.format("%.2f img/s", imagesPerS), gflops(),
        100 * gflops() / matmulGflops);
  }
}
