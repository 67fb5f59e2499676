package dev.cliptune.world;

/**
 * Rendering styles, which act as visual domains (like photos, ImageNet-Sketch and ImageNet-R).
 */
public enum Style {
  /** Flat colours, antialiased edges, a flat background: clip-art. */
  PLAIN("plain"),
  /** Lighting, a cast shadow, textured background, colour jitter and mild sensor noise. */
  PHOTO("photo"),
  /** Outline drawing in a dark shade of the colour on paper, pattern as light strokes. */
  SKETCH("sketch"),
  /** Cartoon: bold black outline, saturated posterised colours, pastel background. */
  RENDITION("rendition"),
  /** Pixel art: 2×2-pixel blocks, no antialiasing, a coarse palette; rare in pretraining. */
  PIXEL("pixel"),
  /** A photo through dark smoke: 60 % of every pixel becomes a dark grey haze; never in pretraining. */
  SMOKE("smoke"),
  /** A photo through grey mist: 60 % of every pixel becomes a mid-grey haze; never in pretraining. */
  MIST("mist"),
  /** A photo through brown dust: 60 % of every pixel becomes a sandy brown haze; never in pretraining. */
  DUST("dust");

  private final String id;

  Style(String id) {
    this.id = id;
  }

  /** The lower-case name used in {@code world.json}. */
  public String id() {
    return id;
  }
}
