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
    Drawn d = draw(index);
    return new Pair(Renderer.render(d.scene, d.style, imageSize), d.caption, d.scene, d.style);
  }

  /** The caption of pair {@code index} without rendering its image. */
  public String caption(long index) {
    return draw(index).caption;
  }

  private record Drawn(Scene scene, Style style, String caption) {}

  /**
   * Draws pair {@code index}: alone, or as member {@code index % groupSize} of its group of hard
   * negatives (see {@link PretrainMix}), whose shared draws come from a generator seeded by the
   * group's number.
   */
  private Drawn draw(long index) {
    Random rnd = new Random(Seeds.derive(seed, index));
    int g = mix.groupSize();
    if (g == 1) {
      Style style = mix.pickStyle(rnd);
      Scene scene = mix.space().sample(rnd);
      return new Drawn(scene, style, Captions.caption(scene, style, rnd));
    }
    Random group = new Random(Seeds.derive(Seeds.derive(seed, "group"), Math.floorDiv(index, g)));
    Style style = mix.pickStyle(group);
    Scene base = mix.space().sample(group);
    Attribute varied = mix.pickContrast(group);
    if (varied == null) {
      Scene scene = mix.space().sample(rnd);
      return new Drawn(scene, style, Captions.caption(scene, style, rnd));
    }
    if (base.kind() == Scene.Kind.SWATCH && (varied == Attribute.SHAPE || varied == Attribute.COUNT)) {
      varied = Attribute.PATTERN;
    }
    int member = (int) Math.floorMod(index, (long) g);
    Shape shape = base.shape();
    Colour colour = base.colour();
    Pattern pattern = base.pattern();
    int count = base.count();
    switch (varied) {
      case SHAPE -> shape = distinct(group, mix.space().shapes(), g).get(member);
      case COLOUR -> colour = distinct(group, mix.space().colours(), g).get(member);
      case PATTERN -> {
        List<Pattern> patterns = new ArrayList<>(List.of(Pattern.SOLID));
        patterns.addAll(mix.space().patterns());
        pattern = distinct(group, patterns, g).get(member);
      }
      case COUNT -> count = distinct(group, List.of(1, 2, 3, 4), g).get(member);
      default -> throw new AssertionError(varied);
    }
    Scene scene = mix.space().sample(rnd,
        new ClassTarget("group", base.kind(), shape, colour, pattern, count));
    return new Drawn(scene, style, Captions.caption(scene, style, rnd, varied));
  }

  /** {@code n} distinct values of {@code values} in a random order (all of them if fewer). */
  private static <T> List<T> distinct(Random rnd, List<T> values, int n) {
    List<T> shuffled = new ArrayList<>(values);
    java.util.Collections.shuffle(shuffled, rnd);
    while (shuffled.size() < n) {
      shuffled.add(shuffled.get(shuffled.size() % values.size()));
    }
    return shuffled.subList(0, n);
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
