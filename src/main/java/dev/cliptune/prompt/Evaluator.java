package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;

/**
 * Evaluation of a prompt learner without gradients. Where the class text features do not depend on the image
 * (CoOp, MaPLe, IVLP, VPT) they are computed once, on the first batch, and reused; the official code
 * re-encodes them for every test batch.
 */
public final class Evaluator implements AutoCloseable {
  private final PromptLearner learner;
  private final NDManager manager;
  private NDArray textFeatures;

  Evaluator(PromptLearner learner) {
    this.learner = learner;
    this.manager = NDManager.newBaseManager(learner.clip().device());
  }

  /** Logits {@code [B, C]} in the manager of {@code pixels}. */
  public NDArray logits(NDArray pixels) {
    if (learner.textDependsOnImage()) {
      return learner.logits(pixels, Probe.NONE);
    }
    if (textFeatures == null) {
      textFeatures = learner.textFeatures(manager, Probe.NONE);
      learner.releaseCasts();
    }
    try (NDArray img = learner.imageFeatures(pixels, Probe.NONE)) {
      return learner.clip().logits(img, textFeatures);
    } finally {
      learner.releaseCasts();
    }
  }

  /** Normalised class text features, when cacheable (null for CoCoOp / MIP). */
  public NDArray normalisedTextFeatures() {
    if (learner.textDependsOnImage()) {
      return null;
    }
    if (textFeatures == null) {
      textFeatures = learner.textFeatures(manager, Probe.NONE);
      learner.releaseCasts();
    }
    return ClipModel.l2Normalise(textFeatures);
  }

  @Override
  public void close() {
    manager.close();
  }
}
