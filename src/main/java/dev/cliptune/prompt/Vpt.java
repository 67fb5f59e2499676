package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.UserException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Deep visual prompt tuning (METHODS.md §5, the {@code VPT} trainer): visual prompts {@code image_encoder.VPT}
 * and {@code image_encoder.transformer.resblocks.l.VPT_shallow} (l = 1..Jv−1); no text prompts — the class
 * text features are the frozen CLIP's features of {@code "a photo of a <class>."}, computed once.
 */
public final class Vpt extends PromptLearner {
  /** The hard-coded template of the official VPT trainer. */
  public static final String TEMPLATE = "a photo of a";

  private final List<String> classNames;
  private final List<String> promptTexts = new ArrayList<>();
  private final long[] tokenIds;
  private final NDArray textFeatures;
  private final NDArray visual;
  private final List<NDArray> visionDeep = new ArrayList<>();

  public Vpt(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config) {
    super(clip, tokenizer, config);
    int dv = clip.config().vision().width();
    int nv = config.nCtxVision();
    int jv = config.depthVision();
    if (nv < 1 || jv < 1 || jv > clip.config().vision().layers()) {
      throw new UserException("VPT needs N_CTX_VISION >= 1 and 1 <= PROMPT_DEPTH_VISION <= "
          + clip.config().vision().layers() + " (the image encoder's depth); got " + nv + " and " + jv);
    }
    this.classNames = List.copyOf(classNames);
    int ctxLen = clip.config().text().contextLength();
    tokenIds = new long[classNames.size() * ctxLen];
    for (int k = 0; k < classNames.size(); k++) {
      String text = TEMPLATE + " " + classNames.get(k).replace('_', ' ') + ".";
      promptTexts.add(text);
      System.arraycopy(tokenizer.tokenize(text, ctxLen, false), 0, tokenIds, k * ctxLen, ctxLen);
    }
    try (NDManager m = manager.newSubManager()) {
      NDArray f = clip.encodeText(m.create(tokenIds, new Shape(classNames.size(), ctxLen)));
      f.attach(manager);
      textFeatures = f;
    }
    visual = addParameter("image_encoder.VPT", "image_encoder.VPT", init.normal(nv * dv, 0.02), nv, dv);
    for (int l = 1; l < jv; l++) {
      String name = "image_encoder.transformer.resblocks." + l + ".VPT_shallow";
      visionDeep.add(addParameter(name, name, init.normal(nv * dv, 0.02), nv, dv));
    }
  }

  @Override
  protected NDArray imageFeatures(NDArray pixels, Probe probe) {
    return VisualPrompting.encode(this, pixels, visual, visionDeep);
  }

  @Override
  protected Optional<NDArray> sharedTextFeatures(NDManager m, Probe probe) {
    NDArray copy = textFeatures.duplicate();
    copy.attach(m);
    return Optional.of(copy);
  }

  @Override
  public List<String> classNames() {
    return classNames;
  }

  @Override
  public List<String> promptTexts() {
    return List.copyOf(promptTexts);
  }

  @Override
  public long[] tokenizedPrompts() {
    return tokenIds.clone();
  }

  @Override
  public String checkpointModule() {
    return "prompt_learner";
  }
}
