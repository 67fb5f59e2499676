package dev.cliptune.world;

/**
 * The scene backgrounds. Each has a base colour; the photo-like style adds its own texture
 * (grass streaks, sand grain, stone blotches, a sky gradient). Object colours too close to the
 * background colour are never combined with it ({@link #contrasts(Colour)}).
 */
public enum Background {
  LIGHT("light", 232, 230, 222),
  DARK("dark", 40, 40, 48),
  GRASS("grass", 92, 148, 68),
  SKY("sky", 140, 188, 238),
  SAND("sand", 218, 198, 150),
  STONE("stone", 122, 118, 112);

  /** Minimal RGB distance between an object colour and its background. */
  static final double MIN_CONTRAST = 105;

  private final String word;
  private final int[] rgb;

  Background(String word, int r, int g, int b) {
    this.word = word;
    this.rgb = new int[] {r, g, b};
  }

  /** The caption word, e.g. {@code "grass"}. */
  public String word() {
    return word;
  }

  /** The base colour {@code {r, g, b}} (a copy). */
  public int[] rgb() {
    return rgb.clone();
  }

  /** Whether an object of {@code colour} stands out clearly against this background. */
  public boolean contrasts(Colour colour) {
    return colour.distance(rgb) >= MIN_CONTRAST;
  }
}
