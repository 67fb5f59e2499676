package dev.cliptune.prompt;

import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.List;

/** The registry of methods: builds the learner a configuration names. */
public final class PromptLearners {
  private PromptLearners() {}

  public static PromptLearner create(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames,
      MethodConfig config) {
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
}
