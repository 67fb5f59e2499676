package dev.cliptune.clip;

/** Dimensions of a CLIP model; everything the encoders need comes from here. */
public record ClipConfig(int embedDim, VisionConfig vision, TextConfig text) {

  /** ViT-B/16 as released by OpenAI. */
  public static ClipConfig vitB16() {
    return new ClipConfig(512, new VisionConfig(768, 12, 12, 16, 224, 3072, 1e-5),
        new TextConfig(512, 12, 8, 77, 49408, 2048, 1e-5));
  }
}
