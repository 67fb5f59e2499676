package dev.cliptune.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.cliptune.io.FloatTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CLIP with a ViT image tower and a causal text tower (CLIP.md §2–5), frozen, on libtorch. Both towers are
 * written once with the insertion points every prompt learner needs ({@link TextInput}, {@link VisionInput}).
 * A model whose configuration has a {@link ResNetConfig} runs OpenAI's {@link ModifiedResNet} as its image tower
 * instead (no visual prompts: those enter ViT layers).
 *
 * <p>Arrays returned by the encoders belong to the manager of the caller's input; the weights live in the
 * model's own manager and are never modified.
 */
public final class ClipModel implements AutoCloseable {
  private final ClipConfig config;
  private final NDManager manager;
  private final String identity;
  private final Precision precision;

  // vision tower: a ModifiedResNet, or the ViT below (then resnet is null)
  private final ModifiedResNet resnet;
  private final NDArray conv1;
  private final NDArray classEmbedding;
  private final NDArray visualPositional;
  private final NDArray lnPreW;
  private final NDArray lnPreB;
  private final Transformer visual;
  private final NDArray lnPostW;
  private final NDArray lnPostB;
  private final NDArray visualProj;

  // text tower
  private final NDArray tokenEmbedding;
  private final NDArray textPositional;
  private final Transformer text;
  private final NDArray causalMask;
  private final NDArray lnFinalW;
  private final NDArray lnFinalB;
  private final NDArray textProj;
  private final float logitScale;
  private volatile boolean fullTextContext;
  /** exp(logit_scale) as a libtorch-owned scalar (see {@link Transformer}: Java-backed scalars break backward). */
  private final NDArray logitScaleExpArray;
  /** Every weight by its OpenAI name, in load order. */
  private final Map<String, NDArray> weights = new LinkedHashMap<>();

  private ClipModel(ClipWeights w, Device device, Precision precision) {
    this.config = w.config();
    this.identity = w.sha256();
    this.precision = precision.requireSupported();
    this.manager = NDManager.newBaseManager(device);
    TextConfig tc = config.text();
    if (config.isResNet()) {
      resnet = new ModifiedResNet(config.resnet(), n -> load(w, n), manager, FOLD_BATCH_NORM);
      conv1 = classEmbedding = visualPositional = lnPreW = lnPreB = lnPostW = lnPostB = visualProj = null;
      visual = null;
    } else {
      VisionConfig vc = config.vision();
      resnet = null;
      conv1 = load(w, "visual.conv1.weight");
      classEmbedding = load(w, "visual.class_embedding");
      visualPositional = load(w, "visual.positional_embedding");
      lnPreW = load(w, "visual.ln_pre.weight");
      lnPreB = load(w, "visual.ln_pre.bias");
      visual = new Transformer(manager, blocks(w, "visual.transformer.resblocks.", vc.layers()), vc.width(),
          vc.heads(), vc.layerNormEps(), vc.activation(), precision == Precision.BF16);
      lnPostW = load(w, "visual.ln_post.weight");
      lnPostB = load(w, "visual.ln_post.bias");
      visualProj = load(w, "visual.proj");
    }
    tokenEmbedding = load(w, "token_embedding.weight");
    textPositional = load(w, "positional_embedding");
    text = new Transformer(manager, blocks(w, "transformer.resblocks.", tc.layers()), tc.width(), tc.heads(),
        tc.layerNormEps(), tc.activation(), precision == Precision.BF16);
    causalMask = Transformer.causalMask(manager, tc.contextLength());
    lnFinalW = load(w, "ln_final.weight");
    lnFinalB = load(w, "ln_final.bias");
    textProj = load(w, "text_projection");
    logitScale = w.get("logit_scale").data()[0];
    logitScaleExpArray = manager.full(new Shape(), logitScaleExp(), DataType.FLOAT32);
  }

  /** Copies the weights onto {@code device} (CPU unless a GPU is asked for). */
  public static ClipModel create(ClipWeights weights, Device device) {
    return new ClipModel(weights, device, Precision.FP32);
  }

  public static ClipModel create(ClipWeights weights) {
    return new ClipModel(weights, Device.cpu(), Precision.FP32);
  }

  /**
   * On the CPU, in {@code precision}: {@link Precision#BF16} keeps every transformer block's weights in bfloat16
   * and runs the blocks of both towers in bfloat16 (attention softmax accumulated in float32); the ViT patch
   * embedding, {@code ln_pre}, {@code ln_post}, {@code ln_final}, the projections and a ResNet image tower stay
   * float32, and the encoders return float32 features. For inference only (a user error where the CPU lacks
   * {@value Precision#BF16_FLAG}: {@link Precision#requireSupported}).
   */
  public static ClipModel create(ClipWeights weights, Precision precision) {
    return new ClipModel(weights, Device.cpu(), precision);
  }

  /** The number format of the transformer blocks. */
  public Precision precision() {
    return precision;
  }

  private NDArray load(ClipWeights w, String name) {
    return load(w, name, false);
  }

  /** One weight, rounded to bfloat16 when {@code bf16} (before it is named: see {@link BFloat16#of}). */
  private NDArray load(ClipWeights w, String name, boolean bf16) {
    FloatTensor t = w.get(name);
    NDArray a = Tensors.owned(manager, t.data(), new Shape(t.shape()));
    if (bf16) {
      NDArray rounded = BFloat16.of(a);
      a.close();
      a = rounded;
    }
    a.setName(name);
    weights.put(name, a);
    return a;
  }

  private List<Transformer.Block> blocks(ClipWeights w, String prefix, int layers) {
    boolean b = precision == Precision.BF16;
    List<Transformer.Block> out = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      String p = prefix + i + ".";
      out.add(new Transformer.Block(
          load(w, p + "ln_1.weight", b), load(w, p + "ln_1.bias", b),
          load(w, p + "attn.in_proj_weight", b), load(w, p + "attn.in_proj_bias", b),
          load(w, p + "attn.out_proj.weight", b), load(w, p + "attn.out_proj.bias", b),
          load(w, p + "ln_2.weight", b), load(w, p + "ln_2.bias", b),
          load(w, p + "mlp.c_fc.weight", b), load(w, p + "mlp.c_fc.bias", b),
          load(w, p + "mlp.c_proj.weight", b), load(w, p + "mlp.c_proj.bias", b)));
    }
    return out;
  }

  public ClipConfig config() {
    return config;
  }

  /** SHA-256 of the weights this model was built from (the backbone identity of prompt checkpoints). */
  public String identity() {
    return identity;
  }

  public Device device() {
    return manager.getDevice();
  }

  /** {@code exp(logit_scale)} as a scalar array owned by the model (safe inside autograd graphs; do not close). */
  public NDArray logitScaleExpArray() {
    return logitScaleExpArray;
  }

  /** {@code exp(logit_scale)}: the multiplier of cosine similarities. */
  public float logitScaleExp() {
    return (float) Math.exp(logitScale);
  }

  /** The frozen token embedding table {@code [V, Dt]} (read-only; do not close). */
  public NDArray tokenEmbeddingTable() {
    return tokenEmbedding;
  }

  /** The frozen {@code ln_final.weight} (MIP meta-initialises its context from it; do not close). */
  public NDArray lnFinalWeight() {
    return lnFinalW;
  }

  /**
   * Every weight array by its OpenAI name, except {@code logit_scale} (a constant of the forward pass); the
   * blocks' arrays are bfloat16 in a {@link Precision#BF16} model ({@link BFloat16#is}).
   * Prompt learning never touches them; contrastive pretraining makes them trainable and updates them in place.
   */
  public Map<String, NDArray> weights() {
    return java.util.Collections.unmodifiableMap(weights);
  }

  /** The current weights copied to the heap, with {@code logitScale} as {@code logit_scale}. */
  public ClipWeights snapshot(float logitScale, String source) {
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : weights.entrySet()) {
      NDArray v = e.getValue();
      float[] data;
      if (BFloat16.is(v)) {
        try (NDArray f = BFloat16.toFloat32(v)) {
          data = f.toFloatArray();
        }
      } else {
        data = v.toFloatArray();
      }
      out.put(e.getKey(), new FloatTensor(e.getKey(), v.getShape().getShape(), data));
    }
    out.put("logit_scale", new FloatTensor("logit_scale", new long[0], new float[] {logitScale}));
    return new ClipWeights(config, out, source);
  }

  /** {@code logit_scale} as loaded (its exponential multiplies cosine similarities). */
  public float logitScale() {
    return logitScale;
  }

  // ---------------------------------------------------------------- image tower

  /**
   * Tokens per call of the plain image tower: large batches are encoded in chunks of about this many tokens
   * (8 images at ViT-B/16), where libtorch's CPU kernels run at their best rate; one [32, 197, 768] pass is
   * ~35 % slower per image than four [8, 197, 768] ones (docs/BENCHMARKS.md).
   */
  public static final int IMAGE_TOKENS_PER_CALL = 8 * 197;

  /**
   * Pixels per call of a ModifiedResNet image tower on large batches (as {@link #IMAGE_TOKENS_PER_CALL}): 4 images
   * at 224 px; chunks of 4 RN50 images ran twice as fast per image as one call of 8 (docs/BENCHMARKS.md).
   */
  public static final int RESNET_PIXELS_PER_CALL = 4 * 224 * 224;

  /**
   * Whether a ModifiedResNet folds each evaluation-mode BatchNorm into the convolution before it (docs/ARCHITECTURE.md
   * says why this is the choice); false runs libtorch's {@code batch_norm} after each convolution as the official code.
   */
  public static final boolean FOLD_BATCH_NORM = false;

  /**
   * {@code encode_image}: features of {@code pixels [B, 3, R, R]}, not normalised, {@code [B, E]}. Large batches
   * are encoded in chunks of {@link #IMAGE_TOKENS_PER_CALL} tokens (the rows are independent, so the result is the
   * batch's, up to the last bits of the kernels' summation order).
   */
  public NDArray encodeImage(NDArray pixels) {
    long b = pixels.getShape().get(0);
    long r = config.imageSize();
    long chunk = resnet != null ? Math.max(1, RESNET_PIXELS_PER_CALL / (r * r))
        : Math.max(1, IMAGE_TOKENS_PER_CALL / config.vision().tokens());
    if (b <= chunk) {
      return encodeImage(VisionInput.of(pixels), Probe.NONE);
    }
    NDManager caller = pixels.getManager();
    try (NDManager scope = caller.newSubManager()) {
      NDList parts = new NDList();
      for (long start = 0; start < b; start += chunk) {
        NDArray part = pixels.get(new NDIndex("{}:{}", start, Math.min(b, start + chunk)));
        part.attach(scope);
        NDArray f = encodeImage(VisionInput.of(part), Probe.NONE);
        f.attach(scope);
        parts.add(f);
      }
      NDArray out = NDArrays.concat(parts, 0);
      out.attach(caller);
      return out;
    }
  }

  /** The image tower with optional visual prompts (CLIP.md §4); a ModifiedResNet takes none. */
  public NDArray encodeImage(VisionInput in, Probe probe) {
    NDArray pixels = in.pixels();
    Shape ps = pixels.getShape();
    int r = config.imageSize();
    if (ps.dimension() != 4 || ps.get(1) != 3 || ps.get(2) != r || ps.get(3) != r) {
      throw new IllegalArgumentException("image batch has shape " + ps + ", expected [B, 3, " + r + ", " + r + "]");
    }
    if (resnet != null) {
      if (in.prompts() != null || !in.deep().isEmpty()) {
        throw new UnsupportedOperationException("visual prompts enter ViT layers; this CLIP's image encoder is a "
            + "ModifiedResNet (" + config.image() + ")");
      }
      return resnet.forward(pixels, probe);
    }
    VisionConfig vc = config.vision();
    long b = ps.get(0);
    NDArray x;
    try (NDArray conv = Conv2d.conv2d(pixels, conv1, null, new Shape(vc.patchSize(), vc.patchSize()))
            .singletonOrThrow();
        NDArray patches = conv.reshape(b, vc.width(), -1).transpose(0, 2, 1); // [B, G*G, Dv]
        NDArray first = patches.get(new NDIndex(":, :1, :"));
        NDArray zeros = first.zerosLike();
        NDArray cls = zeros.add(classEmbedding);
        NDArray tokens = NDArrays.concat(new NDList(cls, patches), 1)) {
      probe.record("vision/patch_embeddings", patches);
      x = tokens.add(visualPositional);
    }
    if (in.prompts() != null) {
      NDArray p = in.prompts();
      NDArray expanded = p.getShape().dimension() == 2
          ? p.expandDims(0).broadcast(b, p.getShape().get(0), vc.width()) : p;
      NDArray withPrompts = NDArrays.concat(new NDList(x, expanded), 1);
      if (expanded != p) {
        expanded.close();
      }
      x.close();
      x = withPrompts;
    }
    NDArray h = Transformer.layerNorm(x, lnPreW, lnPreB, (float) vc.layerNormEps());
    x.close();
    probe.record("vision/after_ln_pre", h);
    List<NDArray> deep = in.deep();
    Transformer.Insert insert = deep.isEmpty() ? null : (layer, t) -> replaceLast(t, deep, layer);
    NDArray out = visual.forward(h, null, insert, probe, "vision/");
    h.close();
    NDArray feat;
    try (NDArray clsTok = out.get(new NDIndex(":, 0, :"));
        NDArray post = Transformer.layerNorm(clsTok, lnPostW, lnPostB, (float) vc.layerNormEps())) {
      probe.record("vision/after_ln_post_cls", post);
      feat = post.matMul(visualProj);
    }
    out.close();
    return feat;
  }

  /**
   * Replaces the last {@code n} tokens of {@code x [B, T, D]} with {@code deep[layer-1] [n, D]}. The kept tokens
   * are a {@code split} view, whose backward concatenates (a slice's would zero-fill a tensor of x's size and
   * copy into it); values and gradients are the same.
   */
  private static NDArray replaceLast(NDArray x, List<NDArray> deep, int layer) {
    if (layer - 1 >= deep.size()) {
      return x;
    }
    NDArray p = deep.get(layer - 1);
    long n = p.getShape().get(0);
    Shape s = x.getShape();
    try (NDList parts = x.split(new long[] {s.get(1) - n}, 1);
        NDArray expanded = p.expandDims(0).broadcast(s.get(0), n, s.get(2))) {
      return NDArrays.concat(new NDList(parts.get(0), expanded), 1);
    }
  }

  /** Replaces rows {@code 1..n} of {@code x [C, L, D]} with {@code deep[layer-1] [n, D]} (split views, as above). */
  private static NDArray replaceAfterSot(NDArray x, List<NDArray> deep, int layer) {
    if (layer - 1 >= deep.size()) {
      return x;
    }
    NDArray p = deep.get(layer - 1);
    long n = p.getShape().get(0);
    Shape s = x.getShape();
    try (NDList parts = x.split(new long[] {1, 1 + n}, 1);
        NDArray expanded = p.expandDims(0).broadcast(s.get(0), n, s.get(2))) {
      return NDArrays.concat(new NDList(parts.get(0), expanded, parts.get(2)), 1);
    }
  }

  // ---------------------------------------------------------------- text tower

  /** Token ids {@code [C, L]} (int64) to embeddings {@code [C, L, Dt]} in the manager of {@code ids}. */
  public NDArray embedTokens(NDArray ids) {
    long c = ids.getShape().get(0);
    long l = ids.getShape().get(1);
    try (NDArray flat = ids.flatten()) {
      NDArray rows;
      if (tokenEmbedding.hasGradient()) {
        // training the table (pretraining): a one-hot product, because libtorch's CPU backward of a row gather
        // accumulates with threads in a varying order and made runs differ in the last bits
        try (NDArray oneHot = flat.toType(DataType.INT32, false).oneHot(config.text().vocabSize())) {
          rows = oneHot.matMul(tokenEmbedding);
        }
      } else {
        rows = tokenEmbedding.get(ids.getManager(), new NDIndex("{}", flat));
      }
      NDArray out = rows.reshape(c, l, config.text().width());
      rows.close();
      return out;
    }
  }

  /** {@code encode_text(ids)} for {@code ids [C, L]}: features {@code [C, E]}, not normalised. */
  public NDArray encodeText(NDArray ids) {
    return encodeText(ids, Probe.NONE);
  }

  public NDArray encodeText(NDArray ids, Probe probe) {
    try (NDArray emb = embedTokens(ids); NDArray eot = ids.argMax(1)) {
      return encodeText(new TextInput(emb, eot), probe);
    }
  }

  /** The text tower from input embeddings, as the prompt learners call it (CLIP.md §3). */
  public NDArray encodeText(TextInput in, Probe probe) {
    TextConfig tc = config.text();
    NDArray e = in.embeddings();
    Shape s = e.getShape();
    if (s.dimension() != 3 || s.get(1) != tc.contextLength() || s.get(2) != tc.width()) {
      throw new IllegalArgumentException("text embeddings have shape " + s + ", expected [C, "
          + tc.contextLength() + ", " + tc.width() + "]");
    }
    long c = s.get(0);
    int l = tc.contextLength();
    // Causal attention: the feature at the end-of-text token never sees the padding after it, so the tower runs on
    // the first `used` positions only (exact; CLIP pads every prompt to 77 where ~20 are used). A probe asks for
    // full-length activations, so it gets the full context.
    int used = probe == Probe.NONE && !fullTextContext ? usedLength(in.eotIndex(), l) : l;
    NDArray x;
    NDArray mask;
    if (used < l) {
      try (NDArray head = e.get(new NDIndex(":, :{}, :", used));
          NDArray pos = textPositional.get(new NDIndex(":{}", used))) {
        x = head.add(pos);
      }
      mask = causalMask.get(new NDIndex(":{}, :{}", used, used));
      mask.attach(x.getManager());
    } else {
      x = e.add(textPositional);
      mask = null;
    }
    probe.record("text/embeddings", x);
    List<NDArray> deep = in.deep();
    Transformer.Insert insert = deep.isEmpty() ? null : (layer, t) -> replaceAfterSot(t, deep, layer);
    NDArray out = text.forward(x, mask != null ? mask : causalMask, insert, probe, "text/");
    x.close();
    if (mask != null) {
      mask.close();
    }
    NDArray lnW = in.lnFinalWeight() != null ? in.lnFinalWeight() : lnFinalW;
    NDArray feat;
    try (NDArray normed = Transformer.layerNorm(out, lnW, lnFinalB, (float) tc.layerNormEps())) {
      probe.record("text/after_ln_final", normed);
      // flat row index c*L + eot[c]; created in the activations' manager, never closing the caller's eotIndex
      try (NDArray flat = normed.reshape(c * used, tc.width());
          NDArray base = normed.getManager().arange(0, (int) c * used, used, DataType.INT64);
          NDArray index = base.add(in.eotIndex());
          NDArray pooled = flat.get(new NDIndex("{}", index))) {
        feat = pooled.matMul(textProj);
      }
    }
    out.close();
    return feat;
  }

  /**
   * Whether the text tower always runs over the whole context instead of stopping at the last end-of-text token.
   * Both give the same features up to floating-point summation order; the full context reproduces results made
   * before the shortcut bit for bit (the embedded model's pretraining uses it).
   */
  public ClipModel fullTextContext(boolean on) {
    this.fullTextContext = on;
    return this;
  }

  /** Positions the text tower needs: up to the last end-of-text token, rounded up to 8, at most {@code l}. */
  static int usedLength(NDArray eotIndex, int l) {
    long last;
    try (NDArray m = eotIndex.max(); NDArray m64 = m.toType(DataType.INT64, false)) {
      last = m64.getLong();
    }
    return usedLength(last, l);
  }

  /** Positions the text tower runs when the batch's last end-of-text token is at {@code lastEot} (of {@code l}). */
  public static int usedLength(long lastEot, int l) {
    return (int) Math.min(l, ((lastEot + 1 + 7) / 8) * 8);
  }

  // ---------------------------------------------------------------- similarity

  /** {@code exp(logit_scale) * normalise(img) · normalise(txt)ᵀ}: {@code [B, C]}. */
  public NDArray logits(NDArray imageFeatures, NDArray textFeatures) {
    try (NDArray i = l2Normalise(imageFeatures); NDArray t = l2Normalise(textFeatures);
        NDArray tt = t.transpose(); NDArray sim = i.matMul(tt)) {
      return sim.mul(logitScaleExpArray);
    }
  }

  /** Row-wise {@code x / ||x||₂} without epsilon, as the official code. */
  public static NDArray l2Normalise(NDArray x) {
    try (NDArray n = x.norm(new int[] {-1}, true)) {
      return x.div(n);
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
