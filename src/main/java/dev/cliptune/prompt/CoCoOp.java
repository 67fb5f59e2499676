package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.List;
import java.util.Optional;

/**
 * CoCoOp (METHODS.md §3): a unified context plus a per-image bias {@code π = meta_net(norm(f_img))} from a
 * two-layer meta-net ({@code Linear(E, E/16) → ReLU → Linear(E/16, Dt)}); every image gets its own prompts
 * and its own class text features, through the image-conditioned text hook of {@link PromptLearner}. Text
 * encoding is chunked ({@link #SEQUENCES_PER_CALL} sequences per call) so memory stays bounded for many
 * classes. {@link Mip} changes initialisation, scaling and class names.
 */
public class CoCoOp extends ClassPromptLearner {
  /** Text sequences per text-encoder call by default. */
  public static final int SEQUENCES_PER_CALL = 256;

  private final int sequencesPerCall;

  protected final NDArray ctx;
  private final NDArray w1;
  private final NDArray b1;
  private final NDArray w2;
  private final NDArray b2;

  public CoCoOp(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config) {
    this(clip, tokenizer, classNames, config, false, SEQUENCES_PER_CALL);
  }

  /**
   * @param mip              MIP's constructor: meta-initialisation, class names kept with underscores
   * @param sequencesPerCall text sequences per text-encoder call (the result does not depend on it)
   */
  CoCoOp(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config, boolean mip,
      int sequencesPerCall) {
    super(clip, tokenizer, config);
    if (sequencesPerCall < 1) {
      throw new IllegalArgumentException("sequencesPerCall must be at least 1, got " + sequencesPerCall);
    }
    this.sequencesPerCall = sequencesPerCall;
    int dt = clip.config().text().width();
    int e = clip.config().embedDim();
    String prefix;
    int n;
    if (config.hasCtxInit()) {
      prefix = config.ctxInitText();
      n = prefix.split(" ").length;
      ctx = addParameter("prompt_learner.ctx", "ctx", wordInit(prefix, n), n, dt);
    } else {
      n = config.nCtx();
      prefix = placeholder(n);
      ctx = addParameter("prompt_learner.ctx", "ctx", mip ? metaInit(n) : init.normal(n * dt, 0.02), n, dt);
    }
    int hidden = e / 16;
    float[][] l1 = init.linear(e, hidden);
    float[][] l2 = init.linear(hidden, dt);
    w1 = addParameter("prompt_learner.meta_net.linear1.weight", "meta_net.linear1.weight", l1[0], hidden, e);
    b1 = addParameter("prompt_learner.meta_net.linear1.bias", "meta_net.linear1.bias", l1[1], hidden);
    w2 = addParameter("prompt_learner.meta_net.linear2.weight", "meta_net.linear2.weight", l2[0], dt, hidden);
    b2 = addParameter("prompt_learner.meta_net.linear2.bias", "meta_net.linear2.bias", l2[1], dt);
    usePrompts(new ClassPrompts(clip, tokenizer, classNames, prefix, n, !mip, ClassTokenPosition.END));
  }

  /** MIP's meta-initialisation: every row is {@code ln_final.weight / ||ln_final.weight||₂}. */
  private float[] metaInit(int n) {
    float[] g = clip.lnFinalWeight().toFloatArray();
    double norm = 0;
    for (float v : g) {
      norm += (double) v * v;
    }
    // the official code normalises in float32: x / x.norm()
    float nf = (float) Math.sqrt(norm);
    float[] out = new float[n * g.length];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < g.length; i++) {
        out[r * g.length + i] = g[i] / nf;
      }
    }
    return out;
  }

  /** The context of each image: {@code ctx + π_b} (MIP divides by √Dt), {@code [B, n, Dt]}. */
  protected NDArray conditionedContext(NDArray ctx, NDArray bias) {
    return ctx.expandDims(0).add(bias.expandDims(1));
  }

  /** The ln_final scale the text encoder uses (MIP may train it), or null for the frozen one. */
  protected NDArray lnFinalWeight() {
    return null;
  }

  @Override
  public boolean textDependsOnImage() {
    return true;
  }

  @Override
  protected NDArray imageFeatures(NDArray pixels, Probe probe) {
    return clip.encodeImage(pixels);
  }

  /** None: every image has its own prompts. */
  @Override
  protected Optional<NDArray> sharedTextFeatures(NDManager m, Probe probe) {
    return Optional.empty();
  }

  /**
   * The image-conditioned text features {@code [B, C, E]}: {@code π = meta_net(norm(f_img))}, every image's
   * context {@code ctx + π_b} assembled into every class prompt and encoded.
   */
  @Override
  protected NDArray textFeatures(NDArray imageFeatures, Probe probe) {
    NDManager caller = imageFeatures.getManager();
    try (NDManager scope = caller.newSubManager()) {
      for (NDArray p : List.of(ctx, w1, b1, w2, b2)) {
        p.tempAttach(scope);
      }
      NDArray f = ClipModel.l2Normalise(imageFeatures);
      f.attach(scope);
      NDArray h = Activation.relu(Linear.linear(f, w1, b1).singletonOrThrow());
      NDArray bias = Linear.linear(h, w2, b2).singletonOrThrow(); // [B, Dt]
      NDArray ctxB = conditionedContext(ctx, bias); // [B, n, Dt]
      NDArray text = encodeClassPrompts(probe, ctxB, lnFinalWeight(), sequencesPerCall);
      text.attach(caller);
      return text;
    }
  }

  @Override
  public String checkpointModule() {
    return "prompt_learner";
  }

}
