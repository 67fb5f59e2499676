package dev.cliptune.clip;

/** The ViT image tower. {@code mlpHidden} is the MLP's inner width (4 x width in CLIP). */
public record VisionConfig(int width, int layers, int heads, int patchSize, int imageSize,
    int mlpHidden, double layerNormEps, Activation activation) implements ImageEncoderConfig {

  /** OpenAI's QuickGELU tower. */
  public VisionConfig(int width, int layers, int heads, int patchSize, int imageSize, int mlpHidden,
      double layerNormEps) {
    this(width, layers, heads, patchSize, imageSize, mlpHidden, layerNormEps, Activation.QUICK_GELU);
  }

  public VisionConfig {
    if (activation == null) {
      throw new IllegalArgumentException("activation must not be null");
    }
  }

  public VisionConfig withActivation(Activation a) {
    return new VisionConfig(width, layers, heads, patchSize, imageSize, mlpHidden, layerNormEps, a);
  }

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
