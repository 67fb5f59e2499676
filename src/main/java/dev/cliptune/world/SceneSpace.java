package dev.cliptune.world;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A distribution over scenes: which attribute values occur and how often. Pretraining uses
 * {@link #pretraining()}; each downstream dataset uses its own space for the attributes its classes
 * leave free.
 *
 * @param swatchRate probability of a {@link Scene.Kind#SWATCH} scene
 * @param shapes shapes drawn uniformly
 * @param colours colours drawn uniformly
 * @param solidRate probability of {@link Pattern#SOLID}; otherwise a pattern of {@code patterns}
 * @param patterns the non-solid patterns, drawn uniformly
 * @param sizeWeights weights of small, medium and large single objects
 * @param countWeights weights of 1, 2, 3 and 4 objects
 * @param centerRate probability of a centred single object (large objects are always centred)
 * @param backgrounds backgrounds drawn uniformly among those that contrast with the colour
 * @param minDifficulty lower bound of {@link Scene.Nuisance#difficulty()}
 * @param maxDifficulty upper bound of {@link Scene.Nuisance#difficulty()}
 */
public record SceneSpace(double swatchRate, List<Shape> shapes, List<Colour> colours,
    double solidRate, List<Pattern> patterns, List<Double> sizeWeights, List<Double> countWeights,
    double centerRate, List<Background> backgrounds, float minDifficulty, float maxDifficulty) {

  /** Copies the lists and checks the weights. */
  public SceneSpace {
    shapes = List.copyOf(shapes);
    colours = List.copyOf(colours);
    patterns = List.copyOf(patterns);
    sizeWeights = List.copyOf(sizeWeights);
    countWeights = List.copyOf(countWeights);
    backgrounds = List.copyOf(backgrounds);
    if (shapes.isEmpty() || colours.isEmpty() || backgrounds.isEmpty()) {
      throw new IllegalArgumentException("shapes, colours and backgrounds must not be empty");
    }
    if (patterns.contains(Pattern.SOLID)) {
      throw new IllegalArgumentException("patterns lists the non-solid patterns; use solidRate");
    }
    if (patterns.isEmpty() && solidRate < 1) {
      throw new IllegalArgumentException("no patterns but solidRate " + solidRate + " < 1");
    }
    if (sizeWeights.size() != ObjectSize.values().length
        || countWeights.size() != Scene.MAX_COUNT) {
      throw new IllegalArgumentException("expected 3 size weights and " + Scene.MAX_COUNT
          + " count weights");
    }
    if (!(minDifficulty >= 0 && minDifficulty <= maxDifficulty && maxDifficulty <= 1)) {
      throw new IllegalArgumentException("difficulty range must lie in [0, 1]");
    }
  }

  /** Every non-solid pattern. */
  public static List<Pattern> allPatterns() {
    return Arrays.stream(Pattern.values()).filter(p -> p != Pattern.SOLID).toList();
  }

  /**
   * The pretraining mix: every shape and colour, 30 % solid, mostly single objects (72 %),
   * 3 % texture swatches, mild photographic difficulty.
   */
  public static SceneSpace pretraining() {
    return new SceneSpace(0.03, List.of(Shape.values()), List.of(Colour.values()), 0.3,
        allPatterns(), List.of(0.25, 0.35, 0.40), List.of(0.72, 0.10, 0.09, 0.09), 0.6,
        List.of(Background.values()), 0f, 0.3f);
  }

  /** A single-object space over everything with the given solid rate and sizes; a dataset default. */
  public static SceneSpace singleObjects(double solidRate, List<Double> sizeWeights) {
    return new SceneSpace(0, List.of(Shape.values()), List.of(Colour.values()), solidRate,
        allPatterns(), sizeWeights, List.of(1.0, 0.0, 0.0, 0.0), 0.7,
        List.of(Background.values()), 0f, 0.2f);
  }

  /** This space with other shapes. */
  public SceneSpace withShapes(List<Shape> newShapes) {
    return new SceneSpace(swatchRate, newShapes, colours, solidRate, patterns, sizeWeights,
        countWeights, centerRate, backgrounds, minDifficulty, maxDifficulty);
  }

  /** This space with another difficulty range. */
  public SceneSpace withDifficulty(float min, float max) {
    return new SceneSpace(swatchRate, shapes, colours, solidRate, patterns, sizeWeights,
        countWeights, centerRate, backgrounds, min, max);
  }

  /** This space with other size weights. */
  public SceneSpace withSizes(List<Double> newSizeWeights) {
    return new SceneSpace(swatchRate, shapes, colours, solidRate, patterns, newSizeWeights,
        countWeights, centerRate, backgrounds, minDifficulty, maxDifficulty);
  }

  /** A scene drawn from this space. */
  public Scene sample(Random rnd) {
    return sample(rnd, null);
  }

  /**
   * A scene drawn from this space with the attributes that {@code target} fixes (if not
   * {@code null}). The random draws happen in a fixed order, so the result depends only on the
   * generator's state.
   */
  public Scene sample(Random rnd, ClassTarget target) {
    boolean swatch = rnd.nextDouble() < swatchRate;
    Scene.Kind kind = target != null && target.kind() != null ? target.kind()
        : swatch ? Scene.Kind.SWATCH : Scene.Kind.OBJECTS;
    Shape shape = pick(rnd, shapes);
    Colour colour = pick(rnd, colours);
    Pattern pattern = rnd.nextDouble() < solidRate || patterns.isEmpty() ? Pattern.SOLID
        : pick(rnd, patterns);
    int count = 1 + weighted(rnd, countWeights);
    ObjectSize size = ObjectSize.values()[weighted(rnd, sizeWeights)];
    double where = rnd.nextDouble();
    Position position = Position.values()[1 + rnd.nextInt(Position.values().length - 1)];
    if (target != null) {
      shape = target.shape() != null ? target.shape() : shape;
      colour = target.colour() != null ? target.colour() : colour;
      pattern = target.pattern() != null ? target.pattern() : pattern;
      count = target.count() != null ? target.count() : count;
    }
    if (kind == Scene.Kind.SWATCH) {
      count = 1;
    }
    if (where < centerRate || count > 1 || size == ObjectSize.LARGE) {
      position = Position.CENTER;
    }
    Background background = pickBackground(rnd, colour);
    float rotation = (float) ((rnd.nextDouble() * 2 - 1) * 0.2);
    float jx = (float) (rnd.nextDouble() * 2 - 1);
    float jy = (float) (rnd.nextDouble() * 2 - 1);
    float scale = (float) (0.15 + 0.04 * rnd.nextDouble());
    float patternAngle = kind == Scene.Kind.SWATCH ? (float) ((rnd.nextDouble() * 2 - 1) * 0.25) : 0;
    int layout = rnd.nextInt(3);
    float difficulty = (float) (minDifficulty + (maxDifficulty - minDifficulty) * rnd.nextDouble());
    long seed = rnd.nextLong();
    return new Scene(kind, shape, colour, pattern, size, count, position, background,
        new Scene.Nuisance(rotation, jx, jy, scale, patternAngle, layout, difficulty, seed));
  }

  private Background pickBackground(Random rnd, Colour colour) {
    List<Background> ok = new ArrayList<>();
    for (Background b : backgrounds) {
      if (b.contrasts(colour)) {
        ok.add(b);
      }
    }
    if (ok.isEmpty()) {
      for (Background b : Background.values()) {
        if (b.contrasts(colour)) {
          ok.add(b);
        }
      }
    }
    return ok.get(rnd.nextInt(ok.size()));
  }

  private static <T> T pick(Random rnd, List<T> values) {
    return values.get(rnd.nextInt(values.size()));
  }

  private static int weighted(Random rnd, List<Double> weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double x = rnd.nextDouble() * total;
    for (int i = 0; i < weights.size(); i++) {
      x -= weights.get(i);
      if (x < 0) {
        return i;
      }
    }
    for (int i = weights.size() - 1; i >= 0; i--) {
      if (weights.get(i) > 0) {
        return i;
      }
    }
    return 0;
  }
}
