package dev.cliptune.world;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The pretraining distribution: scenes, how often each style is drawn (unevenly, like the web:
 * mostly photos, few sketches, very little pixel art), and the groups of hard negatives a batch is
 * made of.
 *
 * <p>Consecutive pairs form groups of {@code groupSize}: the members of a group share the style and
 * every attribute but one, which takes a different value in each member, and their captions always
 * name it (for example four dotted red hearts, spotted red hearts, solid red hearts and striped red
 * hearts). Colour and shape alone then no longer tell the captions of a batch apart, so the
 * contrastive loss has to learn pattern, shape and number words too (CLIP's bag-of-words shortcut,
 * countered the way NegCLIP and its successors do with hard negatives).
 *
 * @param space the scene distribution
 * @param styleWeights relative weight of each style (missing styles never occur)
 * @param groupSize pairs per group of hard negatives ({@code 1}: every pair drawn independently)
 * @param contrastWeights relative weight of the attribute a group varies; the weight under
 *     {@code null} is that of groups of independent pairs
 */
public record PretrainMix(SceneSpace space, Map<Style, Double> styleWeights, int groupSize,
    Map<Attribute, Double> contrastWeights) {

  /** Copies the weights and checks them. */
  public PretrainMix {
    styleWeights = Map.copyOf(styleWeights);
    contrastWeights = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(contrastWeights));
    if (styleWeights.values().stream().mapToDouble(Double::doubleValue).sum() <= 0) {
      throw new IllegalArgumentException("style weights must have a positive sum");
    }
    if (groupSize < 1 || groupSize > Scene.MAX_COUNT) {
      throw new IllegalArgumentException("group size must be 1 to " + Scene.MAX_COUNT
          + " (a group varies the count among 1 to " + Scene.MAX_COUNT + "), got " + groupSize);
    }
    if (groupSize > 1 && contrastWeights.values().stream().mapToDouble(Double::doubleValue).sum() <= 0) {
      throw new IllegalArgumentException("contrast weights must have a positive sum");
    }
  }

  /** {@code space} and {@code styleWeights} with every pair drawn independently. */
  public PretrainMix(SceneSpace space, Map<Style, Double> styleWeights) {
    this(space, styleWeights, 1, Map.of());
  }

  /**
   * The standard mix: {@link SceneSpace#pretraining()} rendered 50 % photo, 30 % plain,
   * 10 % rendition, 7 % sketch, 3 % pixel art, every pair drawn independently (the mix of the
   * shipped {@code models/tiny}).
   */
  public static PretrainMix standard() {
    return new PretrainMix(SceneSpace.pretraining(), webStyles());
  }

  /**
   * The default weights of {@link #hardNegatives(String)}: groups that vary the pattern (40 %), the shape (30 %), the
   * colour (10 %) or the count (10 %), and 10 % independent pairs. In 3,000 steps from scratch they did not teach
   * the tiny CLIP pattern words and left it weaker on shapes (docs/BENCHMARKS.md).
   */
  public static final String DEFAULT_CONTRAST = "pattern=0.4,shape=0.3,colour=0.1,count=0.1,none=0.1";

  /** The standard mix in groups of four hard negatives with the {@link #DEFAULT_CONTRAST} weights. */
  public static PretrainMix hardNegatives() {
    return hardNegatives(DEFAULT_CONTRAST);
  }

  /**
   * The standard mix in groups of four hard negatives; {@code weights} says how often a group varies each attribute,
   * as {@code name=weight} pairs separated by commas ({@code pattern}, {@code shape}, {@code colour}, {@code count},
   * and {@code none} for a group of independent pairs; weights are relative). An experiment of issue 13
   * ({@code pretrain --hard-negatives[=WEIGHTS]}; docs/BENCHMARKS.md).
   *
   * @throws IllegalArgumentException naming the pair that is not {@code attribute=weight} with a known attribute
   *     and a weight of at least 0, or when no weight is positive
   */
  public static PretrainMix hardNegatives(String weights) {
    Map<Attribute, Double> contrast = new java.util.HashMap<>();
    for (String pair : weights.split(",")) {
      String[] kv = pair.trim().split("=", -1);
      String name = kv[0].trim().toLowerCase(java.util.Locale.ROOT);
      Attribute a = null;
      boolean known = name.equals("none");
      for (Attribute x : Attribute.values()) {
        if (x.name().toLowerCase(java.util.Locale.ROOT).equals(name)) {
          a = x;
          known = true;
        }
      }
      double w;
      try {
        w = kv.length == 2 ? Double.parseDouble(kv[1].trim()) : Double.NaN;
      } catch (NumberFormatException e) {
        w = Double.NaN;
      }
      if (!known || !(w >= 0) || contrast.containsKey(a)) {
        throw new IllegalArgumentException("hard-negative weights: '" + pair.trim() + "' is not one of "
            + "pattern|shape|colour|count|none=WEIGHT (each once, weight >= 0) in '" + weights + "'");
      }
      contrast.put(a, w);
    }
    return new PretrainMix(SceneSpace.pretraining(), webStyles(), 4, contrast);
  }

  private static Map<Style, Double> webStyles() {
    Map<Style, Double> w = new EnumMap<>(Style.class);
    w.put(Style.PHOTO, 0.50);
    w.put(Style.PLAIN, 0.30);
    w.put(Style.RENDITION, 0.10);
    w.put(Style.SKETCH, 0.07);
    w.put(Style.PIXEL, 0.03);
    return w;
  }

  /** Contrast draws in this order: the attributes, then {@code null} (a group of independent pairs). */
  private static final List<Attribute> CONTRAST_ORDER;

  static {
    List<Attribute> order = new ArrayList<>(List.of(Attribute.values()));
    order.add(null);
    CONTRAST_ORDER = java.util.Collections.unmodifiableList(order);
  }

  /** The attribute a group varies ({@code null}: none), drawn with the weights. */
  Attribute pickContrast(Random rnd) {
    return weighted(rnd, CONTRAST_ORDER, contrastWeights);
  }

  /** A style drawn with the weights. */
  Style pickStyle(Random rnd) {
    return weighted(rnd, List.of(Style.values()), styleWeights);
  }

  /**
   * An element of {@code order} drawn with {@code weights}, summed in that order so the draw does not depend on a
   * map's iteration order; if rounding runs past the end, the last element of positive weight.
   */
  private static <T> T weighted(Random rnd, List<T> order, Map<T, Double> weights) {
    double total = 0;
    for (T t : order) {
      total += weights.getOrDefault(t, 0.0);
    }
    double x = rnd.nextDouble() * total;
    T last = null;
    for (T t : order) {
      double w = weights.getOrDefault(t, 0.0);
      if (w > 0) {
        last = t;
        x -= w;
        if (x < 0) {
          return t;
        }
      }
    }
    return last;
  }
}
