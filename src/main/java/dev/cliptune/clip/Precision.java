package dev.cliptune.clip;

import dev.cliptune.io.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The number format of the frozen encoders at inference ({@code --precision} of {@code predict}, {@code serve},
 * {@code eval}). {@link #FP32} is the official forward. {@link #BF16} runs every transformer block of both towers
 * with bfloat16 weights and activations (attention softmax accumulated in float32) and hands float32 features
 * back, so logits and probabilities stay float32 ({@link ClipModel#create(ClipWeights, Precision)} says what else
 * stays float32).
 * Training always runs in float32.
 */
public enum Precision {
  FP32,
  BF16;

  /** The system property naming a file read instead of {@code /proc/cpuinfo} (tests simulate other CPUs with it). */
  public static final String CPUINFO_PROPERTY = "cliptune.cpuinfo";

  /** The CPU flag of the AVX-512 bfloat16 instructions libtorch's oneDNN bfloat16 products need to be fast. */
  public static final String BF16_FLAG = "avx512_bf16";

  /** {@code fp32} or {@code bf16} (any case); a user error naming both otherwise. */
  public static Precision parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UserException("--precision " + s + ": expected fp32 or bf16");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Refuses {@link #BF16} on a CPU without {@value #BF16_FLAG} (a user error): there libtorch emulates bfloat16
   * products in slow generic code, so the option would only lose accuracy. Returns this precision otherwise.
   */
  public Precision requireSupported() {
    if (this == FP32) {
      return this;
    }
    Path cpuinfo = Path.of(System.getProperty(CPUINFO_PROPERTY, "/proc/cpuinfo"));
    String text;
    try {
      text = Files.readString(cpuinfo);
    } catch (IOException e) {
      throw new UserException("--precision bf16: cannot read " + cpuinfo + " to check that the CPU has "
          + BF16_FLAG + " (" + e.getMessage() + "); use --precision fp32");
    }
    if (!hasBf16(text)) {
      throw new UserException("--precision bf16: this CPU has no " + BF16_FLAG + " in the flags of " + cpuinfo
          + " (AVX-512 bfloat16 instructions, needed for fast bfloat16 products); use --precision fp32");
    }
    return this;
  }

  /** Whether every {@code flags} line of a {@code /proc/cpuinfo} text lists {@value #BF16_FLAG} (and one exists). */
  static boolean hasBf16(String cpuinfo) {
    boolean any = false;
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0 || !line.substring(0, colon).trim().equals("flags")) {
        continue;
      }
      any = true;
      if (Arrays.stream(line.substring(colon + 1).trim().split("\\s+")).noneMatch(BF16_FLAG::equals)) {
        return false;
      }
    }
    return any;
  }
}
