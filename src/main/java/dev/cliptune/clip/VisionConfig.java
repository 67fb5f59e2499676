package dev.cliptune.clip;

/** The ViT image tower. {@code mlpHidden} is the MLP's inner width (4 x width in CLIP). */
public record VisionConfig(int width, int layers, int heads, int patchSize, int imageSize,
    int mlpHidden, double layerNormEps) implements ImageEncoderConfig {

  public int grid() {
    return imageSize / patchSize;
  }

  /** Class token + patches. */
  public int tokens() {
    return grid() * grid() + 1;
  }

  public int headDim() {
    return width / heads;
  }
}
