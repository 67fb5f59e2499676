package dev.cliptune.world;

import java.nio.charset.StandardCharsets;

/**
 * Derivation of independent 64-bit seeds from a root seed and a path of keys (SplitMix64 finaliser),
 * so every image of the world has its own seed and can be rendered in any order or in parallel
 * with identical results.
 */
final class Seeds {
  private Seeds() {}

  /** SplitMix64's finaliser: a bijective, well-mixing map of 64-bit values. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A seed for {@code key} below {@code parent}. */
  static long derive(long parent, long key) {
    return mix(parent + 0x9e3779b97f4a7c15L * (key + 1));
  }

  /** A seed for a string key below {@code parent} (FNV-1a over the UTF-8 bytes, then mixed). */
  static long derive(long parent, String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return derive(parent, h);
  }

  /** A uniform value in [0, 1) from a hash of the given integers, for per-pixel noise. */
  static float unit(long seed, int a, int b) {
    long h = mix(seed ^ (a * 0x632be59bd9b4e019L) ^ (b * 0x85157af5L));
    return (h >>> 40) * 0x1.0p-24f;
  }
}
