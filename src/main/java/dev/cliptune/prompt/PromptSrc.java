package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.zeroshot.Templates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PromptSRC (METHODS-NEXT.md §1, {@code trainers/promptsrc.py}): IVLP's independent vision-language prompts
 * (checkpoint module {@code VLPromptLearner}, the official keys), self-regularised towards the frozen CLIP and
 * aggregated over epochs.
 *
 * <ul>
 *   <li>Frozen targets: {@code z = norm(fixed_embeddings)}, {@code fixed_embeddings} the mean over the 60
 *       templates of the frozen text features, <b>not</b> normalised per template (computed once per class set,
 *       on the first training step); per batch {@code g = norm(frozen image features)} and the zero-shot logits
 *       {@code zs = exp(s)·g·zᵀ}. The frozen towers are CLIP's own (the prompts are inserted only in this
 *       learner's forward), so no copy is kept.
 *   <li>Loss terms ({@link #lossTerms}): {@code ((KL(zs ‖ logits)/(B·C) + W_t·L1(t, z)) + W_i·L1(f, g))} added
 *       to the cross-entropy, in the official summation order.
 *   <li>Gaussian prompt aggregation ({@link #epochEnded}): after epoch e the prompts are added to a running sum
 *       with weight {@code w_e = pdf(e) / Σ_j pdf(j)} (pdf of N(GPA_MEAN, GPA_STD²), float64), in the official
 *       float32 arithmetic {@code A_e = A_{e−1} + S_e·fl32(w_e)}; after the last epoch the prompts become
 *       {@code A_N}. Only the prompts are aggregated (the official code also sums the frozen weights, moving
 *       them by about one float32 ulp; the spec allows a port to aggregate the trainable tensors only).
 * </ul>
 */
public final class PromptSrc extends Ivlp {
  /**
   * PromptSRC's {@code IMAGENET_TEMPLATES} ({@code trainers/imagenet_templates.py}): {@code "a photo of a {}."}
   * followed by the first 59 of CoOp's 80 ImageNet templates other than it.
   */
  public static final List<String> TEMPLATES_60 = templates60();

  private final List<String> templates;
  private NDManager targetManager;
  private NDArray fixedEmbeddings;
  private final Map<String, float[]> gpaSum = new LinkedHashMap<>();

  public PromptSrc(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config) {
    super(clip, tokenizer, classNames, config);
    List<String> t = config.templateList();
    this.templates = t.isEmpty() ? TEMPLATES_60 : t;
  }

  private static List<String> templates60() {
    List<String> out = new ArrayList<>();
    out.add(Templates.DEFAULT);
    for (String t : Templates.IMAGENET_80) {
      if (out.size() < 60 && !t.equals(Templates.DEFAULT)) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  /** The templates of the text ensemble. */
  public List<String> templates() {
    return templates;
  }

  // ------------------------------------------------------------------ frozen targets

  /** Token ids {@code [T·C, L]} of every template filled with every class, template-major. */
  private NDArray templateTokens(NDManager m) {
    List<String> texts = new ArrayList<>();
    for (String t : templates) {
      texts.addAll(FrozenText.fill(t, classNames()));
    }
    return FrozenText.tokens(m, clip, tokenizer, texts);
  }

  /** {@code fixed_embeddings [C, E]}: the mean over templates of the unnormalised frozen text features. */
  private NDArray fixedEmbeddings() {
    if (fixedEmbeddings == null) {
      targetManager = manager.newSubManager();
      try (NDManager scope = targetManager.newSubManager()) {
        NDArray f = perTemplateFeatures(templateTokens(scope));
        // torch.cat(per-template [C, 1, E], dim=1).mean(dim=1): the mean over a [C, T, E] layout
        try (NDArray ct = f.transpose(1, 0, 2); NDArray contiguous = ct.duplicate()) {
          fixedEmbeddings = contiguous.mean(new int[] {1});
        }
        fixedEmbeddings.attach(targetManager);
      }
    }
    return fixedEmbeddings;
  }

  /** Frozen text features {@code [T, C, E]} of template-major token ids {@code [T·C, L]}. */
  private NDArray perTemplateFeatures(NDArray ids) {
    NDArray f = FrozenText.encode(clip, ids);
    return f.reshape(templates.size(), classNames().size(), f.getShape().get(1));
  }

  @Override
  public void recordBuffers(Probe probe) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray ids = templateTokens(scope);
      int l = clip.config().text().contextLength();
      probe.record("buffers/template_tokens", ids.reshape(templates.size(), classNames().size(), l));
      probe.record("debug/template_text_features", perTemplateFeatures(ids));
    }
    probe.record("buffers/fixed_embeddings", fixedEmbeddings());
  }

  // ------------------------------------------------------------------ loss

  @Override
  public List<NDArray> lossTerms(Forward forward, NDArray labels, Probe probe) {
    NDArray logits = forward.logits();
    NDManager m = logits.getManager();
    NDArray t = ClipModel.l2Normalise(forward.textFeatures());
    NDArray f = ClipModel.l2Normalise(forward.imageFeatures());
    probe.record("text_features_normalised", t);
    probe.record("image_features_normalised", f);
    NDArray z = ClipModel.l2Normalise(fixedEmbeddings());
    z.attach(m);
    NDArray frozen = clip.encodeImage(forward.pixels()).stopGradient();
    NDArray g = ClipModel.l2Normalise(frozen);
    probe.record("zero_shot_image_features", g);
    NDArray zs = g.matMul(z.transpose()).mul(clip.logitScaleExpArray());
    probe.record("zero_shot_logits", zs);

    NDArray l1Text = t.sub(z).abs().mean();
    NDArray sclText = l1Text.mul((float) config.textLossWeight());
    NDArray l1Image = f.sub(g).abs().mean();
    NDArray sclImage = l1Image.mul((float) config.imageLossWeight());
    // F.kl_div(log_softmax(logits), log_softmax(zs), reduction='sum', log_target=True) / logits.numel()
    NDArray logPzs = zs.logSoftmax(1);
    NDArray klSum = logPzs.exp().mul(logPzs.sub(logits.logSoftmax(1))).sum();
    NDArray sclLogits = klSum.div((float) logits.size());
    NDArray scl = sclLogits.add(sclText).add(sclImage);
    probe.record("loss_terms/l1_text", l1Text);
    probe.record("loss_terms/scl_text", sclText);
    probe.record("loss_terms/l1_image", l1Image);
    probe.record("loss_terms/scl_image", sclImage);
    probe.record("loss_terms/kl_sum", klSum);
    probe.record("loss_terms/scl_logits", sclLogits);
    probe.record("loss_terms/scl", scl);
    return List.of(scl);
  }

  // ------------------------------------------------------------------ Gaussian prompt aggregation

  /**
   * The GPA weights of epochs 1..{@code epochs} as {@code build_model} computes them (float64, the normalising
   * sum sequential).
   */
  public static double[] gpaWeights(double mean, double std, int epochs) {
    double[] pdf = new double[epochs];
    double sum = 0;
    for (int e = 1; e <= epochs; e++) {
      double x = (e - mean) / std;
      pdf[e - 1] = Math.exp(-0.5 * x * x) / (std * Math.sqrt(2 * Math.PI));
    }
    for (double p : pdf) {
      sum += p;
    }
    double[] w = new double[epochs];
    for (int e = 0; e < epochs; e++) {
      w[e] = pdf[e] / sum;
    }
    return w;
  }

  /**
   * Adds this epoch's prompts to the running sum with their Gaussian weight; after the last epoch loads the sum
   * into the prompts. Every epoch is weighed by its own index. The official trainer does not checkpoint the sum
   * (a resumed run restarts it); here it travels in the checkpoint's training state ({@link #epochState}), so a
   * resumed run ends with the prompts of an uninterrupted one.
   */
  @Override
  public void epochEnded(int epochsDone, int epochs) {
    float w = (float) gpaWeights(config.gpaMean(), config.gpaStd(), epochs)[epochsDone - 1];
    boolean first = gpaSum.isEmpty();
    for (PromptParameter p : parameters()) {
      float[] s = p.value().toFloatArray();
      float[] a = first ? new float[s.length] : gpaSum.get(p.name());
      for (int i = 0; i < s.length; i++) {
        float product = s[i] * w;
        a[i] = first ? product : a[i] + product;
      }
      gpaSum.put(p.name(), a);
    }
    if (epochsDone == epochs) {
      for (PromptParameter p : parameters()) {
        setParameter(p.name(), gpaSum.get(p.name()), p.value().getShape().getShape());
      }
      gpaSum.clear();
    }
  }

  /** Key prefix of the running sum in {@link #epochState()}: {@code gpa_sum/<parameter name>}. */
  static final String GPA_SUM = "gpa_sum/";

  /** The running sum, each tensor's float32 values little-endian in base64 (exact). */
  @Override
  public Map<String, String> epochState() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : gpaSum.entrySet()) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * e.getValue().length)
          .order(java.nio.ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(e.getValue());
      out.put(GPA_SUM + e.getKey(), java.util.Base64.getEncoder().encodeToString(b.array()));
    }
    return out;
  }

  @Override
  public void restoreEpochState(Map<String, String> state) {
    gpaSum.clear();
    for (PromptParameter p : parameters()) {
      String v = state.get(GPA_SUM + p.name());
      if (v == null) {
        continue;
      }
      byte[] bytes = java.util.Base64.getDecoder().decode(v);
      long n = p.value().getShape().size();
      if (bytes.length != 4 * n) {
        throw new IllegalArgumentException("training state " + GPA_SUM + p.name() + " holds " + bytes.length / 4
            + " values, the parameter has " + n);
      }
      float[] a = new float[(int) n];
      java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a);
      gpaSum.put(p.name(), a);
    }
    if (!gpaSum.isEmpty() && gpaSum.size() != parameters().size()) {
      throw new IllegalArgumentException("training state has a GPA sum for " + gpaSum.keySet() + " but not for every "
          + "parameter of " + parameters().stream().map(PromptParameter::name).toList());
    }
  }

  @Override
  public void close() {
    if (targetManager != null) {
      targetManager.close();
    }
    super.close();
  }
}
