package dev.cliptune.clip;

/** The causal text transformer. */
public record TextConfig(int width, int layers, int heads, int contextLength, int vocabSize,
    int mlpHidden, double layerNormEps) {

  public int headDim() {
    return width / heads;
  }
}
