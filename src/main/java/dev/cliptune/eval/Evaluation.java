package dev.cliptune.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.data.Item;
import dev.cliptune.pipeline.BatchLoader;
import dev.cliptune.pipeline.DecodedImages;
import dev.cliptune.prompt.Evaluator;
import dev.cliptune.prompt.PromptLearner;
import java.util.List;

/**
 * Evaluates a prompt learner on a test split: sequential batches with the test transform, class text features
 * encoded once where they do not depend on the image, Dassl's metrics.
 */
public final class Evaluation {
  private Evaluation() {}

  /** The metrics of {@code learner} on {@code items}; {@code skipped} counts undecodable images when skipping. */
  public record Result(Metrics metrics, int skipped) {}

  /** Logits {@code [B, C]} of a batch of preprocessed images. */
  @FunctionalInterface
  public interface Classifier {
    NDArray logits(NDArray pixels);
  }

  public static Result run(PromptLearner learner, List<Item> items, ClipPreprocessor pre, int batchSize,
      int threads, boolean skipCorrupt) {
    try (Evaluator ev = learner.evaluator()) {
      return run(ev::logits, learner.classNames().size(), items, pre, batchSize, threads, skipCorrupt);
    }
  }

  /** Any classifier over {@code numClasses} classes (zero-shot CLIP, a prompt learner). */
  public static Result run(Classifier classifier, int numClasses, List<Item> items, ClipPreprocessor pre,
      int batchSize, int threads, boolean skipCorrupt) {
    Metrics m = new Metrics(numClasses);
    int r = pre.resolution();
    int skipped = 0;
    try (NDManager manager = NDManager.newBaseManager();
        BatchLoader loader = BatchLoader.test(items, batchSize, pre, new DecodedImages(0), threads, skipCorrupt)) {
      while (loader.hasNext()) {
        BatchLoader.Batch b = loader.next();
        skipped += b.skipped();
        if (b.size() == 0) {
          continue;
        }
        try (NDManager step = manager.newSubManager()) {
          NDArray px = dev.cliptune.clip.Tensors.owned(step, b.pixels(), new Shape(b.size(), 3, r, r));
          NDArray logits = classifier.logits(px);
          long[] pred = logits.argMax(1).toLongArray();
          for (int i = 0; i < pred.length; i++) {
            m.add((int) b.labels()[i], (int) pred[i]);
          }
        }
      }
    }
    return new Result(m, skipped);
  }
}
