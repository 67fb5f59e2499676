package dev.cliptune.world;

/**
 * Surface patterns (textures) of objects and swatches. A pattern says, for each point, how much of
 * the colour's shade replaces the colour ({@code 0} = the colour, {@code 1} = the shade).
 *
 * <p>Coordinates: {@code (u, v)} are object-local in {@code [-1, 1]²} (for a swatch: the whole
 * image), {@code (pu, pv)} are the same point in pattern periods (about a sixth of the image), and
 * {@code (px, py)} its integer pixel, for pixel-sized speckles.
 */
public enum Pattern {
  SOLID("solid", null),
  STRIPED("striped", "stripes"),
  BANDED("banded", "bands"),
  CHECKERED("checkered", "checks"),
  DOTTED("dotted", "dots"),
  SPOTTED("spotted", "spots"),
  GRID("grid", "a grid"),
  ZIGZAG("zigzag", "zigzags"),
  HATCHED("hatched", "hatching"),
  SPECKLED("speckled", "speckles"),
  FADED("faded", null),
  BORDERED("bordered", "a border"),
  PLAID("plaid", null),
  RINGED("ringed", null);

  private final String word;
  private final String noun;

  Pattern(String word, String noun) {
    this.word = word;
    this.noun = noun;
  }

  /** The adjective used in captions and class names, e.g. {@code "striped"}. */
  public String word() {
    return word;
  }

  /**
   * The noun phrase for "an X with ..." captions (e.g. {@code "stripes"}, {@code "a border"}), or
   * {@code null} if the pattern has none.
   */
  public String noun() {
    return noun;
  }

  /**
   * The shade amount in {@code [0, 1]} at a point.
   *
   * @param shape the object's shape, or {@code null} for a full-image swatch
   * @param seed per-scene seed for the random placements of spots and speckles
   */
  public float amount(Shape shape, float u, float v, float pu, float pv, int px, int py, long seed) {
    switch (this) {
      case SOLID:
        return 0;
      case STRIPED:
        return frac(pv) < 0.42f ? 1 : 0;
      case BANDED:
        return frac(pu * (1 / 1.5f)) < 0.5f ? 1 : 0;
      case CHECKERED:
        return ((floor(pu) + floor(pv)) & 1) == 0 ? 1 : 0;
      case DOTTED: {
        float a = frac(pu) - 0.5f;
        float b = frac(pv) - 0.5f;
        return a * a + b * b < 0.29f * 0.29f ? 1 : 0;
      }
      case SPOTTED: {
        float cu = pu * (1 / 1.7f);
        float cv = pv * (1 / 1.7f);
        int iu = floor(cu);
        int iv = floor(cv);
        float ox = 0.3f + 0.4f * Seeds.unit(seed, iu, iv);
        float oy = 0.3f + 0.4f * Seeds.unit(seed + 1, iu, iv);
        float rad = 0.26f + 0.14f * Seeds.unit(seed + 2, iu, iv);
        float a = cu - iu - ox;
        float b = cv - iv - oy;
        return a * a + b * b < rad * rad ? 1 : 0;
      }
      case GRID:
        return frac(pu) < 0.22f || frac(pv) < 0.22f ? 1 : 0;
      case ZIGZAG: {
        float tri = Math.abs(2 * frac(pu) - 1);
        return frac(pv * 0.8f + 0.7f * tri) < 0.45f ? 1 : 0;
      }
      case HATCHED:
        return frac((pu + pv) * 0.7071f) < 0.42f ? 1 : 0;
      case SPECKLED:
        return Seeds.unit(seed, px, py) < 0.35f ? 1 : 0;
      case FADED:
        return Math.max(0, Math.min(1, (v + 0.9f) / 1.8f));
      case BORDERED:
        if (shape == null) {
          return Math.max(Math.abs(u), Math.abs(v)) > 0.72f ? 1 : 0;
        }
        return shape.inside(u * (1 / 0.68f), v * (1 / 0.68f)) ? 0 : 1;
      case PLAID:
        return (frac(pu) < 0.36f ? 0.5f : 0) + (frac(pv) < 0.36f ? 0.5f : 0);
      case RINGED:
        return frac((float) Math.sqrt(pu * pu + pv * pv) * 0.9f) < 0.45f ? 1 : 0;
      default:
        throw new AssertionError(this);
    }
  }

  private static float frac(float x) {
    return x - (float) Math.floor(x);
  }

  private static int floor(float x) {
    return (int) Math.floor(x);
  }
}
