package dev.cliptune.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which fp32 GEMM path this process runs: libtorch's statically linked MKL with its own CPU dispatch, or MKL's fast
 * path through cliptune's CPU-check shim ({@code src/main/c/mkl_intel_cpu.c}, preloaded by {@code bin/cliptune} on
 * non-Intel x86-64 CPUs). Read from {@code /proc/cpuinfo} (vendor), {@code /proc/self/maps} (is the shim mapped?)
 * and {@code CLIPTUNE_MKL_SHIM}; the benchmarks print it beside the matmul rate that shows its effect.
 *
 * @param vendor {@code vendor_id} of {@code /proc/cpuinfo} ("GenuineIntel", "AuthenticAMD", ...), or "" if unknown
 * @param arch {@code os.arch} of the JVM ("amd64", "aarch64", ...)
 * @param shimLibrary the shim's path when it is mapped into this process, else null
 * @param setting {@code CLIPTUNE_MKL_SHIM} as given, or null
 */
public record GemmPath(String vendor, String arch, String shimLibrary, String setting) {

  /** File name of the shim library (mkl-shim.sh builds it under the build directory's {@code native/}). */
  public static final String SHIM_FILE = "libcliptune_mkl_shim.so";

  /** This process. */
  public static GemmPath detect() {
    return new GemmPath(cpuVendor(), System.getProperty("os.arch", ""), mappedShim(),
        System.getenv("CLIPTUNE_MKL_SHIM"));
  }

  public boolean shimLoaded() {
    return shimLibrary != null;
  }

  private boolean x86() {
    return arch.equals("amd64") || arch.equals("x86_64");
  }

  private boolean intel() {
    return vendor.equals("GenuineIntel");
  }

  /** A short id for JSON: {@code mkl-shim}, {@code mkl-default-intel}, {@code mkl-default-generic} or {@code default}. */
  public String id() {
    if (shimLoaded()) {
      return "mkl-shim";
    }
    if (!x86()) {
      return "default";
    }
    return intel() ? "mkl-default-intel" : "mkl-default-generic";
  }

  /** One line for people: which path ran and why. */
  public String describe() {
    String cpu = vendor.isEmpty() ? "CPU vendor unknown" : vendor;
    if (shimLoaded()) {
      return "MKL fast path via the cliptune shim (" + cpu + "; " + SHIM_FILE
          + " preloaded, CLIPTUNE_MKL_SHIM=0 turns it off)";
    }
    if (!x86()) {
      return "libtorch's default BLAS (" + arch + ")";
    }
    if (intel()) {
      return "MKL default path (" + cpu + ": MKL's own fast path, no shim needed)";
    }
    String why = isOff(setting) ? "CLIPTUNE_MKL_SHIM=" + setting
        : "the shim is not loaded: built without a C compiler, or not started through bin/cliptune";
    return "MKL default path (" + cpu + ": MKL's generic code, slower; " + why + ")";
  }

  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", id());
    m.put("description", describe());
    m.put("cpu_vendor", vendor);
    m.put("shim", shimLibrary);
    return m;
  }

  static boolean isOff(String setting) {
    return setting != null && List.of("0", "off", "false", "no").contains(setting.trim().toLowerCase());
  }

  /** {@code vendor_id} of the first processor in {@code /proc/cpuinfo}, or "". */
  static String cpuVendor() {
    try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("vendor_id")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Path of the shim if it is mapped into this process ({@code /proc/self/maps}), else null. */
  static String mappedShim() {
    try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
      return lines.filter(l -> l.endsWith("/" + SHIM_FILE)).findFirst()
          .map(l -> l.substring(l.indexOf('/'))).orElse(null);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
