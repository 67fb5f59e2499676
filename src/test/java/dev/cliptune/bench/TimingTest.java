package dev.cliptune.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TimingTest {

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Timing.median(new double[] {1, 2, 10})).isEqualTo(2);
    assertThat(Timing.median(new double[] {1, 2, 4, 10})).isEqualTo(3);
  }

  @Test
  void warmupCallsAreNotTimedAndTimesComeSorted() {
    AtomicInteger calls = new AtomicInteger();
    double[] t = Timing.sortedTimes(2, 5, calls::incrementAndGet);
    assertThat(calls).hasValue(7);
    assertThat(t).hasSize(5);
    for (int i = 1; i < t.length; i++) {
      assertThat(t[i]).isGreaterThanOrEqualTo(t[i - 1]);
    }
  }

  @Test
  void memoryGrowthIsCountedFromTheSampleAfterTheFirstTenth() {
    assertThat(Timing.maxGrowthAfterWarmup(new long[] {100, 150, 140, 200, 160})).isEqualTo(50);
    assertThat(Timing.maxGrowthAfterWarmup(new long[] {100, 150, 140, 130})).isZero();
    assertThat(Timing.maxGrowthAfterWarmup(new long[] {100})).isZero();
  }
}
