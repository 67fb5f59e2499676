package dev.cliptune.clip;

/** The causal text transformer. */
public record TextConfig(int width, int layers, int heads, int contextLength, int vocabSize,
    int mlpHidden, double layerNormEps, Activation activation) {

  /** OpenAI's QuickGELU tower. */
  public TextConfig(int width, int layers, int heads, int contextLength, int vocabSize, int mlpHidden,
      double layerNormEps) {
    this(width, layers, heads, contextLength, vocabSize, mlpHidden, layerNormEps, Activation.QUICK_GELU);
  }

  public TextConfig {
    if (activation == null) {
      throw new IllegalArgumentException("activation must not be null");
    }
  }

  public TextConfig withActivation(Activation a) {
    return new TextConfig(width, layers, heads, contextLength, vocabSize, mlpHidden, layerNormEps, a);
  }

  public int headDim() {
    return width / heads;
  }
}
