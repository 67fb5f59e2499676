package dev.cliptune.world;

import java.util.Objects;

/**
 * One scene of the world: what a caption can describe (the attributes) plus the nuisance
 * parameters that only change the pixels. Rendering is a pure function of the scene, the style and
 * the image size ({@link Renderer#render}).
 *
 * <p>An {@link Kind#OBJECTS} scene shows {@code count} identical objects (shape, colour, pattern)
 * on a background; a single object also has a size and a position, several objects are laid out
 * side by side at a fixed size (and {@code size}/{@code position} are ignored). A
 * {@link Kind#SWATCH} scene is a close-up of a surface: the whole image is the pattern in the
 * colour and its shade (shape, size, count, position and background are ignored).
 *
 * @param kind objects on a background, or a full-image swatch
 * @param shape the object shape
 * @param colour the object (or swatch) colour
 * @param pattern the surface pattern
 * @param size the size of a single object
 * @param count number of objects, 1 to 4
 * @param position where a single object sits
 * @param background the background behind the objects
 * @param nuisance pixel-level variation that no caption mentions
 */
public record Scene(Kind kind, Shape shape, Colour colour, Pattern pattern, ObjectSize size,
    int count, Position position, Background background, Nuisance nuisance) {

  /** The largest object count. */
  public static final int MAX_COUNT = 4;

  /** What the image shows. */
  public enum Kind {
    /** One to four objects on a background. */
    OBJECTS,
    /** A close-up texture swatch filling the image. */
    SWATCH
  }

  /**
   * Pixel-level variation.
   *
   * @param rotation object rotation in radians (small: a square never becomes a diamond)
   * @param jitterX horizontal placement jitter in {@code [-1, 1]} (scaled by the renderer)
   * @param jitterY vertical placement jitter in {@code [-1, 1]}
   * @param patternScale pattern period as a fraction of the image side
   * @param patternAngle extra rotation of the pattern in radians
   * @param layout arrangement variant for several objects (0..2)
   * @param difficulty 0 = clean, 1 = hard photo (clutter, strong noise, low contrast)
   * @param seed seed of colour jitter, noise fields, spots and speckles
   */
  public record Nuisance(float rotation, float jitterX, float jitterY, float patternScale,
      float patternAngle, int layout, float difficulty, long seed) {
    /** Validates the ranges. */
    public Nuisance {
      if (!(patternScale > 0)) {
        throw new IllegalArgumentException("patternScale must be positive, got " + patternScale);
      }
      if (!(difficulty >= 0 && difficulty <= 1)) {
        throw new IllegalArgumentException("difficulty must be in [0, 1], got " + difficulty);
      }
    }

    /** Clean defaults: no rotation or jitter, the middle pattern scale, the given seed. */
    public static Nuisance none(long seed) {
      return new Nuisance(0, 0, 0, 0.17f, 0, 0, 0, seed);
    }
  }

  /** Validates that every attribute is present and the count is 1 to {@value #MAX_COUNT}. */
  public Scene {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(colour, "colour");
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(size, "size");
    Objects.requireNonNull(position, "position");
    Objects.requireNonNull(background, "background");
    Objects.requireNonNull(nuisance, "nuisance");
    if (count < 1 || count > MAX_COUNT) {
      throw new IllegalArgumentException("count must be 1 to " + MAX_COUNT + ", got " + count);
    }
  }

  /** A single centred object with clean nuisance parameters: handy for tests and examples. */
  public static Scene single(Shape shape, Colour colour, Pattern pattern, ObjectSize size,
      Background background) {
    return new Scene(Kind.OBJECTS, shape, colour, pattern, size, 1, Position.CENTER, background,
        Nuisance.none(0));
  }

  /** This scene with another count. */
  public Scene withCount(int newCount) {
    return new Scene(kind, shape, colour, pattern, size, newCount, position, background, nuisance);
  }
}
