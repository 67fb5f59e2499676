package dev.cliptune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.cliptune.clip.Probe;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptParameter;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one training step of a prompt learner — DJL's {@code EasyTrain.trainBatch} followed by
 * {@code trainer.step()}, written out for a frozen CLIP with PyTorch-exact SGD. {@link Trainer} runs it for every
 * batch, the parity method cases check its loss, gradients and updates against the official code, and
 * {@code bench methods} / {@code bench data} time it.
 *
 * <p>{@link #run} reads top to bottom:
 * <ol>
 *   <li>a scope for the step: the batch is attached to it, every intermediate array dies with it;
 *   <li>forward ({@link PromptLearner#forward}: image side, text side, logits) inside a gradient collector;
 *   <li>loss: mean cross-entropy ({@link Loss}) plus the method's own terms ({@link PromptLearner#lossTerms});
 *       a NaN or infinite loss stops here, before any parameter moves;
 *   <li>backward ({@link PromptLearner#backward}: libtorch autograd, across the official float16 cast
 *       boundaries when they are on);
 *   <li>the collector closes; {@link #onGradients} listeners see the gradients (parity reads them here);
 *   <li>{@link Sgd#step}: the update at rate {@code lr}, outside the graph, then the gradients are zeroed.
 * </ol>
 *
 * <p>Extension points for a method: extra loss terms ({@link PromptLearner#lossTerms}) and per-epoch work
 * ({@link PromptLearner#epochEnded}, called by the trainer); neither needs a loop of its own.
 */
public final class TrainingStep implements AutoCloseable {
  /** What one step reports: the loss before the update and the predicted class of every image. */
  public record Result(float loss, long[] predictions) {}

  private final PromptLearner learner;
  private final Sgd sgd;
  private Consumer<List<PromptParameter>> gradientListener = parameters -> {};
  private Probe probe = Probe.NONE;

  /** A step over the learner's parameters with PyTorch's SGD (dampening 0, no Nesterov). */
  public TrainingStep(PromptLearner learner, double momentum, double weightDecay) {
    this.learner = learner;
    this.sgd = new Sgd(learner.parameters(), momentum, weightDecay);
  }

  /** Called between backward and the update, with the parameters and their gradients in place. */
  public TrainingStep onGradients(Consumer<List<PromptParameter>> listener) {
    this.gradientListener = listener;
    return this;
  }

  /**
   * Records the next steps' forward activations and loss terms ({@code loss_terms/ce}, the method's own terms,
   * {@code loss_terms/total}); {@link Probe#NONE} to stop.
   */
  public TrainingStep probe(Probe p) {
    this.probe = p;
    return this;
  }

  /**
   * One step on a batch: {@code pixels [B, 3, R, R]} and int64 {@code labels [B]} stay owned by the caller.
   *
   * @throws TrainingDivergedException when the loss is NaN or infinite (nothing is updated)
   */
  public Result run(NDArray pixels, NDArray labels, double lr) {
    float loss;
    long[] predictions;
    try (NDManager step = pixels.getManager().newSubManager()) {
      pixels.tempAttach(step);
      labels.tempAttach(step);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        PromptLearner.Forward forward = learner.forward(pixels, probe);
        NDArray total = Loss.crossEntropy(forward.logits(), labels);
        probe.record("loss_terms/ce", total);
        for (NDArray term : learner.lossTerms(forward, labels, probe)) {
          total = total.add(term);
        }
        probe.record("loss_terms/total", total);
        loss = total.getFloat();
        if (!Float.isFinite(loss)) {
          throw new TrainingDivergedException(loss, lr);
        }
        learner.backward(gc, total);
        predictions = forward.logits().argMax(1).toLongArray();
      }
    }
    gradientListener.accept(learner.parameters());
    sgd.step(lr);
    return new Result(loss, predictions);
  }

  /** The optimiser, for checkpoints and resume. */
  public Sgd optimiser() {
    return sgd;
  }

  @Override
  public void close() {
    sgd.close();
  }
}
