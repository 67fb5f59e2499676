package dev.cliptune.data;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A re-implementation of CPython's {@code random.Random} (checked against CPython 3.11), bit-for-bit for
 * integer seeds: the MT19937 generator of {@code Modules/_randommodule.c} and the sampling methods of
 * {@code Lib/random.py} that the official CoOp/Dassl loaders use.
 *
 * <ul>
 *   <li>{@link #seed(BigInteger)}: the absolute value of the seed is split into 32-bit words, least
 *       significant first (seed 0 gives the key {@code [0]}), and fed to MT19937's {@code init_by_array}.
 *   <li>{@link #getrandbits(int)}: one 32-bit output shifted right for {@code k <= 32}; otherwise
 *       {@code ceil(k/32)} outputs filling the result from the least significant word up, the last one
 *       shifted right to keep only the remaining bits.
 *   <li>{@link #randbelow(long)}: {@code getrandbits(n.bit_length())} until the value is below {@code n}.
 *   <li>{@link #sample(List, int)}: both of CPython's strategies (a shrinking pool for small populations,
 *       rejection against a set of chosen indices for large ones), switched on the same threshold.
 * </ul>
 *
 * <p>Not thread-safe, like one {@code random.Random} instance used from several threads without a lock.
 */
public final class PyRandom {
  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER_MASK = 0x80000000;
  private static final int LOWER_MASK = 0x7fffffff;

  private final int[] mt = new int[N];
  private int index = N + 1;

  /** A generator seeded with {@code seed}, as {@code random.Random(seed)}. */
  public PyRandom(long seed) {
    seed(seed);
  }

  /** A generator seeded with an arbitrarily large integer, as {@code random.Random(seed)}. */
  public PyRandom(BigInteger seed) {
    seed(seed);
  }

  // ------------------------------------------------------------------ seeding

  /** Re-seeds as {@code random.seed(seed)} does for an int (the sign is ignored). */
  public void seed(long seed) {
    seed(BigInteger.valueOf(seed));
  }

  /** Re-seeds as {@code random.seed(seed)} does for an int of any size (the sign is ignored). */
  public void seed(BigInteger seed) {
    initByArray(seedKey(seed));
  }

  /**
   * The {@code init_by_array} key CPython derives from an int seed: its absolute value in 32-bit words,
   * least significant first; at least one word (seed 0 gives {@code [0]}).
   */
  static int[] seedKey(BigInteger seed) {
    BigInteger n = seed.abs();
    int bits = n.bitLength();
    int words = bits == 0 ? 1 : (bits - 1) / 32 + 1;
    int[] key = new int[words];
    for (int i = 0; i < words; i++) {
      key[i] = n.shiftRight(32 * i).intValue();
    }
    return key;
  }

  /** MT19937 {@code init_genrand}: the linear-congruential fill of the state from one word. */
  private void initGenrand(int s) {
    mt[0] = s;
    for (int i = 1; i < N; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    index = N;
  }

  /** MT19937 {@code init_by_array} (2002 version), as used by CPython for every int seed. */
  private void initByArray(int[] key) {
    initGenrand(19650218);
    int i = 1;
    int j = 0;
    for (int k = Math.max(N, key.length); k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) {
        j = 0;
      }
    }
    for (int k = N - 1; k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = UPPER_MASK; // most significant bit set: the state is never all zero
  }

  // ------------------------------------------------------------------ raw output

  /** The next 32-bit MT19937 output as an unsigned value in {@code [0, 2^32)}. */
  public long nextUInt32() {
    return next32() & 0xffffffffL;
  }

  /** The next 32-bit output as a Java int (same bits, possibly negative). */
  private int next32() {
    if (index >= N) {
      twist();
    }
    int y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  /** Regenerates all N state words at once. */
  private void twist() {
    for (int kk = 0; kk < N; kk++) {
      int y = (mt[kk] & UPPER_MASK) | (mt[(kk + 1) % N] & LOWER_MASK);
      mt[kk] = mt[(kk + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
    }
    index = 0;
  }

  /** {@code random.random()}: a double in {@code [0, 1)} with 53 random bits (27 + 26). */
  public double random() {
    long a = nextUInt32() >>> 5;
    long b = nextUInt32() >>> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  /** {@code random.getrandbits(k)} for any {@code k >= 0}. */
  public BigInteger getrandbits(int k) {
    if (k < 0) {
      throw new IllegalArgumentException("number of bits must be non-negative");
    }
    if (k <= 63) {
      return BigInteger.valueOf(getrandbitsLong(k));
    }
    int words = (k - 1) / 32 + 1;
    // Big-endian magnitude for BigInteger: word i (least significant first) goes to byte block words-1-i.
    byte[] magnitude = new byte[words * 4];
    int remaining = k;
    for (int i = 0; i < words; i++, remaining -= 32) {
      int r = next32();
      if (remaining < 32) {
        r >>>= 32 - remaining; // keep the most significant bits of this output
      }
      int at = (words - 1 - i) * 4;
      magnitude[at] = (byte) (r >>> 24);
      magnitude[at + 1] = (byte) (r >>> 16);
      magnitude[at + 2] = (byte) (r >>> 8);
      magnitude[at + 3] = (byte) r;
    }
    return new BigInteger(1, magnitude);
  }

  /** {@code random.getrandbits(k)} for {@code 0 <= k <= 63}, as a non-negative long. */
  public long getrandbitsLong(int k) {
    if (k < 0 || k > 63) {
      throw new IllegalArgumentException("getrandbitsLong needs 0 <= k <= 63, got " + k);
    }
    if (k == 0) {
      return 0;
    }
    if (k <= 32) {
      return nextUInt32() >>> (32 - k);
    }
    // Two outputs: the first is the low word, the second (shifted) the high bits.
    long low = nextUInt32();
    long high = nextUInt32() >>> (64 - k);
    return (high << 32) | low;
  }

  // ------------------------------------------------------------------ integers in a range

  /**
   * {@code Random._randbelow(n)}: a uniform integer in {@code [0, n)}, drawn as
   * {@code getrandbits(n.bit_length())} repeated until it is below {@code n}.
   */
  public long randbelow(long n) {
    if (n <= 0) {
      throw new IllegalArgumentException("randbelow needs n > 0, got " + n);
    }
    int k = 64 - Long.numberOfLeadingZeros(n); // n.bit_length(), not (n-1): n may be 1
    long r = getrandbitsLong(k);
    while (r >= n) {
      r = getrandbitsLong(k);
    }
    return r;
  }

  /** {@code random.randrange(start, stop)} (step 1): a uniform integer in {@code [start, stop)}. */
  public long randrange(long start, long stop) {
    long width = Math.subtractExact(stop, start);
    if (width <= 0) {
      throw new IllegalArgumentException("empty range for randrange() (" + start + ", " + stop + ")");
    }
    return start + randbelow(width);
  }

  /** {@code random.randint(a, b)}: a uniform integer in {@code [a, b]}, both ends included. */
  public long randint(long a, long b) {
    return randrange(a, Math.addExact(b, 1));
  }

  // ------------------------------------------------------------------ sequences

  /** {@code random.choice(seq)}: one element, {@code seq[_randbelow(len(seq))]}. */
  public <T> T choice(List<T> seq) {
    if (seq.isEmpty()) {
      throw new IndexOutOfBoundsException("Cannot choose from an empty sequence");
    }
    return seq.get((int) randbelow(seq.size()));
  }

  /** {@code random.shuffle(x)}: Fisher–Yates from the end, swapping {@code x[i]} with {@code x[_randbelow(i+1)]}. */
  public void shuffle(List<?> x) {
    for (int i = x.size() - 1; i >= 1; i--) {
      int j = (int) randbelow(i + 1L);
      Collections.swap(x, i, j);
    }
  }

  /**
   * {@code random.sample(population, k)}: {@code k} distinct positions of {@code population}, in selection
   * order, as a new list (the input is not modified). Uses CPython's strategy for the given sizes: when
   * {@code n <= setSize(k)} a copy of the population is used as a shrinking pool (the chosen slot is filled
   * with the last live element); otherwise indices are drawn from the whole range and redrawn while already
   * chosen.
   *
   * @throws IllegalArgumentException when {@code k < 0} or {@code k > population.size()}
   */
  public <T> List<T> sample(List<T> population, int k) {
    Objects.requireNonNull(population, "population");
    int n = population.size();
    if (k < 0 || k > n) {
      throw new IllegalArgumentException("Sample larger than population or is negative (n=" + n + ", k=" + k + ")");
    }
    List<T> result = new ArrayList<>(k);
    if (n <= setSize(k)) {
      List<T> pool = new ArrayList<>(population);
      for (int i = 0; i < k; i++) {
        int j = (int) randbelow(n - i);
        result.add(pool.get(j));
        pool.set(j, pool.get(n - i - 1));
      }
    } else {
      Set<Integer> selected = new HashSet<>();
      for (int i = 0; i < k; i++) {
        int j = (int) randbelow(n);
        while (selected.contains(j)) {
          j = (int) randbelow(n);
        }
        selected.add(j);
        result.add(population.get(j));
      }
    }
    return result;
  }

  /**
   * CPython's pool/set threshold for {@code sample}: {@code 21}, plus {@code 4 ** ceil(log(3k, 4))} when
   * {@code k > 5}. The exponent is computed exactly as the smallest {@code e} with {@code 4^e >= 3k}; since
   * {@code 3k} is never a power of 4 this equals CPython's floating-point {@code ceil(log(3k, 4))} (verified
   * against CPython around every power of 4 up to 4^23).
   */
  static long setSize(int k) {
    long size = 21;
    if (k > 5) {
      long target = 3L * k;
      long pow = 1;
      while (pow < target) {
        pow *= 4;
      }
      size += pow;
    }
    return size;
  }
}
