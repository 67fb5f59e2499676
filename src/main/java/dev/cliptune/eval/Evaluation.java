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

  public static Result run(PromptLearner learner, List<Item> items, ClipPreprocessor pre, int batchSize,
      int threads, boolean skipCorrupt) {
    int c = learner.classNames().size();
    Metrics m = new Metrics(c);
    int r = pre.resolution();
    int skipped = 0;
    try (Evaluator ev = learner.evaluator();
        NDManager manager = NDManager.newBaseManager(learner.clip().device());
        BatchLoader loader = BatchLoader.test(items, batchSize, pre, new DecodedImages(0), threads, skipCorrupt)) {
      while (loader.hasNext()) {
        BatchLoader.Batch b = loader.next();
        skipped += b.skipped();
        if (b.size() == 0) {
          continue;
        }
        try (NDManager step = manager.newSubManager()) {
          NDArray px = step.create(b.pixels(), new Shape(b.size(), 3, r, r));
          NDArray logits = ev.logits(px);
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
