package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What every method shares: the frozen CLIP, the learnable parameters under their official names (in one
 * long-lived manager), the seeded initialisations, and the forward {@code logits = exp(s)·norm(f_img)·norm(f_txt)ᵀ}.
 * A method implements the image side and the text side; methods whose text features depend on the image
 * (CoCoOp, MIP) implement the image-conditioned text hook {@link #textFeatures(NDArray, Probe)}. The training
 * step ({@code train.TrainingStep}) calls {@link #forward}, adds {@link #lossTerms} to the cross-entropy and
 * back-propagates with {@link #backward}; the trainer calls {@link #epochEnded} after every epoch.
 *
 * <p>Probe names: {@code image_features}, {@code text_features}, {@code prompt_embeddings} and the
 * method's own ({@code maple_shared_ctx}, ...), matching the fixtures' {@code debug/*} tensors.
 */
public abstract class PromptLearner implements AutoCloseable {
  protected final ClipModel clip;
  protected final ClipTokenizer tokenizer;
  protected final MethodConfig config;
  protected final NDManager manager;
  protected final Init init;
  private final Map<String, PromptParameter> params = new LinkedHashMap<>();
  private final Map<String, float[]> initValues = new LinkedHashMap<>();
  private final List<NDArray[]> casts = new ArrayList<>();
  private NDManager castManager;

  protected PromptLearner(ClipModel clip, ClipTokenizer tokenizer, MethodConfig config) {
    this.clip = clip;
    this.tokenizer = tokenizer;
    this.config = config;
    this.manager = NDManager.newBaseManager(clip.device());
    this.init = new Init(config.seed());
  }

  public MethodConfig config() {
    return config;
  }

  public ClipModel clip() {
    return clip;
  }

  public abstract List<String> classNames();

  /** The module the official trainer registers and saves ({@code prompt_learner}, {@code MultiModalPromptLearner}, ...). */
  public abstract String checkpointModule();

  /** The prompt texts whose token ids fix the EOT positions (for checks and logs). */
  public abstract List<String> promptTexts();

  /** Token ids {@code [C, L]} of {@link #promptTexts()}, row-major. */
  public abstract long[] tokenizedPrompts();

  // ------------------------------------------------------------------ parameters

  /** Registers a learnable tensor (trainable, float32) and remembers its initial value. */
  protected NDArray addParameter(String name, String checkpointKey, float[] values, long... shape) {
    NDArray a = dev.cliptune.clip.Tensors.owned(manager, values, new Shape(shape));
    a.setName(name);
    a.setRequiresGradient(true);
    params.put(name, new PromptParameter(name, checkpointKey, a));
    initValues.put(name, values.clone());
    return a;
  }

  public List<PromptParameter> parameters() {
    return List.copyOf(params.values());
  }

  public PromptParameter parameter(String name) {
    PromptParameter p = params.get(name);
    if (p == null) {
      throw new IllegalArgumentException(config.method().officialName + " has no parameter '" + name
          + "'; it has " + params.keySet());
    }
    return p;
  }

  /** The value a parameter had when the learner was built. */
  public float[] initialValue(String name) {
    parameter(name);
    return initValues.get(name).clone();
  }

  /** Number of trainable scalars. */
  public long trainableCount() {
    return params.values().stream().mapToLong(p -> p.value().getShape().size()).sum();
  }

  /** Overwrites a parameter's values in place (shape must match). */
  public void setParameter(String name, float[] values, long[] shape) {
    PromptParameter p = parameter(name);
    Shape want = p.value().getShape();
    if (!Arrays.equals(want.getShape(), shape)) {
      throw new IllegalArgumentException("parameter '" + name + "' has shape " + want + ", got "
          + Arrays.toString(shape));
    }
    try (NDArray v = manager.create(values, want)) {
      p.value().set(new NDIndex("..."), v);
    }
  }

  // ------------------------------------------------------------------ forward

  /** Image features {@code [B, E]} (not normalised) with the method's visual prompts. */
  protected abstract NDArray imageFeatures(NDArray pixels, Probe probe);

  /**
   * Class text features {@code [C, E]} (not normalised) in the manager {@code m}, shared by every image: what an
   * {@link Evaluator} computes once. Empty for a method whose prompts are conditioned on each image (CoCoOp,
   * MIP): it overrides {@link #textFeatures(NDArray, Probe)} instead.
   */
  protected abstract Optional<NDArray> sharedTextFeatures(NDManager m, Probe probe);

  /**
   * The image-conditioned text hook: the text features of the class prompts for a batch whose image features
   * are {@code imageFeatures [B, E]}, in their manager. By default the prompts do not depend on the image and
   * this is {@link #sharedTextFeatures} {@code [C, E]}; CoCoOp and MIP return one set per image,
   * {@code [B, C, E]}, and say so in {@link #textDependsOnImage()}.
   */
  protected NDArray textFeatures(NDArray imageFeatures, Probe probe) {
    return sharedTextFeatures(imageFeatures.getManager(), probe).orElseThrow(() -> new IllegalStateException(
        getClass().getSimpleName() + " has no shared class text features, so it must override textFeatures"));
  }

  /** Whether class text features depend on the image (CoCoOp, MIP): then they cannot be cached for evaluation. */
  public boolean textDependsOnImage() {
    return false;
  }

  /**
   * One forward pass, with everything a loss term may need, in the manager of {@code pixels}.
   *
   * @param imageFeatures {@code [B, E]}, not normalised
   * @param textFeatures  {@code [C, E]}, or {@code [B, C, E]} when the prompts depend on the image
   * @param logits        {@code [B, C]}: {@code exp(s)·norm(f_img)·norm(f_txt)ᵀ}
   */
  public record Forward(NDArray pixels, NDArray imageFeatures, NDArray textFeatures, NDArray logits) {}

  /**
   * The forward pass: image side, text side (which may be conditioned on the image side), logits; differentiable
   * inside a gradient collector.
   */
  public Forward forward(NDArray pixels, Probe probe) {
    releaseCasts();
    NDArray img = imageFeatures(pixels, probe);
    img.attach(pixels.getManager()); // the text side's results live where the image features do
    probe.record("image_features", img);
    NDArray txt = textFeatures(img, probe);
    probe.record("text_features", txt);
    NDArray logits = txt.getShape().dimension() == 2 ? clip.logits(img, txt) : perImageLogits(img, txt);
    return new Forward(pixels, img, txt, logits);
  }

  /** Logits {@code [B, C]} in the manager of {@code pixels}; differentiable inside a gradient collector. */
  public NDArray logits(NDArray pixels, Probe probe) {
    Forward f = forward(pixels, probe);
    f.imageFeatures().close();
    f.textFeatures().close();
    return f.logits();
  }

  /** {@code exp(s)·norm(f_img[b])·norm(f_txt[b])ᵀ} for image-conditioned text features {@code [B, C, E]}. */
  private NDArray perImageLogits(NDArray img, NDArray txt) {
    try (NDArray i = ClipModel.l2Normalise(img); NDArray i3 = i.expandDims(1); NDArray t = ClipModel.l2Normalise(txt);
        NDArray tt = t.transpose(0, 2, 1); NDArray sim3 = i3.matMul(tt); NDArray sim = sim3.squeeze(1)) {
      return sim.mul(clip.logitScaleExpArray());
    }
  }

  /**
   * An evaluation session: class text features are computed once (when they do not depend on the image) and
   * reused for every batch. Close it when the prompts change.
   */
  public Evaluator evaluator() {
    return new Evaluator(this);
  }

  // ------------------------------------------------------------------ training hooks

  /**
   * Terms this method adds to the mean cross-entropy of its logits, computed inside the gradient collector from
   * the step's forward pass: none for most methods; KgCoOp's distance to the hand-crafted text features and
   * PromptSRC's consistency terms are computed here. Each term is a scalar in the
   * manager of {@code forward.pixels()}.
   */
  public List<NDArray> lossTerms(Forward forward, NDArray labels) {
    return List.of();
  }

  /**
   * {@link #lossTerms(Forward, NDArray)} with a probe: a method records each named term of its loss
   * ({@code loss_terms/<term>}, as the fixtures name them) and its frozen targets ({@code zero_shot_logits}, ...)
   * there. The training step calls this one; by default it is the probe-less form.
   */
  public List<NDArray> lossTerms(Forward forward, NDArray labels, Probe probe) {
    return lossTerms(forward, labels);
  }

  /**
   * Records what the method computes once and keeps (frozen targets and their token ids, under the fixtures'
   * {@code buffers/*} and {@code debug/*} names), computing it if needed: nothing for most methods.
   */
  public void recordBuffers(Probe probe) {}

  /**
   * Called by the trainer after every epoch (after its last step), before its checkpoint is written: nothing for
   * most methods;
   * PromptSRC's Gaussian prompt aggregation goes here.
   *
   * @param epochsDone completed epochs, 1-based
   * @param epochs     the run's epoch count
   */
  public void epochEnded(int epochsDone, int epochs) {}

  /**
   * What {@link #epochEnded} carries from one epoch to the next (PromptSRC's running Gaussian sum), as strings the
   * trainer stores in each checkpoint's training state ({@code extra}) so that a resumed run ends as an
   * uninterrupted one: empty for most methods.
   */
  public Map<String, String> epochState() {
    return Map.of();
  }

  /** Restores {@link #epochState()} from a checkpoint's training state (keys this learner does not own are ignored). */
  public void restoreEpochState(Map<String, String> state) {}

  /**
   * The official forward's {@code .half()} on an inserted prompt tensor, in float32: the value is rounded to
   * float16 and, in backward, the gradient flowing through it is rounded to float16 too. DJL's {@code toType}
   * is not differentiable, so the cast is a boundary: the forward continues from a rounded leaf copy, and
   * {@link #backward} first back-propagates the loss to that leaf, rounds its gradient and then continues
   * from {@code x} with it. Identity when {@link MethodConfig#fp16Casts()} is off. The result is owned by the
   * learner: callers must not close it.
   */
  protected NDArray officialCast(NDArray x) {
    if (!config.fp16Casts()) {
      return x;
    }
    if (castManager == null) {
      castManager = manager.newSubManager();
    }
    NDArray leaf;
    try (NDArray h = x.toType(DataType.FLOAT16, true)) {
      leaf = h.toType(DataType.FLOAT32, true);
    }
    leaf.attach(castManager);
    leaf.setRequiresGradient(true);
    boolean isParameter = params.values().stream().anyMatch(p -> p.value() == x);
    if (!isParameter) {
      x.attach(castManager); // keep x and the graph behind it alive until backward
    }
    casts.add(new NDArray[] {x, leaf});
    return leaf;
  }

  /**
   * Back-propagates {@code loss} into the parameters' gradients, through the float16 cast boundaries of
   * {@link #officialCast} when there are any.
   */
  public void backward(GradientCollector gc, NDArray loss) {
    gc.backward(loss);
    if (!casts.isEmpty()) {
      NDArray total = null;
      for (NDArray[] c : casts) {
        try (NDArray g = c[1].getGradient(); NDArray g16 = g.toType(DataType.FLOAT16, true);
            NDArray g32 = g16.toType(DataType.FLOAT32, true); NDArray term0 = c[0].mul(g32)) {
          NDArray term = term0.sum();
          if (total == null) {
            total = term;
          } else {
            NDArray t = total.add(term);
            total.close();
            term.close();
            total = t;
          }
        }
      }
      gc.backward(total);
      total.close();
    }
    releaseCasts();
  }

  /** Drops the cast boundaries of the last forward pass. */
  protected void releaseCasts() {
    casts.clear();
    if (castManager != null) {
      castManager.close();
      castManager = null;
    }
  }

  /** Rows 1..n of the token embeddings of {@code text} (word initialisation). */
  protected float[] wordInit(String text, int n) {
    int ctx = clip.config().text().contextLength();
    long[] ids = tokenizer.tokenize(text, ctx, false);
    try (NDManager m = manager.newSubManager()) {
      NDArray emb = clip.embedTokens(m.create(ids, new Shape(1, ctx)));
      return emb.get(new NDIndex("0, 1:{}, :", 1 + n)).toFloatArray();
    }
  }

  /** {@code "X X ... X"} ({@code n} times), the official placeholder prefix. */
  protected static String placeholder(int n) {
    List<String> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      xs.add("X");
    }
    return String.join(" ", xs);
  }

  @Override
  public void close() {
    manager.close();
  }
}
