package dev.cliptune.clip;

/**
 * The image tower of a CLIP model: a ViT ({@link VisionConfig}) or OpenAI's ModifiedResNet ({@link ResNetConfig}).
 */
public sealed interface ImageEncoderConfig permits VisionConfig, ResNetConfig {
  /** The input resolution R of {@code [B, 3, R, R]} pixels. */
  int imageSize();
}
