package dev.cliptune.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MKL CPU-check shim (src/main/c): the build's decision to preload it matches this test JVM, and in a child JVM
 * the dynamic linker really binds libtorch_cpu.so's call of {@code mkl_serv_intel_cpu_true} to the shim (checked
 * with {@code LD_DEBUG=bindings}, not assumed), with the product equal to the one without the shim up to fp32
 * rounding (a different kernel may sum in another order). Skips where the shim was not built (no C compiler) or the
 * platform is not x86-64 Linux.
 */
class MklShimTest {
  private static Path shim;
  private static final Path SCRIPT = Path.of("src/main/c/mkl-shim.sh");

  @BeforeAll
  static void locate() {
    String dir = System.getProperty("cliptune.buildDirectory", "target");
    shim = Path.of(dir, "native", GemmPath.SHIM_FILE).toAbsolutePath();
    assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"),
        "skipped: the MKL shim is for x86-64 Linux");
    assumeTrue(Files.isRegularFile(shim), "skipped: " + shim + " not built (no C compiler at build time)");
  }

  private static String script(String setting) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("sh", SCRIPT.toString(), "preload", shim.getParent().getParent().toString());
    if (setting == null) {
      pb.environment().remove("CLIPTUNE_MKL_SHIM");
    } else {
      pb.environment().put("CLIPTUNE_MKL_SHIM", setting);
    }
    Process p = pb.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor()).as("mkl-shim.sh preload exit code (output: %s)", out).isZero();
    return out;
  }

  @Test
  void preloadDecisionFollowsVendorAndSwitch() throws Exception {
    assertThat(script("0")).as("CLIPTUNE_MKL_SHIM=0").isEmpty();
    assertThat(Path.of(script("1"))).as("CLIPTUNE_MKL_SHIM=1").isEqualTo(shim);
    boolean intel = GemmPath.cpuVendor().equals("GenuineIntel");
    assertThat(script(null)).as("automatic on a %s CPU", GemmPath.cpuVendor()).isEqualTo(intel ? "" : shim.toString());
    // surefire's LD_PRELOAD comes from the same script (pom.xml): this JVM has the shim exactly when it says so
    assertThat(GemmPath.detect().shimLoaded()).as("shim mapped into the test JVM")
        .isEqualTo(!script(System.getenv("CLIPTUNE_MKL_SHIM")).isEmpty());
  }

  /** Runs {@link GemmProbe} in a child JVM; returns its output line and the linker's bindings of the MKL check. */
  private static String[] probe(Path dir, boolean withShim) throws Exception {
    Files.createDirectories(dir);
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp",
        System.getProperty("java.class.path"), GemmProbe.class.getName());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
    Map<String, String> env = pb.environment();
    env.remove("LD_PRELOAD");
    env.remove("CLIPTUNE_MKL_SHIM");
    if (withShim) {
      env.put("LD_PRELOAD", shim.toString());
    }
    env.put("OMP_WAIT_POLICY", "PASSIVE");
    env.put("LD_DEBUG", "bindings");
    env.put("LD_DEBUG_OUTPUT", dir.resolve("ld").toString());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("probe finished").isTrue();
    List<String> out = Files.readAllLines(dir.resolve("out.txt"));
    assertThat(p.exitValue()).as("probe exit code, output %s", out).isZero();
    StringBuilder bindings = new StringBuilder();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("ld.")).toList()) {
        try (Stream<String> lines = Files.lines(f, StandardCharsets.ISO_8859_1)) {
          lines.filter(l -> l.contains("`mkl_serv_intel_cpu")).forEach(l -> bindings.append(l.trim()).append('\n'));
        }
      }
    }
    return new String[] {out.get(out.size() - 1), bindings.toString()};
  }

  @Test
  void libtorchBindsTheVendorCheckToThePreloadedShim(@TempDir Path tmp) throws Exception {
    String[] with = probe(tmp.resolve("with"), true);
    String[] without = probe(tmp.resolve("without"), false);
    System.out.println("with the shim:    " + with[0] + "\n" + with[1] + "without the shim: " + without[0] + "\n" + without[1]);

    assertThat(with[1]).as("LD_DEBUG bindings with the shim preloaded")
        .containsPattern("libtorch_cpu\\.so \\[0\\] to \\S*" + GemmPath.SHIM_FILE + " \\[0\\]: normal symbol `mkl_serv_intel_cpu_true'");
    assertThat(with[0]).startsWith("mkl-shim ");
    assertThat(without[1]).as("LD_DEBUG bindings without the shim").doesNotContain(GemmPath.SHIM_FILE)
        .contains("libtorch_cpu.so [0]: normal symbol `mkl_serv_intel_cpu_true'");
    assertThat(without[0]).doesNotStartWith("mkl-shim");

    double a = Double.parseDouble(with[0].split(" ")[1]);
    double b = Double.parseDouble(without[0].split(" ")[1]);
    System.out.printf("sum |C| with %.9e, without %.9e, relative difference %.2e (tolerance 1e-6)%n", a, b,
        Math.abs(a - b) / b);
    assertThat(Math.abs(a - b) / b).as("same product up to fp32 summation order").isLessThan(1e-6);
  }
}
