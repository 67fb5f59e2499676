package dev.cliptune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.cliptune.prompt.PromptParameter;
import dev.cliptune.prompt.checkpoint.TrainingState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.SGD} semantics, written out (DJL's own SGD scales the momentum buffer by the learning
 * rate, which diverges from PyTorch once the rate changes): for every parameter, {@code d = g + wd·p};
 * {@code buf = d} on its first step, else {@code buf = m·buf + d} (dampening 0, no Nesterov);
 * {@code p -= lr·buf}. Runs outside the gradient collector, in place, then zeroes the gradients (libtorch
 * accumulates them otherwise).
 */
public final class Sgd implements AutoCloseable {
  private final List<PromptParameter> params;
  private final double momentum;
  private final double weightDecay;
  private final NDManager manager;
  private final Map<String, NDArray> buffers = new LinkedHashMap<>();
  private long steps;

  public Sgd(List<PromptParameter> params, double momentum, double weightDecay) {
    this.params = List.copyOf(params);
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.manager = params.isEmpty() ? NDManager.newBaseManager() : params.get(0).value().getManager().newSubManager();
  }

  /** One update at learning rate {@code lr} from the gradients of the last backward pass. */
  public void step(double lr) {
    for (PromptParameter p : params) {
      NDArray w = p.value();
      try (NDArray g = w.getGradient(); NDManager tmp = manager.newSubManager()) {
        g.tempAttach(tmp);
        NDArray decay = weightDecay == 0 ? null : w.mul((float) weightDecay);
        if (decay != null) {
          decay.attach(tmp); // ops land in their first operand's manager: keep temporaries out of w's
        }
        NDArray d = decay == null ? g.duplicate() : g.add(decay);
        NDArray buf = buffers.get(p.name());
        if (buf == null || momentum == 0) {
          if (buf != null) {
            buf.close();
          }
          d.attach(manager);
          buffers.put(p.name(), d);
          buf = d;
        } else {
          buf.muli((float) momentum).addi(d);
        }
        NDArray update = buf.mul((float) lr);
        update.attach(tmp);
        w.subi(update);
        g.set(new NDIndex("..."), 0f); // zero in place (shared with the parameter); also clears NaN/Inf
      }
    }
    steps++;
  }

  /** Zeroes every gradient without updating (e.g. after a skipped step). */
  public void zeroGradients() {
    for (PromptParameter p : params) {
      try (NDArray g = p.value().getGradient()) {
        g.set(new NDIndex("..."), 0f);
      }
    }
  }

  public long steps() {
    return steps;
  }

  /** Momentum buffers by parameter name (for checkpoints); absent before a parameter's first step. */
  public Map<String, float[]> state() {
    Map<String, float[]> out = new LinkedHashMap<>();
    buffers.forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  /** Restores the momentum buffers and step count of a checkpoint's training state. */
  public void restore(TrainingState state) {
    restore(state.momentum(), state.sgdSteps());
  }

  /** Restores momentum buffers written by {@link #state()}. */
  public void restore(Map<String, float[]> state, long steps) {
    for (PromptParameter p : params) {
      float[] b = state.get(p.name());
      if (b != null) {
        NDArray old = buffers.put(p.name(), dev.cliptune.clip.Tensors.owned(manager, b, p.value().getShape()));
        if (old != null) {
          old.close();
        }
      }
    }
    this.steps = steps;
  }

  @Override
  public void close() {
    manager.close();
  }
}
