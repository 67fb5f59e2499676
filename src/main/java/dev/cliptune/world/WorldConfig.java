package dev.cliptune.world;

import java.util.List;

/**
 * What {@link World#write} produces.
 *
 * @param seed root seed: the same seed gives byte-identical files
 * @param imageSize side of every dataset image in pixels
 * @param datasets the datasets to write
 */
public record WorldConfig(long seed, int imageSize, List<DatasetSpec> datasets) {

  /** The default image side: the tiny CLIP's input resolution. */
  public static final int DEFAULT_IMAGE_SIZE = 32;

  /** Validates the size and copies the list. */
  public WorldConfig {
    if (imageSize < 8) {
      throw new IllegalArgumentException("image size must be at least 8, got " + imageSize);
    }
    datasets = List.copyOf(datasets);
  }

  /** The standard datasets at 32 pixels. */
  public static WorldConfig standard(long seed) {
    return new WorldConfig(seed, DEFAULT_IMAGE_SIZE, WorldDatasets.standard());
  }

  /** This configuration with every dataset's per-class counts replaced (e.g. tiny test worlds). */
  public WorldConfig withCounts(int train, int val, int test) {
    return new WorldConfig(seed, imageSize,
        datasets.stream().map(d -> d.withCounts(train, val, test)).toList());
  }
}
