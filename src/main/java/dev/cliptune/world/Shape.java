package dev.cliptune.world;

/**
 * The object shapes of the world. Twelve silhouettes chosen to stay distinct at 32 pixels (the
 * prototype's lesson: similar polygons such as pentagon/hexagon/circle were barely learned), each
 * defined as a membership test on object-local coordinates {@code (u, v)} in {@code [-1, 1]²}
 * ({@code u} to the right, {@code v} downwards) that fills most of that box.
 */
public enum Shape {
  ARROW("arrow", "arrows"),
  CIRCLE("circle", "circles"),
  CRESCENT("crescent", "crescents"),
  CROSS("cross", "crosses"),
  DIAMOND("diamond", "diamonds"),
  HEART("heart", "hearts"),
  HOURGLASS("hourglass", "hourglasses"),
  RING("ring", "rings"),
  SEMICIRCLE("semicircle", "semicircles"),
  SQUARE("square", "squares"),
  STAR("star", "stars"),
  TRIANGLE("triangle", "triangles");

  private static final float[] STAR_X = new float[10];
  private static final float[] STAR_Y = new float[10];

  static {
    for (int i = 0; i < 10; i++) {
      double radius = i % 2 == 0 ? 1.0 : 0.45;
      double angle = Math.PI * i / 5;
      STAR_X[i] = (float) (radius * StrictMath.sin(angle));
      STAR_Y[i] = (float) (-radius * StrictMath.cos(angle) + 0.08);
    }
  }

  private final String word;
  private final String plural;

  Shape(String word, String plural) {
    this.word = word;
    this.plural = plural;
  }

  /** The caption and class-name word, e.g. {@code "circle"}. */
  public String word() {
    return word;
  }

  /** The plural used in captions and count class names, e.g. {@code "circles"}. */
  public String plural() {
    return plural;
  }

  /** Whether the object-local point {@code (u, v)} lies inside the shape. */
  public boolean inside(float u, float v) {
    float au = Math.abs(u);
    float av = Math.abs(v);
    switch (this) {
      case CIRCLE:
        return u * u + v * v <= 0.96f;
      case SQUARE:
        return au <= 0.84f && av <= 0.84f;
      case TRIANGLE:
        return v <= 0.8f && v >= -0.95f && au <= (v + 0.95f) * (1.0f / 1.75f);
      case DIAMOND:
        return au * (1 / 0.82f) + av <= 1.0f;
      case STAR:
        return inPolygon(STAR_X, STAR_Y, u, v);
      case CROSS:
        return (au <= 0.3f && av <= 0.95f) || (av <= 0.3f && au <= 0.95f);
      case HEART: {
        float x = u * 1.2f;
        float y = -v * 1.2f + 0.18f;
        float q = x * x + y * y - 1;
        return q * q * q - x * x * y * y * y <= 0;
      }
      case RING: {
        float r2 = u * u + v * v;
        return r2 <= 0.96f && r2 >= 0.30f;
      }
      case CRESCENT: {
        float du = u - 0.45f;
        float dv = v + 0.05f;
        return u * u + v * v <= 0.96f && du * du + dv * dv > 0.62f;
      }
      case ARROW:
        return (av <= 0.26f && u >= -0.95f && u <= 0.15f) || (u >= 0.05f && av <= 0.95f - u);
      case HOURGLASS:
        return av <= 0.9f && au <= 0.12f + 0.85f * av;
      case SEMICIRCLE: {
        float dv = v - 0.55f;
        return dv <= 0 && u * u + dv * dv <= 1.1f * 1.1f;
      }
      default:
        throw new AssertionError(this);
    }
  }

  private static boolean inPolygon(float[] xs, float[] ys, float x, float y) {
    boolean in = false;
    for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
      if ((ys[i] > y) != (ys[j] > y)
          && x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i]) {
        in = !in;
      }
    }
    return in;
  }
}
