package dev.cliptune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The per-epoch rates of PROTOCOL.md §7, including the MIP notebook's last-epoch value. */
class LrScheduleTest {

  @Test
  void cocoopTenEpochs() {
    double[] want = {1e-5, 0.002, 0.0019511, 0.0018090, 0.0015878, 0.0013090, 0.001, 0.00069098, 0.00041221,
        0.00019098};
    LrSchedule s = LrSchedule.official(0.002, 10);
    for (int e = 0; e < want.length; e++) {
      assertThat(s.lr(e)).as("epoch %d", e).isCloseTo(want[e], within(5e-8));
    }
  }

  @Test
  void mapleFiveEpochs() {
    double[] want = {1e-5, 0.0035, 0.0031658, 0.0022908, 0.0012092};
    LrSchedule s = LrSchedule.official(0.0035, 5);
    for (int e = 0; e < want.length; e++) {
      assertThat(s.lr(e)).as("epoch %d", e).isCloseTo(want[e], within(5e-8));
    }
  }
}
