package dev.cliptune.world;

/**
 * The object colours: twelve hues far apart in RGB. A pattern is drawn in the colour's
 * {@link #shade()} (a lighter or darker version of the same colour), so colour stays the
 * dominant impression of a patterned object, as the prototype recommended.
 */
public enum Colour {
  BLACK("black", 28, 28, 30),
  BLUE("blue", 35, 80, 215),
  BROWN("brown", 125, 72, 30),
  CYAN("cyan", 30, 200, 215),
  GRAY("gray", 135, 135, 135),
  GREEN("green", 40, 165, 55),
  ORANGE("orange", 245, 135, 20),
  PINK("pink", 245, 130, 190),
  PURPLE("purple", 125, 45, 175),
  RED("red", 215, 35, 35),
  WHITE("white", 246, 246, 246),
  YELLOW("yellow", 242, 218, 30);

  private final String word;
  private final int[] rgb;
  private final int[] shade;

  Colour(String word, int r, int g, int b) {
    this.word = word;
    this.rgb = new int[] {r, g, b};
    double luma = 0.299 * r + 0.587 * g + 0.114 * b;
    int toward = luma > 150 ? 0 : 255;
    double t = luma > 150 ? 0.42 : 0.45;
    this.shade = new int[3];
    for (int c = 0; c < 3; c++) {
      shade[c] = (int) Math.round(rgb[c] + (toward - rgb[c]) * t);
    }
  }

  /** The caption and class-name word, e.g. {@code "red"}. */
  public String word() {
    return word;
  }

  /** The nominal colour as {@code {r, g, b}} (a copy). */
  public int[] rgb() {
    return rgb.clone();
  }

  /** The pattern colour: the nominal colour moved 42–45 % towards black (light colours) or white. */
  public int[] shade() {
    return shade.clone();
  }

  /** Euclidean RGB distance to another colour triple. */
  double distance(int[] other) {
    double s = 0;
    for (int c = 0; c < 3; c++) {
      s += (rgb[c] - other[c]) * (double) (rgb[c] - other[c]);
    }
    return Math.sqrt(s);
  }
}
