package dev.cliptune.world;

import dev.cliptune.clip.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * An endless, random-access stream of (image, caption) pretraining pairs. Pair {@code i} depends
 * only on the seed, the image size, the mix and {@code i} (its own generator is seeded from the
 * seed and the index), so batches can be drawn in parallel, resumed from a step number, or
 * regenerated for inspection.
 */
public final class PretrainSampler {

  /**
   * One pretraining example.
   *
   * @param image the rendered image
   * @param caption its caption
   * @param scene the scene it shows
   * @param style the style it is drawn in
   */
  public record Pair(RgbImage image, String caption, Scene scene, Style style) {}

  private final long seed;
  private final int imageSize;
  private final PretrainMix mix;
  private long next;

  /** A sampler over the standard mix. */
  public PretrainSampler(long seed, int imageSize) {
    this(seed, imageSize, PretrainMix.standard());
  }

  /** A sampler over {@code mix}, images {@code imageSize}×{@code imageSize}. */
  public PretrainSampler(long seed, int imageSize, PretrainMix mix) {
    if (imageSize < 8) {
      throw new IllegalArgumentException("image size must be at least 8, got " + imageSize);
    }
    this.seed = Seeds.derive(seed, "pretrain");
    this.imageSize = imageSize;
    this.mix = mix;
  }

  /** Pair number {@code index}. */
  public Pair get(long index) {
    Random rnd = new Random(Seeds.derive(seed, index));
    Style style = mix.pickStyle(rnd);
    Scene scene = mix.space().sample(rnd);
    String caption = Captions.caption(scene, style, rnd);
    return new Pair(Renderer.render(scene, style, imageSize), caption, scene, style);
  }

  /** The caption of pair {@code index} without rendering its image. */
  public String caption(long index) {
    Random rnd = new Random(Seeds.derive(seed, index));
    Style style = mix.pickStyle(rnd);
    Scene scene = mix.space().sample(rnd);
    return Captions.caption(scene, style, rnd);
  }

  /** The next pair of the sequential stream (starting at index 0). */
  public Pair next() {
    return get(next++);
  }

  /** Pairs {@code first} to {@code first + n - 1}. */
  public List<Pair> batch(long first, int n) {
    List<Pair> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(get(first + i));
    }
    return out;
  }

  /** The image side in pixels. */
  public int imageSize() {
    return imageSize;
  }
}
