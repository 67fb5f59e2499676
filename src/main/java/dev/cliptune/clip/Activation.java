package dev.cliptune.clip;

/**
 * The MLP activation of a transformer tower. OpenAI's CLIP uses {@link #QUICK_GELU}; the LAION/DataComp models
 * of open_clip ({@code quick_gelu: false}) and HF configs with {@code hidden_act: "gelu"} use exact {@link #GELU}.
 * The two give different features (up to 0.0075 on the checkpoint fixtures' tiny ViT), so the loader takes it
 * from the configuration, never assumes it.
 */
public enum Activation {
  /** {@code x * sigmoid(1.702 x)}. */
  QUICK_GELU("quick_gelu"),
  /** {@code 0.5 x (1 + erf(x / sqrt 2))} ({@code torch.nn.functional.gelu}, no tanh approximation). */
  GELU("gelu");

  /** The name HF configs use ({@code hidden_act}). */
  public final String hfName;

  Activation(String hfName) {
    this.hfName = hfName;
  }
}
