package dev.cliptune.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used by other processes while a measurement ran (Linux {@code /proc/stat} minus
 * {@code /proc/self/stat}), in cores: on a shared machine a row measured while something else was busy is
 * recognisable, and can be measured again.
 */
final class CpuLoad {
  /** Clock ticks per second of {@code /proc} ({@code USER_HZ}; 100 on Linux). */
  private static final double HZ = 100;

  private final long total;
  private final long self;
  private final long nanos;

  private CpuLoad(long total, long self, long nanos) {
    this.total = total;
    this.self = self;
    this.nanos = nanos;
  }

  /** A reading now, or null where {@code /proc} is unavailable. */
  static CpuLoad now() {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait irq softirq steal ..."
      String[] f = cpu.trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) { // idle, iowait
          busy += Long.parseLong(f[i]);
        }
      }
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] s = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+"); // fields from 3 (state) on
      long mine = Long.parseLong(s[11]) + Long.parseLong(s[12]); // utime (14), stime (15)
      return new CpuLoad(busy, mine, System.nanoTime());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Average cores used by other processes between {@code start} and now; NaN if unknown. */
  static double othersSince(CpuLoad start) {
    CpuLoad end = now();
    if (start == null || end == null || end.nanos == start.nanos) {
      return Double.NaN;
    }
    double seconds = (end.nanos - start.nanos) / 1e9;
    double others = ((end.total - start.total) - (end.self - start.self)) / HZ;
    return Math.max(0, others / seconds);
  }

  /**
   * Waits until other processes have used less than {@code cores} over one second, or {@code maxSeconds} have
   * passed; returns the seconds waited.
   */
  static double settle(double cores, double maxSeconds) {
    long start = System.nanoTime();
    while ((System.nanoTime() - start) / 1e9 < maxSeconds) {
      CpuLoad a = now();
      if (a == null) {
        break;
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (othersSince(a) < cores) {
        break;
      }
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
