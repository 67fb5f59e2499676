package dev.cliptune.clip.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The byte-level alphabet of CLIP's BPE, {@code bytes_to_unicode} of {@code simple_tokenizer.py}: each of the 256
 * byte values is a character — printable Latin-1 bytes stand for themselves, the other 68 are mapped to U+0100
 * onwards — so that any UTF-8 text is a string over 256 symbols. The one copy of that table: the tokenizer, the
 * hermetic world's vocabulary and the benchmarks' stand-in vocabulary all build on it.
 */
public final class ByteAlphabet {
  /** Byte value to its character. */
  private static final char[] BYTE_TO_CHAR = new char[256];
  /** The inverse of {@link #BYTE_TO_CHAR}, -1 for characters outside the alphabet. */
  private static final int[] CHAR_TO_BYTE = new int[256 + 68];
  /** The 256 characters in vocabulary order: unchanged bytes first, then remapped ones. */
  private static final List<String> SYMBOLS;

  static {
    List<String> kept = new ArrayList<>();
    List<String> remapped = new ArrayList<>();
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
      BYTE_TO_CHAR[b] = (char) (printable ? b : next++);
      (printable ? kept : remapped).add(String.valueOf(BYTE_TO_CHAR[b]));
    }
    Arrays.fill(CHAR_TO_BYTE, -1);
    for (int b = 0; b < 256; b++) {
      CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
    }
    kept.addAll(remapped);
    SYMBOLS = List.copyOf(kept);
  }

  private ByteAlphabet() {}

  /** The character of byte value {@code b} (0..255). */
  public static char charOf(int b) {
    return BYTE_TO_CHAR[b];
  }

  /** The byte value of an alphabet character, or -1 for a character outside the alphabet. */
  public static int byteOf(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /** The 256 one-character symbols in the order the official vocabulary lists them (its first 256 ids). */
  public static List<String> symbols() {
    return SYMBOLS;
  }
}
