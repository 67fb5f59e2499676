package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.List;

/**
 * MIP (METHODS.md §6): CoCoOp with (1) the context meta-initialised from the L2-normalised
 * {@code ln_final.weight} when {@code CTX_INIT} is empty, (2) {@code (ctx + π) / √Dt}, and (3) class names
 * kept with their underscores.
 *
 * <p>{@code prompt_learner.meta_features}: in the official fp32 mode (the fixtures' behaviour, and the default
 * here, {@link MethodConfig#mipSharedLnFinal()}) it is the text encoder's {@code ln_final.weight} itself,
 * trained and weight-decayed with the prompts; this learner holds it as its own parameter and the text
 * encoder uses it in place of the frozen weight. With {@code mipSharedLnFinal = false} (the official fp16 runs)
 * it is a frozen copy and the text encoder keeps its own scale.
 */
public final class Mip extends CoCoOp {
  private final NDArray metaFeatures;

  public Mip(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config) {
    this(clip, tokenizer, classNames, config, SEQUENCES_PER_CALL);
  }

  /** @param sequencesPerCall text sequences per text-encoder call (the result does not depend on it) */
  Mip(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config, int sequencesPerCall) {
    super(clip, tokenizer, classNames, config, true, sequencesPerCall);
    if (config.mipSharedLnFinal()) {
      float[] g = clip.lnFinalWeight().toFloatArray();
      metaFeatures = addParameter("prompt_learner.meta_features", "meta_features", g, g.length);
    } else {
      metaFeatures = null;
    }
  }

  @Override
  protected NDArray conditionedContext(NDArray ctx, NDArray bias) {
    float dt = clip.config().text().width();
    // the divisor is a libtorch-owned scalar: div(float) would leave div's backward reading a Java buffer that
    // DJL releases at once
    try (NDArray sum = super.conditionedContext(ctx, bias);
        NDArray root = sum.getManager().full(new Shape(), (float) Math.sqrt(dt), DataType.FLOAT32)) {
      return sum.div(root);
    }
  }

  @Override
  protected NDArray lnFinalWeight() {
    return metaFeatures;
  }
}
