package dev.cliptune.world;

import java.util.EnumMap;
import java.util.Map;

/**
 * The pretraining distribution: scenes and how often each style is drawn (unevenly, like the web:
 * mostly photos, few sketches, very little pixel art).
 *
 * @param space the scene distribution
 * @param styleWeights relative weight of each style (missing styles never occur)
 */
public record PretrainMix(SceneSpace space, Map<Style, Double> styleWeights) {

  /** Copies the weights and checks that some are positive. */
  public PretrainMix {
    styleWeights = Map.copyOf(styleWeights);
    if (styleWeights.values().stream().mapToDouble(Double::doubleValue).sum() <= 0) {
      throw new IllegalArgumentException("style weights must have a positive sum");
    }
  }

  /**
   * The standard mix: {@link SceneSpace#pretraining()} rendered 50 % photo, 30 % plain,
   * 10 % rendition, 7 % sketch, 3 % pixel art.
   */
  public static PretrainMix standard() {
    Map<Style, Double> w = new EnumMap<>(Style.class);
    w.put(Style.PHOTO, 0.50);
    w.put(Style.PLAIN, 0.30);
    w.put(Style.RENDITION, 0.10);
    w.put(Style.SKETCH, 0.07);
    w.put(Style.PIXEL, 0.03);
    return new PretrainMix(SceneSpace.pretraining(), w);
  }

  /** A style drawn with the weights (in {@link Style} order, for determinism). */
  Style pickStyle(java.util.Random rnd) {
    double total = 0;
    for (Style s : Style.values()) {
      total += styleWeights.getOrDefault(s, 0.0);
    }
    double x = rnd.nextDouble() * total;
    Style last = null;
    for (Style s : Style.values()) {
      double w = styleWeights.getOrDefault(s, 0.0);
      if (w > 0) {
        last = s;
        x -= w;
        if (x < 0) {
          return s;
        }
      }
    }
    return last;
  }
}
