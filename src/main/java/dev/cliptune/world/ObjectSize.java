package dev.cliptune.world;

/**
 * The size of a single object: the half-extent of its box as a fraction of the image side. Even
 * "small" objects span half the image (the prototype found small objects hurt shape learning).
 */
public enum ObjectSize {
  SMALL("small", 0.25f),
  MEDIUM("medium", 0.32f),
  LARGE("large", 0.40f);

  private final String word;
  private final float halfExtent;

  ObjectSize(String word, float halfExtent) {
    this.word = word;
    this.halfExtent = halfExtent;
  }

  /** The canonical caption word ({@code small}, {@code medium}, {@code large}). */
  public String word() {
    return word;
  }

  /** Half the object's box side as a fraction of the image side. */
  public float halfExtent() {
    return halfExtent;
  }
}
