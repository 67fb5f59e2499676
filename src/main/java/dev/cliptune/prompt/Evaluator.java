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
    NDArray text = sharedTextFeatures();
    try (NDArray img = learner.imageFeatures(pixels, Probe.NONE)) {
      return learner.clip().logits(img, text);
    } finally {
      learner.releaseCasts();
    }
  }

  /** Normalised class text features, when cacheable (null for CoCoOp / MIP). */
  public NDArray normalisedTextFeatures() {
    return learner.textDependsOnImage() ? null : ClipModel.l2Normalise(sharedTextFeatures());
  }

  private NDArray sharedTextFeatures() {
    if (textFeatures == null) {
      textFeatures = learner.sharedTextFeatures(manager, Probe.NONE).orElseThrow();
      learner.releaseCasts();
    }
    return textFeatures;
  }

  @Override
  public void close() {
    manager.close();
  }
}
