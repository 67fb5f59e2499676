package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.core.Linear;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.VisionInput;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.UserException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * MaPLe (METHODS.md §4): text context {@code ctx [n, Dt]} coupled to first-layer visual prompts by
 * {@code proj: Dt → Dv}; for depths 1..J−1 text prompts {@code compound_prompts_text.k} replace rows 1..n of the
 * text sequence and their projections {@code compound_prompt_projections.k(...)} replace the last n visual
 * tokens. J = 1 is shallow MaPLe. With {@code sharedCoupling} (MaPLe†, no official code) one function
 * {@code proj} couples every depth and there are no {@code compound_prompt_projections}.
 */
public final class MaPLe extends ClassPromptLearner {
  private final NDArray ctx;
  private final NDArray projW;
  private final NDArray projB;
  private final List<NDArray> compoundText = new ArrayList<>();
  private final List<NDArray[]> compoundProj = new ArrayList<>();
  private final boolean shared;

  public MaPLe(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config) {
    super(clip, tokenizer, config);
    this.shared = config.method() == Method.MAPLE_SHARED;
    int dt = clip.config().text().width();
    int dv = clip.config().vision().width();
    int n = config.nCtx();
    int depth = config.promptDepth();
    if (depth < 1 || depth > clip.config().text().layers()) {
      throw new UserException("MaPLe PROMPT_DEPTH = " + depth + ": expected 1.."
          + clip.config().text().layers() + " (the text encoder's depth)");
    }
    String prefix;
    if (config.hasCtxInit() && n <= 4) {
      prefix = config.ctxInitText();
      ctx = addParameter("prompt_learner.ctx", "prompt_learner.ctx", wordInit(prefix, n), n, dt);
    } else {
      prefix = placeholder(n);
      ctx = addParameter("prompt_learner.ctx", "prompt_learner.ctx", init.normal(n * dt, 0.02), n, dt);
    }
    float[][] p = init.linear(dt, dv);
    projW = addParameter("prompt_learner.proj.weight", "prompt_learner.proj.weight", p[0], dv, dt);
    projB = addParameter("prompt_learner.proj.bias", "prompt_learner.proj.bias", p[1], dv);
    for (int k = 0; k < depth - 1; k++) {
      String name = "prompt_learner.compound_prompts_text." + k;
      compoundText.add(addParameter(name, name, init.normal(n * dt, 0.02), n, dt));
    }
    if (!shared && depth > 1) {
      // one Linear-default draw, deep-copied: every coupling map starts identical
      float[][] single = init.linear(dt, dv);
      for (int k = 0; k < depth - 1; k++) {
        String name = "prompt_learner.compound_prompt_projections." + k;
        compoundProj.add(new NDArray[] {
            addParameter(name + ".weight", name + ".weight", single[0], dv, dt),
            addParameter(name + ".bias", name + ".bias", single[1], dv)});
      }
    }
    usePrompts(new ClassPrompts(clip, tokenizer, classNames, prefix, n, true, ClassTokenPosition.END));
  }

  /** The visual prompts: {@code V₀ = proj(ctx)} and {@code V_k = F_k(P_k)} for k = 1..J−1. */
  private List<NDArray> visualPrompts(NDManager scope, Probe probe) {
    List<NDArray> out = new ArrayList<>();
    NDArray v0 = Linear.linear(ctx, projW, projB).singletonOrThrow();
    v0.attach(scope);
    probe.record("maple_shared_ctx", v0);
    out.add(v0);
    for (int k = 0; k < compoundText.size(); k++) {
      NDArray w = shared ? projW : compoundProj.get(k)[0];
      NDArray b = shared ? projB : compoundProj.get(k)[1];
      NDArray vk = Linear.linear(compoundText.get(k), w, b).singletonOrThrow();
      vk.attach(scope);
      probe.record("maple_visual_deep_prompts." + k, vk);
      out.add(vk);
    }
    return out;
  }

  @Override
  protected NDArray imageFeatures(NDArray pixels, Probe probe) {
    try (NDManager scope = pixels.getManager().newSubManager()) {
      List<NDArray> v = visualPrompts(scope, probe);
      List<NDArray> cast = new ArrayList<>();
      for (NDArray a : v) {
        cast.add(officialCast(a));
      }
      NDArray f = clip.encodeImage(new VisionInput(pixels, cast.get(0), cast.subList(1, cast.size())), Probe.NONE);
      f.attach(pixels.getManager());
      return f;
    }
  }

  @Override
  protected Optional<NDArray> sharedTextFeatures(NDManager m, Probe probe) {
    return Optional.of(encodeClassPrompts(m, probe, ctx, compoundText));
  }

  @Override
  public String checkpointModule() {
    return "MultiModalPromptLearner";
  }

}
