package dev.cliptune.world;

/**
 * Where a single object sits. Objects are large, so an off-centre position moves the object by at
 * most a fifth of the image while keeping it whole.
 */
public enum Position {
  CENTER("center", 0, 0),
  LEFT("left", -1, 0),
  RIGHT("right", 1, 0),
  TOP("top", 0, -1),
  BOTTOM("bottom", 0, 1);

  private final String word;
  private final int dx;
  private final int dy;

  Position(String word, int dx, int dy) {
    this.word = word;
    this.dx = dx;
    this.dy = dy;
  }

  /** The caption word. */
  public String word() {
    return word;
  }

  /** Horizontal direction: -1 left, 0, +1 right. */
  public int dx() {
    return dx;
  }

  /** Vertical direction: -1 up, 0, +1 down. */
  public int dy() {
    return dy;
  }
}
