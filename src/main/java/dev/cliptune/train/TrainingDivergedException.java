package dev.cliptune.train;

import dev.cliptune.io.UserException;

/** The loss became NaN or infinite: training stops at that step with a hint. */
public class TrainingDivergedException extends UserException {
  private final float loss;
  private final double lr;

  /** At a step whose place in the run is not known (the training step itself). */
  public TrainingDivergedException(float loss, double lr) {
    super(String.format("loss is %s (learning rate %.3g): training stopped. %s", loss, lr, HINT));
    this.loss = loss;
    this.lr = lr;
  }

  private TrainingDivergedException(int epoch, int step, float loss, double lr) {
    super(String.format("loss is %s at epoch %d, step %d (learning rate %.3g): training stopped. %s", loss,
        epoch + 1, step + 1, lr, HINT));
    this.loss = loss;
    this.lr = lr;
  }

  private static final String HINT = "Lower the learning rate (--set lr=...), check the images of that batch,"
      + " or resume from the last epoch's checkpoint.";

  /** The same divergence, placed at 0-based {@code epoch} and {@code step} of the run. */
  public TrainingDivergedException at(int epoch, int step) {
    return new TrainingDivergedException(epoch, step, loss, lr);
  }
}
