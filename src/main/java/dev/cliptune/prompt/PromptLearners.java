package dev.cliptune.prompt;

import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.UserException;
import java.util.List;

/** The registry of methods: builds the learner a configuration names. */
public final class PromptLearners {
  private PromptLearners() {}

  public static PromptLearner create(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames,
      MethodConfig config) {
    if (clip.config().isResNet() && insertsVisualPrompts(config.method())) {
      throw new UserException(config.method().officialName + " needs a ViT image encoder: its prompts "
          + "enter the vision transformer's layers, and this CLIP's image encoder is a ModifiedResNet ("
          + clip.config().image() + "); CoOp, CoCoOp, MIP, KgCoOp, zero-shot CLIP and the linear probe run on it");
    }
    return switch (config.method()) {
      case COOP -> new CoOp(clip, tokenizer, classNames, config);
      case COCOOP -> new CoCoOp(clip, tokenizer, classNames, config);
      case MIP -> new Mip(clip, tokenizer, classNames, config);
      case MAPLE, MAPLE_SHARED -> new MaPLe(clip, tokenizer, classNames, config);
      case IVLP -> new Ivlp(clip, tokenizer, classNames, config);
      case VPT -> new Vpt(clip, tokenizer, classNames, config);
      case PROMPTSRC -> new PromptSrc(clip, tokenizer, classNames, config);
      case KGCOOP -> new KgCoOp(clip, tokenizer, classNames, config);
      case ZS_CLIP -> throw new IllegalArgumentException(
          "zero-shot CLIP has no prompt learner: use dev.cliptune.zeroshot.ZeroShotClassifier");
      case LINEAR_PROBE -> throw new IllegalArgumentException(
          "linear-probe CLIP has no prompt learner: use `cliptune linear-probe` or dev.cliptune.eval.LinearProbe");
    };
  }

  /** Whether a method's prompts enter the ViT image encoder (MaPLe and its variants, IVLP, VPT, PromptSRC): ViT only. */
  public static boolean insertsVisualPrompts(Method method) {
    return switch (method) {
      case MAPLE, MAPLE_SHARED, IVLP, VPT, PROMPTSRC -> true;
      case COOP, COCOOP, MIP, KGCOOP, ZS_CLIP, LINEAR_PROBE -> false;
    };
  }
}
