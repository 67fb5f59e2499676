package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.zeroshot.Templates;
import java.util.List;
import java.util.Locale;

/**
 * KgCoOp (METHODS-NEXT.md §2, {@code KgCoOp/trainers/kgcoop.py}): CoOp's prompts and its one context
 * {@code ctx} (checkpoint module {@code prompt_learner}, key {@code ctx}), trained with one more loss term,
 * {@code W · (1 − mean_k cos(t_k, h_k))}: {@code t} the normalised text features of the learned prompts,
 * {@code h} the frozen CLIP's normalised features of the dataset's hand-crafted prompt. That is the official
 * code's form: the paper's squared distance {@code ||t − h||² = 2(1 − cos)} would make it twice as large.
 *
 * <p>As in the official constructor, a truthy {@code CTX_INIT} always means the hard-coded {@code "a photo of
 * a"} (4 tokens; {@code N_CTX} and {@code CSC} ignored), and the class name always goes at the end.
 */
public final class KgCoOp extends CoOp {
  /** The word initialisation a truthy {@code CTX_INIT} stands for (hard-coded in the official constructor). */
  public static final String CTX_INIT = "a photo of a";
  /** {@code torch.nn.CosineSimilarity(dim=1, eps=1e-7)}. */
  private static final double COSINE_EPS = 1e-7;

  private final String template;
  private NDManager targetManager;
  private NDArray handcraftedTokens;
  private NDArray handcrafted;

  public KgCoOp(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config) {
    super(clip, tokenizer, classNames, config, truthy(config.ctxInit()) ? CTX_INIT : null, ClassTokenPosition.END);
    List<String> t = config.templateList();
    if (t.size() > 1) {
      throw new IllegalArgumentException("KgCoOp takes one hand-crafted template, TEMPLATES has " + t.size() + ": " + t);
    }
    this.template = t.isEmpty() ? Templates.DEFAULT : t.get(0);
  }

  /** KgCoOp's {@code CUSTOM_TEMPLATES} entry of an official dataset name (its DTD template differs from CoOp's). */
  public static String template(String dataset) {
    if ("DescribableTextures".equals(dataset)) {
      return "a photo of a {}, a type of texture.";
    }
    return Templates.forDataset(dataset);
  }

  /** Python truthiness of the configured {@code CTX_INIT} (the official YAML has {@code True}). */
  private static boolean truthy(String ctxInit) {
    if (ctxInit == null || ctxInit.isBlank()) {
      return false;
    }
    String v = ctxInit.trim().toLowerCase(Locale.ROOT);
    return !(v.equals("false") || v.equals("0") || v.equals("none"));
  }

  /** The hand-crafted prompt's template. */
  public String handcraftedTemplate() {
    return template;
  }

  /** {@code h = norm(encode_text(template(class)))} {@code [C, E]}, computed once (only training needs it). */
  private NDArray handcrafted() {
    if (handcrafted == null) {
      targetManager = manager.newSubManager();
      handcraftedTokens = FrozenText.tokens(targetManager, clip, tokenizer, FrozenText.fill(template, classNames()));
      try (NDArray f = FrozenText.encode(clip, handcraftedTokens)) {
        handcrafted = ClipModel.l2Normalise(f);
      }
    }
    return handcrafted;
  }

  @Override
  public List<NDArray> lossTerms(Forward forward, NDArray labels, Probe probe) {
    NDArray h = handcrafted();
    NDArray t = ClipModel.l2Normalise(forward.textFeatures());
    NDArray hn = ClipModel.l2Normalise(h);
    hn.attach(t.getManager());
    NDArray cos = cosine(t, hn);
    probe.record("kg_cosine", cos);
    NDArray kg = cos.mean().neg().add(1f);
    probe.record("loss_terms/kg", kg);
    NDArray weighted = kg.mul((float) config.kgWeight());
    probe.record("loss_terms/kg_weighted", weighted);
    return List.of(weighted);
  }

  /** Row-wise {@code CosineSimilarity(dim=1, eps)}: each side divided by {@code max(||x||, eps)}, then the dot product. */
  static NDArray cosine(NDArray a, NDArray b) {
    NDArray na = a.norm(new int[] {-1}, true).maximum((float) COSINE_EPS);
    NDArray nb = b.norm(new int[] {-1}, true).maximum((float) COSINE_EPS);
    return a.div(na).mul(b.div(nb)).sum(new int[] {1});
  }

  @Override
  public void recordBuffers(Probe probe) {
    handcrafted();
    probe.record("buffers/handcrafted_tokens", handcraftedTokens);
    probe.record("buffers/handcrafted_text_features", handcrafted);
  }
}
