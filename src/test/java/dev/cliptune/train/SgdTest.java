package dev.cliptune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.cliptune.prompt.PromptParameter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Sgd} against {@code torch.optim.SGD} on numbers worked out by hand. Every parameter gets the
 * constant gradient {@code g} from {@code loss = Σ p·g}, so each step is easy to follow on paper.
 */
class SgdTest {
  private static final float EPS = 1e-6f;

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private PromptParameter param(String name, float... values) {
    NDArray a = manager.create(values);
    a.setRequiresGradient(true);
    return new PromptParameter(name, name, a);
  }

  /** Back-propagates {@code Σ_i p_i·g_i}: adds {@code g_i} to the gradient of {@code p_i}. */
  private void backward(List<PromptParameter> ps, float[]... grads) {
    try (NDManager s = manager.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray loss = null;
      for (int i = 0; i < ps.size(); i++) {
        NDArray g = s.create(grads[i]);
        NDArray term = g.mul(ps.get(i).value()).sum(); // first operand in s: the graph stays in s
        loss = loss == null ? term : loss.add(term);
      }
      gc.backward(loss);
    }
  }

  private static float[] grad(PromptParameter p) {
    try (NDArray g = p.value().getGradient()) {
      return g.toFloatArray();
    }
  }

  private static void assertValues(float[] got, double... want) {
    assertThat(got).hasSize(want.length);
    for (int i = 0; i < want.length; i++) {
      assertThat((double) got[i]).as("element %d", i).isCloseTo(want[i], within((double) EPS));
    }
  }

  @Test
  void firstStepUsesTheDecayedGradientAsBufferThenMomentumAccumulates() {
    PromptParameter p = param("p", 1.0f, -2.0f);
    float[] g = {0.5f, 0.25f};
    try (Sgd sgd = new Sgd(List.of(p), 0.9, 0.1)) {
      backward(List.of(p), g);
      sgd.step(0.1);
      // d1 = g + 0.1·p0 = [0.6, 0.05]; buf = d1; p1 = p0 − 0.1·buf
      assertValues(sgd.state().get("p"), 0.6, 0.05);
      assertValues(p.value().toFloatArray(), 0.94, -2.005);

      backward(List.of(p), g);
      sgd.step(0.1);
      // d2 = g + 0.1·p1 = [0.594, 0.0495]; buf = 0.9·[0.6, 0.05] + d2 = [1.134, 0.0945]
      assertValues(sgd.state().get("p"), 1.134, 0.0945);
      assertValues(p.value().toFloatArray(), 0.94 - 0.1134, -2.005 - 0.00945);
      assertThat(sgd.steps()).isEqualTo(2);
    }
  }

  @Test
  void weightDecayAppliesToEveryParameter() {
    PromptParameter a = param("a", 2.0f);
    PromptParameter b = param("b", -4.0f, 1.0f);
    try (Sgd sgd = new Sgd(List.of(a, b), 0.0, 0.5)) {
      backward(List.of(a, b), new float[] {0f}, new float[] {0f, 0f});
      sgd.step(0.1);
      // zero gradients: only the decay moves the weights, p ← p − 0.1·0.5·p = 0.95·p
      assertValues(a.value().toFloatArray(), 1.9);
      assertValues(b.value().toFloatArray(), -3.8, 0.95);
    }
  }

  @Test
  void aLearningRateChangeScalesTheWholeBufferNotOnlyTheNewGradient() {
    PromptParameter p = param("p", 1.0f, -2.0f);
    float[] g = {0.5f, 0.25f};
    try (Sgd sgd = new Sgd(List.of(p), 0.9, 0.1)) {
      backward(List.of(p), g);
      sgd.step(0.1); // p1 = [0.94, -2.005], buf = [0.6, 0.05]
      backward(List.of(p), g);
      sgd.step(0.05); // buf = [1.134, 0.0945] (unscaled), p2 = p1 − 0.05·buf
      float[] got = p.value().toFloatArray();
      // torch.optim.SGD: p2 = p1 − lr2·(m·d1 + d2)
      assertValues(got, 0.94 - 0.05 * 1.134, -2.005 - 0.05 * 0.0945);
      // DJL's optimizer keeps the lr-scaled velocity v = m·v − lr·d, i.e. p2 = p1 − (m·lr1·d1 + lr2·d2):
      // with lr1 ≠ lr2 that is a different point (0.8563 instead of 0.8833 for the first element)
      double djl0 = 0.94 - (0.9 * 0.1 * 0.6 + 0.05 * 0.594);
      assertThat((double) got[0]).isNotCloseTo(djl0, within(1e-3));
      assertThat(sgd.state().get("p")).as("the buffer does not carry the learning rate")
          .containsExactly(new float[] {1.134f, 0.0945f}, org.assertj.core.data.Offset.offset(EPS));
    }
  }

  @Test
  void gradientsAreZeroedAfterAStepSoTheNextBackwardDoesNotAccumulate() {
    PromptParameter p = param("p", 1.0f, -2.0f);
    float[] g = {0.5f, 0.25f};
    // libtorch accumulates: two backward passes without a step give 2g
    backward(List.of(p), g);
    backward(List.of(p), g);
    assertValues(grad(p), 1.0, 0.5);
    try (Sgd sgd = new Sgd(List.of(p), 0.0, 0.0)) {
      sgd.zeroGradients();
      assertValues(grad(p), 0, 0);
      backward(List.of(p), g);
      sgd.step(1.0);
      assertValues(grad(p), 0, 0);
      assertValues(p.value().toFloatArray(), 0.5, -2.25);
      backward(List.of(p), g);
      assertValues(grad(p), 0.5, 0.25);
      sgd.step(1.0); // a stale gradient would move p by 2g
      assertValues(p.value().toFloatArray(), 0.0, -2.5);
    }
  }

  @Test
  void withoutMomentumTheBufferIsTheCurrentDecayedGradient() {
    PromptParameter p = param("p", 1.0f);
    try (Sgd sgd = new Sgd(List.of(p), 0.0, 0.1)) {
      backward(List.of(p), new float[] {1.0f});
      sgd.step(0.1); // d = 1.1, p = 0.89
      backward(List.of(p), new float[] {1.0f});
      sgd.step(0.1); // d = 1.089, p = 0.89 − 0.1089
      assertValues(p.value().toFloatArray(), 0.89 - 0.1089);
      assertValues(sgd.state().get("p"), 1.089);
    }
  }

  @Test
  void restoredMomentumContinuesLikeAnUninterruptedRun() {
    float[] g = {0.5f, 0.25f};
    PromptParameter a = param("p", 1.0f, -2.0f);
    Map<String, float[]> state;
    float[] afterTwo;
    try (Sgd sgd = new Sgd(List.of(a), 0.9, 0.1)) {
      backward(List.of(a), g);
      sgd.step(0.1);
      state = sgd.state();
      backward(List.of(a), g);
      sgd.step(0.1);
      afterTwo = a.value().toFloatArray();
    }
    PromptParameter b = param("p", 0.94f, -2.005f); // the values after the first step
    try (Sgd sgd = new Sgd(List.of(b), 0.9, 0.1)) {
      sgd.restore(state, 1);
      backward(List.of(b), g);
      sgd.step(0.1);
      assertThat(b.value().toFloatArray()).containsExactly(afterTwo, org.assertj.core.data.Offset.offset(EPS));
      assertThat(sgd.steps()).isEqualTo(2);
    }
  }

  @Test
  void stepsDoNotAccumulateArraysInTheParametersManager() {
    PromptParameter a = param("a", 1.0f, 2.0f, 3.0f);
    PromptParameter b = param("b", -1.0f);
    List<PromptParameter> ps = List.of(a, b);
    try (Sgd sgd = new Sgd(ps, 0.9, 5e-4)) {
      backward(ps, new float[] {1f, 1f, 1f}, new float[] {1f});
      sgd.step(0.01);
      backward(ps, new float[] {1f, 1f, 1f}, new float[] {1f});
      sgd.step(0.01);
      int live = manager.getManagedArrays().size();
      for (int i = 0; i < 5; i++) {
        backward(ps, new float[] {1f, 1f, 1f}, new float[] {1f});
        sgd.step(0.01);
      }
      // the optimiser's buffers live in a sub-manager of the parameters' manager and are counted once
      assertThat(manager.getManagedArrays()).as("arrays alive after 5 more steps").hasSize(live);
    }
  }
}
