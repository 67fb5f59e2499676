package dev.cliptune.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cliptune.clip.ClipConfig;
import org.junit.jupiter.api.Test;

/** The bench yardstick: GEMM path reporting, plain/best rates, and text FLOPs counted at the length run. */
class YardstickTest {

  @Test
  void gemmPathNamesWhatRanAndWhy() {
    GemmPath amdShim = new GemmPath("AuthenticAMD", "amd64", "/x/native/" + GemmPath.SHIM_FILE, null);
    assertThat(amdShim.id()).isEqualTo("mkl-shim");
    assertThat(amdShim.describe()).startsWith("MKL fast path via the cliptune shim (AuthenticAMD");

    GemmPath amdOff = new GemmPath("AuthenticAMD", "amd64", null, "0");
    assertThat(amdOff.id()).isEqualTo("mkl-default-generic");
    assertThat(amdOff.describe()).contains("generic code").contains("CLIPTUNE_MKL_SHIM=0");

    GemmPath amdMissing = new GemmPath("AuthenticAMD", "amd64", null, null);
    assertThat(amdMissing.describe()).contains("not loaded");

    GemmPath intel = new GemmPath("GenuineIntel", "amd64", null, null);
    assertThat(intel.id()).isEqualTo("mkl-default-intel");
    assertThat(intel.describe()).contains("MKL's own fast path");

    assertThat(new GemmPath("", "aarch64", null, null).id()).isEqualTo("default");
    assertThat(amdShim.json()).containsEntry("path", "mkl-shim").containsEntry("cpu_vendor", "AuthenticAMD");
  }

  @Test
  void thisProcessReportsTheShimOnlyWhenMapped() {
    GemmPath here = GemmPath.detect();
    String preload = System.getenv("LD_PRELOAD");
    boolean asked = preload != null && preload.contains(GemmPath.SHIM_FILE);
    assertThat(here.shimLoaded()).as("LD_PRELOAD=%s", preload).isEqualTo(asked);
  }

  @Test
  void bestRateIsTheFastestCallAndTheProcessKeepsTheLargest() {
    MatmulRate.Yardstick y = MatmulRate.measure(128, 96, 64, 5);
    assertThat(y.bestGflops()).isGreaterThanOrEqualTo(y.plainGflops()).isPositive();
    assertThat(MatmulRate.processBest()).isGreaterThanOrEqualTo(y.bestGflops());
    assertThat(y.shape()).isEqualTo("[128x96]x[96x64]");
    assertThat(y.json()).containsKeys("gflops", "best_gflops", "gemm_path");
  }

  @Test
  void textFlopsCountThePositionsTheTowerRuns() {
    int ctx = 77;
    long[] ids = new long[2 * ctx];
    ids[0] = 49406;
    ids[1] = 320;
    ids[2] = 49407; // row 0: EOT at 2
    ids[ctx] = 49406;
    for (int j = 1; j < 11; j++) {
      ids[ctx + j] = 500 + j;
    }
    ids[ctx + 11] = 49407; // row 1: EOT at 11 -> 12 positions, rounded up to 16
    assertThat(Flops.textTokens(ids, ctx)).isEqualTo(16);
    ids[ctx + 11] = 0;
    ids[ctx + 76] = 49407;
    assertThat(Flops.textTokens(ids, ctx)).isEqualTo(77);

    ClipConfig c = ClipConfig.vitB16();
    assertThat(Flops.text(c, 16)).isLessThan(Flops.text(c, 77) / 4);
    // 77 positions: the 5.96 GFLOP of one prompt in shared/perf/official-cpu.md
    assertThat(Flops.text(c, 77) / 1e9).isBetween(5.9, 6.0);
  }
}
