package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.UserException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Independent vision-language prompting (METHODS.md §5): text context {@code prompt_learner.ctx [nt, Dt]}
 * plus independent deep prompts {@code text_encoder.transformer.resblocks.l.VPT_shallow} for text layers
 * 1..Jt−1, and (when Jv ≥ 1) visual prompts {@code image_encoder.VPT [nv, Dv]} appended before {@code ln_pre}
 * with {@code image_encoder.transformer.resblocks.l.VPT_shallow} for vision layers 1..Jv−1. Deep language
 * prompting is the text-only setting (nv = 0, Jv = 0).
 */
public class Ivlp extends ClassPromptLearner {
  private final NDArray ctx;
  private final List<NDArray> textDeep = new ArrayList<>();
  private final NDArray visual;
  private final List<NDArray> visionDeep = new ArrayList<>();

  public Ivlp(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config) {
    super(clip, tokenizer, config);
    int dt = clip.config().text().width();
    int dv = clip.config().vision().width();
    int nt = config.nCtxText();
    int nv = config.nCtxVision();
    int jt = config.depthText();
    int jv = config.depthVision();
    if (nt < 1 || jt < 1 || jt > clip.config().text().layers()) {
      throw new UserException(config.method().officialName + " needs N_CTX_TEXT >= 1 and 1 <= PROMPT_DEPTH_TEXT <= "
          + clip.config().text().layers() + " (the text encoder's depth); got " + nt + " and " + jt
          + " (--set PROMPT_DEPTH_TEXT=N)");
    }
    if (jv < 0 || jv > clip.config().vision().layers() || (jv > 0 && nv < 1)) {
      throw new UserException(config.method().officialName + " PROMPT_DEPTH_VISION = " + jv + " with N_CTX_VISION = "
          + nv + ": expected 0.." + clip.config().vision().layers() + " (the image encoder's depth) and N_CTX_VISION"
          + " >= 1 when it is > 0");
    }
    String prefix;
    if (config.hasCtxInit() && nt <= 4) {
      prefix = config.ctxInitText();
      ctx = addParameter("prompt_learner.ctx", "prompt_learner.ctx", wordInit(prefix, nt), nt, dt);
    } else {
      prefix = placeholder(nt);
      ctx = addParameter("prompt_learner.ctx", "prompt_learner.ctx", init.normal(nt * dt, 0.02), nt, dt);
    }
    for (int l = 1; l < jt; l++) {
      String name = "text_encoder.transformer.resblocks." + l + ".VPT_shallow";
      textDeep.add(addParameter(name, name, init.normal(nt * dt, 0.02), nt, dt));
    }
    visual = jv >= 1 ? addParameter("image_encoder.VPT", "image_encoder.VPT", init.normal(nv * dv, 0.02), nv, dv) : null;
    for (int l = 1; l < jv; l++) {
      String name = "image_encoder.transformer.resblocks." + l + ".VPT_shallow";
      visionDeep.add(addParameter(name, name, init.normal(nv * dv, 0.02), nv, dv));
    }
    usePrompts(new ClassPrompts(clip, tokenizer, classNames, prefix, nt, true, ClassTokenPosition.END));
  }

  @Override
  protected NDArray imageFeatures(NDArray pixels, Probe probe) {
    if (visual == null) {
      return clip.encodeImage(pixels);
    }
    return VisualPrompting.encode(this, pixels, visual, visionDeep);
  }

  @Override
  protected Optional<NDArray> sharedTextFeatures(NDManager m, Probe probe) {
    return Optional.of(encodeClassPrompts(m, probe, ctx, textDeep));
  }

  @Override
  public String checkpointModule() {
    return "VLPromptLearner";
  }

}
