package dev.cliptune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link PyRandom} against values printed by CPython 3.11.7's {@code random} module (the snippet that
 * produced each value is quoted in its test).
 */
class PyRandomTest {

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  @Test
  void getrandbits32AfterSmallSeeds() {
    // random.seed(1); [random.getrandbits(32) for _ in range(5)]
    PyRandom r = new PyRandom(1);
    assertThat(List.of(r.nextUInt32(), r.nextUInt32(), r.nextUInt32(), r.nextUInt32(), r.nextUInt32()))
        .containsExactly(577090037L, 2444712010L, 3639700191L, 3445702192L, 3280387012L);
    // random.seed(0): key [0]
    PyRandom z = new PyRandom(0);
    assertThat(List.of(z.getrandbitsLong(32), z.getrandbitsLong(32), z.getrandbitsLong(32)))
        .containsExactly(3626764237L, 1654615998L, 3255389356L);
  }

  @Test
  void negativeSeedUsesTheAbsoluteValue() {
    // random.seed(-5); random.getrandbits(32)  ==  random.seed(5); random.getrandbits(32)
    assertThat(new PyRandom(-5).nextUInt32()).isEqualTo(2675342405L);
    assertThat(new PyRandom(5).nextUInt32()).isEqualTo(2675342405L);
  }

  @Test
  void multiWordSeeds() {
    // random.seed(12345678901234567890123456789); random.getrandbits(32), random.getrandbits(32)
    PyRandom r = new PyRandom(new BigInteger("12345678901234567890123456789"));
    assertThat(r.nextUInt32()).isEqualTo(2573086388L);
    assertThat(r.nextUInt32()).isEqualTo(254371923L);
    // random.seed(4294967301); random.sample(range(10**6), 4), random.randint(0, 2**40)
    PyRandom s = new PyRandom(4294967301L);
    assertThat(s.sample(new LazyRange(1_000_000), 4)).containsExactly(164912, 509079, 296208, 933154);
    assertThat(s.randint(0, 1L << 40)).isEqualTo(777451458305L);
    assertThat(PyRandom.seedKey(BigInteger.valueOf(4294967301L))).containsExactly(5, 1);
    assertThat(PyRandom.seedKey(BigInteger.ZERO)).containsExactly(0);
  }

  @Test
  void randomIs53BitFloat() {
    // random.seed(42); random.random(), random.random()
    PyRandom r = new PyRandom(42);
    assertThat(r.random()).isEqualTo(0.6394267984578837);
    assertThat(r.random()).isEqualTo(0.025010755222666936);
  }

  @Test
  void getrandbitsOfVariousWidths() {
    // random.seed(3); getrandbits(1), (7), (33), (64), (100)
    PyRandom r = new PyRandom(3);
    assertThat(r.getrandbits(1)).isEqualTo(BigInteger.ZERO);
    assertThat(r.getrandbits(7)).isEqualTo(BigInteger.valueOf(75));
    assertThat(r.getrandbits(33)).isEqualTo(BigInteger.valueOf(2337446730L));
    assertThat(r.getrandbits(64)).isEqualTo(new BigInteger("16896199536424608164"));
    assertThat(r.getrandbits(100)).isEqualTo(new BigInteger("762628132347277506677774647549"));
    assertThat(r.getrandbits(0)).isEqualTo(BigInteger.ZERO);
  }

  @Test
  void sampleUsesTheSetStrategyForLargePopulations() {
    // random.seed(2**40+7); random.sample(range(1000), 10)   (n=1000 > 21+4**3: selected-set strategy)
    PyRandom r = new PyRandom((1L << 40) + 7);
    assertThat(r.sample(range(1000), 10)).containsExactly(628, 765, 834, 960, 967, 654, 584, 722, 487, 256);
  }

  @Test
  void sampleStrategyThreshold() {
    // k <= 5: threshold 21.   random.seed(7); random.sample(list(range(20)), 5)   -> pool
    assertThat(new PyRandom(7).sample(range(20), 5)).containsExactly(10, 4, 12, 1, 2);
    //                         random.seed(7); random.sample(list(range(100)), 5)  -> set
    assertThat(new PyRandom(7).sample(range(100), 5)).containsExactly(41, 19, 50, 83, 6);
    // k = 6: threshold 21 + 4**ceil(log(18, 4)) = 85
    assertThat(PyRandom.setSize(5)).isEqualTo(21);
    assertThat(PyRandom.setSize(6)).isEqualTo(85);
    assertThat(PyRandom.setSize(16)).isEqualTo(21 + 64);
    assertThat(PyRandom.setSize(22)).isEqualTo(21 + 256);
    // random.seed(7); random.sample(list(range(45)), 6)  -> pool
    assertThat(new PyRandom(7).sample(range(45), 6)).containsExactly(20, 9, 25, 41, 3, 4);
    // random.seed(7); random.sample(list(range(85)), 6)  -> pool (n == threshold)
    assertThat(new PyRandom(7).sample(range(85), 6)).containsExactly(41, 19, 50, 6, 9, 68);
    // random.seed(7); random.sample(list(range(86)), 6)  -> set
    assertThat(new PyRandom(7).sample(range(86), 6)).containsExactly(41, 19, 50, 83, 6, 9);
  }

  @Test
  void sampleLeavesThePopulationAloneAndChecksK() {
    List<Integer> pop = new ArrayList<>(range(10));
    new PyRandom(1).sample(pop, 10);
    assertThat(pop).isEqualTo(range(10));
    assertThat(new PyRandom(1).sample(pop, 0)).isEmpty();
    assertThatThrownBy(() -> new PyRandom(1).sample(pop, 11)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PyRandom(1).sample(pop, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shuffleChoiceRandint() {
    // random.seed(11); x = list(range(10)); random.shuffle(x)
    List<Integer> x = new ArrayList<>(range(10));
    new PyRandom(11).shuffle(x);
    assertThat(x).containsExactly(2, 6, 0, 1, 5, 4, 3, 9, 8, 7);
    // random.seed(11); [random.choice('abcdefg') for _ in range(8)]
    PyRandom c = new PyRandom(11);
    List<String> letters = List.of("a", "b", "c", "d", "e", "f", "g");
    List<String> picked = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      picked.add(c.choice(letters));
    }
    assertThat(picked).containsExactly("d", "g", "e", "g", "g", "d", "d", "e");
    // random.seed(11); [random.randint(-3, 9) for _ in range(8)]
    PyRandom ri = new PyRandom(11);
    List<Long> ints = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ints.add(ri.randint(-3, 9));
    }
    assertThat(ints).containsExactly(4L, 5L, 9L, 4L, 4L, 5L, 6L, 0L);
  }

  @Test
  void reseedingRestartsTheSequence() {
    PyRandom r = new PyRandom(1);
    long first = r.nextUInt32();
    r.nextUInt32();
    r.seed(1);
    assertThat(r.nextUInt32()).isEqualTo(first);
  }

  /** {@code range(n)} without materialising it (as CPython samples from a range object). */
  private static final class LazyRange extends java.util.AbstractList<Integer> {
    private final int n;

    LazyRange(int n) {
      this.n = n;
    }

    @Override
    public Integer get(int i) {
      return i;
    }

    @Override
    public int size() {
      return n;
    }
  }
}
