package dev.cliptune.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A dataset as loaded from disk: its full split and where its files live.
 *
 * <p>Every {@link Item#impath()} in {@link #split()} is the <em>resolved</em> image path (the split file's
 * relative path resolved against {@link #imageRoot()}), so it can be opened directly;
 * {@link #relativePath(Item)} gives back the path as a split file lists it (used for few-shot caches and a
 * run's {@code split.json}).
 *
 * @param name the official name ({@code OxfordPets}, ...) or, for a custom dataset, its folder or file name
 * @param datasetDir the dataset's folder ({@code $DATA/oxford_pets}, a custom folder, or the folder of a
 *     custom split file)
 * @param imageRoot the folder the split's relative paths are relative to (absolute)
 * @param split the full train / val / test lists, in loader order
 * @param fewshotDir where few-shot subsets are cached as {@code shot_<K>-seed_<S>.json}; {@code null} when
 *     caching is disabled
 * @param kind how train/val/test are meant to be used (see {@link Kind})
 * @param source a human-readable note on where the split came from (file, folder rule, rebuilt rule)
 */
public record LoadedDataset(
    String name, Path datasetDir, Path imageRoot, Split split, Path fewshotDir, Kind kind, String source) {

  /** How a dataset's lists are meant to be used. */
  public enum Kind {
    /** Separate train, val and test lists; few-shot sampling draws train (K) and val (min(K, 4)). */
    STANDARD,
    /**
     * ImageNet: val <em>is</em> the test list (the 50,000 validation images), as in the official loader;
     * few-shot sampling draws train only and leaves val = test untouched.
     */
    VAL_IS_TEST,
    /**
     * An evaluation-only dataset (ImageNetV2, -Sketch, -A, -R): as in Dassl, train and test are the same
     * list of all images and val is empty. Not meant for training or few-shot sampling.
     */
    TEST_ONLY
  }

  public LoadedDataset {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datasetDir, "datasetDir");
    Objects.requireNonNull(imageRoot, "imageRoot");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(source, "source");
  }

  /**
   * The path of {@code item} as a split file lists it: relative to {@link #imageRoot()}, with {@code /}
   * separators; an image outside the image root keeps its full path.
   */
  public String relativePath(Item item) {
    return relativize(imageRoot, item.impath());
  }

  /** The class names by ascending label of the full training list ({@link Split#classnames()}). */
  public List<String> classnames() {
    return split.classnames();
  }

  /** A copy with another split (for example after few-shot sampling), everything else unchanged. */
  public LoadedDataset withSplit(Split other) {
    return new LoadedDataset(name, datasetDir, imageRoot, other, fewshotDir, kind, source);
  }

  static String relativize(Path root, String impath) {
    Path p = Path.of(impath);
    if (!p.startsWith(root)) {
      return impath;
    }
    Path rel = root.relativize(p);
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(part);
    }
    return sb.toString();
  }
}
