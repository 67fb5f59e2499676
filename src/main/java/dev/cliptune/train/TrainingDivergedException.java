package dev.cliptune.train;

/** The loss became NaN or infinite: training stops at that step with a hint. */
public class TrainingDivergedException extends RuntimeException {
  public TrainingDivergedException(int epoch, int step, float loss, double lr) {
    super(String.format("loss is %s at epoch %d, step %d (learning rate %.3g): training stopped. Lower the learning"
        + " rate (--set lr=...), check the images of that batch, or resume from the last epoch's checkpoint.",
        loss, epoch + 1, step + 1, lr));
  }
}
