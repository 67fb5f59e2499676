package dev.cliptune.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Dassl's metrics on a hand-computed example. */
class MetricsTest {

  @Test
  void accuracyMacroF1AndPerClass() {
    // classes 0..3; class 3 never occurs in the ground truth but is predicted once
    Metrics m = new Metrics(4);
    int[][] pairs = {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 0}, {2, 2}, {2, 3}, {2, 2}};
    for (int[] p : pairs) {
      m.add(p[0], p[1]);
    }
    assertThat(m.accuracy()).isCloseTo(100.0 * 5 / 8, within(1e-12));
    // class 0: TP 2, FP 1 (a 1 predicted as 0), FN 1 -> P 2/3, R 2/3, F1 2/3
    // class 1: TP 1, FP 1, FN 1 -> 1/2
    // class 2: TP 2, FP 0, FN 1 -> P 1, R 2/3, F1 0.8
    // class 3 is absent from the ground truth: not averaged
    assertThat(m.macroF1()).isCloseTo(100 * (2.0 / 3 + 0.5 + 0.8) / 3, within(1e-9));
    double[] pc = m.perClassAccuracy();
    assertThat(pc[0]).isCloseTo(100.0 * 2 / 3, within(1e-9));
    assertThat(pc[1]).isCloseTo(50, within(1e-9));
    assertThat(pc[3]).isNaN();
    assertThat(m.confusion()[2][3]).isEqualTo(1);
  }
}
