package dev.cliptune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The training objective's one home: mean cross-entropy, as {@code F.cross_entropy(logits, labels)}. The prompt
 * learners' training step uses it on {@code [B, C]} logits, pretraining on both directions of CLIP's
 * similarity matrix (symmetric InfoNCE).
 *
 * <p>Written out rather than DJL's {@code SoftmaxCrossEntropyLoss}: that one picks the labelled entry with a
 * gather, whose backward is a scatter; a product with the one-hot labels gives the same value and gradient
 * with plain, deterministic kernels (and is what the parity fixtures were checked against).
 */
public final class Loss {
  private Loss() {}

  /** Mean cross-entropy of {@code logits [B, C]} against integer labels {@code [B]}, in the logits' manager. */
  public static NDArray crossEntropy(NDArray logits, NDArray labels) {
    long c = logits.getShape().get(1);
    try (NDArray lsm = logits.logSoftmax(1);
        NDArray oneHot = labels.toType(DataType.INT32, false).oneHot((int) c);
        NDArray picked = lsm.mul(oneHot);
        NDArray perItem = picked.sum(new int[] {1})) {
      try (NDArray mean = perItem.mean()) {
        return mean.neg();
      }
    }
  }
}
