package dev.cliptune.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The data of one run: the dataset, the few-shot subset for (seed, K) and the class half kept, as
 * {@link FewShotCache#prepare} makes it and {@link RunSplitFile} records it.
 *
 * @param dataset the full dataset
 * @param seed the run's seed
 * @param numShots K ({@code < 1} = all training images)
 * @param subsample the class half kept
 * @param split train (K per class), val ({@code min(K, 4)} per class; ImageNet: the test list) and the full
 *     test list, relabelled {@code 0..} for a base/new half
 * @param fewshotFile the few-shot cache file read or written; {@code null} without sampling or caching
 * @param fromCache whether the few-shot subset was read from {@code fewshotFile}
 */
public record RunData(LoadedDataset dataset, long seed, int numShots, FewShot.Subsample subsample, Split split,
    Path fewshotFile, boolean fromCache) {
  public RunData {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(subsample, "subsample");
    Objects.requireNonNull(split, "split");
  }

  /** The class list handed to a model: class names by ascending (new) label of the training items. */
  public List<String> classnames() {
    return split.classnames();
  }
}
