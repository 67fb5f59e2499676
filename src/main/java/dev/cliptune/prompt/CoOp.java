package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.VisionInput;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.List;
import java.util.Optional;

/**
 * CoOp (METHODS.md §2): learnable context vectors {@code prompt_learner.ctx}, unified {@code [n, Dt]} or
 * class-specific {@code [C, n, Dt]}, in front of / around / after the class-name tokens. With {@code CTX_INIT}
 * the context is word-initialised, {@code n} becomes the word count and CSC is ignored, as in the official code.
 */
public class CoOp extends ClassPromptLearner {
  private final NDArray ctx;

  public CoOp(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config) {
    this(clip, tokenizer, classNames, config, config.hasCtxInit() ? config.ctxInitText() : null, config.position());
  }

  /**
   * CoOp's prompts with the word initialisation {@code ctxInit} (null: random, {@code N_CTX} and {@code CSC}
   * apply) at {@code position}; KgCoOp decides both its own way.
   */
  protected CoOp(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config, String ctxInit,
      ClassTokenPosition position) {
    super(clip, tokenizer, config);
    int dt = clip.config().text().width();
    int c = classNames.size();
    String prefix;
    int n;
    if (ctxInit != null) {
      prefix = ctxInit;
      n = prefix.split(" ").length;
      ctx = addParameter("prompt_learner.ctx", "ctx", wordInit(prefix, n), n, dt);
    } else {
      n = config.nCtx();
      prefix = placeholder(n);
      ctx = config.csc()
          ? addParameter("prompt_learner.ctx", "ctx", init.normal(c * n * dt, 0.02), c, n, dt)
          : addParameter("prompt_learner.ctx", "ctx", init.normal(n * dt, 0.02), n, dt);
    }
    usePrompts(new ClassPrompts(clip, tokenizer, classNames, prefix, n, true, position));
  }

  /** Whether the context has a class axis (then the prompts cannot move to another class list). */
  public boolean classSpecific() {
    return ctx.getShape().dimension() == 3;
  }

  @Override
  protected NDArray imageFeatures(NDArray pixels, Probe probe) {
    return probe == Probe.NONE ? clip.encodeImage(pixels) : clip.encodeImage(VisionInput.of(pixels), probe);
  }

  @Override
  protected Optional<NDArray> sharedTextFeatures(NDManager m, Probe probe) {
    return Optional.of(encodeClassPrompts(m, probe, ctx, List.of()));
  }

  @Override
  public String checkpointModule() {
    return "prompt_learner";
  }

}
