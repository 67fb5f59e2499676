package dev.cliptune.world;

import java.util.Objects;

/**
 * A downstream class: its name and the scene attributes it fixes; {@code null} attributes are free
 * (drawn from the dataset's {@link SceneSpace}). E.g. {@code red_circle} fixes colour and shape.
 *
 * @param name the class name as written to the split file (words joined by {@code _})
 * @param kind the scene kind, or {@code null} for the space's choice
 * @param shape fixed shape or {@code null}
 * @param colour fixed colour or {@code null}
 * @param pattern fixed pattern or {@code null}
 * @param count fixed object count or {@code null}
 */
public record ClassTarget(String name, Scene.Kind kind, Shape shape, Colour colour,
    Pattern pattern, Integer count) {

  /** Requires a name. */
  public ClassTarget {
    Objects.requireNonNull(name, "name");
  }

  /** Whether {@code scene} has every attribute this class fixes. */
  public boolean matches(Scene scene) {
    return (kind == null || scene.kind() == kind)
        && (shape == null || scene.shape() == shape)
        && (colour == null || scene.colour() == colour)
        && (pattern == null || scene.pattern() == pattern)
        && (count == null || scene.count() == count);
  }

  /** The words of the name, i.e. the name split at {@code _}. */
  public String[] words() {
    return name.split("_");
  }
}
