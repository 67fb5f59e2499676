package dev.cliptune.clip;

/**
 * Dimensions of a CLIP model; everything the encoders need comes from here. The image tower is a ViT
 * ({@link VisionConfig}, what every prompt learner supports) or OpenAI's ModifiedResNet ({@link ResNetConfig}).
 */
public record ClipConfig(int embedDim, ImageEncoderConfig image, TextConfig text) {

  /** ViT-B/16 as released by OpenAI. */
  public static ClipConfig vitB16() {
    return new ClipConfig(512, new VisionConfig(768, 12, 12, 16, 224, 3072, 1e-5),
        new TextConfig(512, 12, 8, 77, 49408, 2048, 1e-5));
  }

  /** Whether the image tower is a ModifiedResNet. */
  public boolean isResNet() {
    return image instanceof ResNetConfig;
  }

  /** The input resolution of the image tower. */
  public int imageSize() {
    return image.imageSize();
  }

  /** The ViT image tower; a clear error for a ResNet model. */
  public VisionConfig vision() {
    if (image instanceof VisionConfig v) {
      return v;
    }
    throw new UnsupportedOperationException("this CLIP has a ModifiedResNet image encoder, not a ViT " + image);
  }

  /** The ModifiedResNet image tower; a clear error for a ViT model. */
  public ResNetConfig resnet() {
    if (image instanceof ResNetConfig r) {
      return r;
    }
    throw new UnsupportedOperationException("this CLIP has a ViT image encoder, not a ModifiedResNet " + image);
  }
}
