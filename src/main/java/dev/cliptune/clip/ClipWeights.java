package dev.cliptune.clip;

import dev.cliptune.io.FloatTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The complete weights of a CLIP model (ViT or ModifiedResNet image tower) in float32, under the names of the
 * official OpenAI state dict (see {@link #shapes(ClipConfig)}; {@code in_proj_weight} holds q, k, v stacked along rows,
 * {@code visual.proj} is {@code [Dv, E]} and {@code text_projection} is {@code [Dt, E]}, both applied as
 * right-multiplications; {@code logit_scale} has shape {@code []}).
 *
 * <p>The set of names and every shape are checked against the configuration on construction. The map is
 * unmodifiable; the float arrays inside the tensors are shared, not copied (a ViT-B/16 holds 600 MB), so
 * callers must treat them as read-only.
 */
public final class ClipWeights {
  /** Version tag hashed first by {@link #sha256()}; change it if the hashing scheme ever changes. */
  private static final String HASH_TAG = "cliptune.ClipWeights.sha256.v1";

  private final ClipConfig config;
  private final Map<String, FloatTensor> tensors;
  private final String source;
  private volatile String sha256;

  /**
   * @param config the model dimensions
   * @param tensors exactly the tensors of {@link #shapes(ClipConfig)}, keyed by OpenAI name
   * @param source a human-readable description of where the weights come from
   * @throws ClipWeightsException when a tensor is missing, extra, misnamed or of the wrong shape
   */
  public ClipWeights(ClipConfig config, Map<String, FloatTensor> tensors, String source) {
    this.config = config;
    this.source = source;
    Map<String, long[]> expected = shapes(config);
    Map<String, FloatTensor> ordered = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      FloatTensor t = tensors.get(e.getKey());
      if (t == null) {
        throw new ClipWeightsException(source + ": missing tensor '" + e.getKey() + "', expected shape "
            + Arrays.toString(e.getValue()));
      }
      if (!Arrays.equals(t.shape(), e.getValue())) {
        throw new ClipWeightsException(source + ": tensor '" + e.getKey() + "' has shape "
            + t.shapeString() + ", expected " + Arrays.toString(e.getValue()));
      }
      if (!t.name().equals(e.getKey())) {
        throw new ClipWeightsException(source + ": tensor stored under '" + e.getKey()
            + "' is named '" + t.name() + "'");
      }
      ordered.put(e.getKey(), t);
    }
    for (String name : tensors.keySet()) {
      if (!expected.containsKey(name)) {
        throw new ClipWeightsException(source + ": unexpected tensor '" + name + "' for " + describe(config));
      }
    }
    this.tensors = Collections.unmodifiableMap(ordered);
  }

  public ClipConfig config() {
    return config;
  }

  /** All tensors by OpenAI name, in the canonical order of {@link #shapes(ClipConfig)}. */
  public Map<String, FloatTensor> tensors() {
    return tensors;
  }

  /** The tensor of an OpenAI state-dict name. */
  public FloatTensor get(String openAiName) {
    FloatTensor t = tensors.get(openAiName);
    if (t == null) {
      String similar = "";
      String prefix = openAiName;
      while (similar.isEmpty() && prefix.contains(".")) {
        prefix = prefix.substring(0, prefix.lastIndexOf('.'));
        String p = prefix + ".";
        similar = tensors.keySet().stream().filter(k -> k.startsWith(p)).limit(4)
            .reduce((a, b) -> a + ", " + b).map(s -> "; similar: " + s).orElse("");
      }
      throw new ClipWeightsException(source + ": no tensor '" + openAiName + "' (CLIP weights use OpenAI "
          + "state-dict names such as 'visual.conv1.weight', 'transformer.resblocks.0.attn.in_proj_weight'"
          + similar + ")");
    }
    return t;
  }

  public boolean has(String openAiName) {
    return tensors.containsKey(openAiName);
  }

  /** Where the weights come from, e.g. {@code "/models/clip (HuggingFace CLIPModel layout, model.safetensors)"}. */
  public String source() {
    return source;
  }

  /** Total number of scalar parameters (149,620,737 for ViT-B/16). */
  public long parameterCount() {
    long n = 0;
    for (FloatTensor t : tensors.values()) {
      n += t.data().length;
    }
    return n;
  }

  /**
   * A stable SHA-256 (lower-case hex) identifying this backbone: equal for the same model whichever
   * layout or dtype it was loaded from (F16 and BF16 are up-cast exactly), different when any weight bit,
   * shape or head count differs. Computed once, in parallel, then cached.
   *
   * <p>Scheme (v1): for each tensor, {@code d = SHA-256(utf8(name) 0x00, rank as int32 LE, each dim as
   * int64 LE, each float's raw IEEE bits as int32 LE)}; the result is {@code SHA-256(utf8(tag) 0x00,
   * 15 configuration values as float64 LE (embedDim; vision width, layers, heads, patchSize, imageSize,
   * mlpHidden, layerNormEps; text width, layers, heads, contextLength, vocabSize, mlpHidden,
   * layerNormEps), when a tower's activation is not QuickGELU {@code utf8("activations <vision> <text>")} with
   * the HF names, then d of every tensor in {@link String#compareTo} order of the names)} where tag is
   * {@value #HASH_TAG}. The configuration is included because head counts and epsilons change the
   * model without changing any tensor.
   */
  public String sha256() {
    String h = sha256;
    if (h == null) {
      synchronized (this) {
        h = sha256;
        if (h == null) {
          h = computeSha256();
          sha256 = h;
        }
      }
    }
    return h;
  }

  private String computeSha256() {
    List<String> names = new ArrayList<>(new TreeMap<>(tensors).keySet());
    byte[][] digests = new byte[names.size()][];
    IntStream.range(0, names.size()).parallel()
        .forEach(i -> digests[i] = tensorDigest(tensors.get(names.get(i))));
    MessageDigest md = sha();
    md.update(HASH_TAG.getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    double[] cfg = configValues(config);
    ByteBuffer cb = ByteBuffer.allocate(8 * cfg.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double d : cfg) {
      cb.putDouble(d);
    }
    md.update(cb.array());
    Activation va = imageActivation(config);
    if (va != Activation.QUICK_GELU || config.text().activation() != Activation.QUICK_GELU) {
      // v1 hashes of QuickGELU models stay as they were; another activation is a different model
      md.update(("activations " + va.hfName + " " + config.text().activation().hfName)
          .getBytes(StandardCharsets.UTF_8));
    }
    for (byte[] d : digests) {
      md.update(d);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * The configuration values hashed by {@link #sha256()}: the 15 values of the v1 scheme for a ViT; for a
   * ModifiedResNet, {@code -1} (a tag no ViT value takes), embedDim, the four stage depths, width, attention-pool
   * heads, imageSize, BatchNorm epsilon, then the text values of the v1 scheme.
   */
  private static double[] configValues(ClipConfig config) {
    TextConfig t = config.text();
    double[] text = {t.width(), t.layers(), t.heads(), t.contextLength(), t.vocabSize(), t.mlpHidden(),
        t.layerNormEps()};
    double[] vision;
    if (config.isResNet()) {
      ResNetConfig r = config.resnet();
      vision = new double[] {-1, config.embedDim(), r.layers().get(0), r.layers().get(1), r.layers().get(2),
          r.layers().get(3), r.width(), r.heads(), r.imageSize(), r.batchNormEps()};
    } else {
      VisionConfig v = config.vision();
      vision = new double[] {config.embedDim(), v.width(), v.layers(), v.heads(), v.patchSize(), v.imageSize(),
          v.mlpHidden(), v.layerNormEps()};
    }
    double[] all = Arrays.copyOf(vision, vision.length + text.length);
    System.arraycopy(text, 0, all, vision.length, text.length);
    return all;
  }

  private static byte[] tensorDigest(FloatTensor t) {
    MessageDigest md = sha();
    md.update(t.name().getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    ByteBuffer head = ByteBuffer.allocate(4 + 8 * t.shape().length).order(ByteOrder.LITTLE_ENDIAN);
    head.putInt(t.shape().length);
    for (long d : t.shape()) {
      head.putLong(d);
    }
    md.update(head.array());
    float[] data = t.data();
    int chunk = 1 << 14;
    ByteBuffer buf = ByteBuffer.allocate(4 * chunk).order(ByteOrder.LITTLE_ENDIAN);
    FloatBuffer fb = buf.asFloatBuffer(); // FloatBuffer.put keeps raw bits (NaN payloads included)
    for (int off = 0; off < data.length; off += chunk) {
      int n = Math.min(chunk, data.length - off);
      fb.clear();
      fb.put(data, off, n);
      md.update(buf.array(), 0, 4 * n);
    }
    return md.digest();
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /**
   * The OpenAI state-dict names and shapes of a ViT CLIP with this configuration, in canonical order
   * (vision tower, text tower, {@code logit_scale}).
   */
  public static Map<String, long[]> shapes(ClipConfig cfg) {
    TextConfig t = cfg.text();
    long dt = t.width();
    long e = cfg.embedDim();
    Map<String, long[]> m = new LinkedHashMap<>();
    if (cfg.isResNet()) {
      m.putAll(ModifiedResNet.shapes(cfg.resnet(), e));
    } else {
      visionShapes(m, cfg.vision(), e);
    }
    m.put("token_embedding.weight", new long[] {t.vocabSize(), dt});
    m.put("positional_embedding", new long[] {t.contextLength(), dt});
    blocks(m, "transformer.resblocks.", t.layers(), dt, t.mlpHidden());
    m.put("ln_final.weight", new long[] {dt});
    m.put("ln_final.bias", new long[] {dt});
    m.put("text_projection", new long[] {dt, e});
    m.put("logit_scale", new long[0]);
    return m;
  }

  private static void visionShapes(Map<String, long[]> m, VisionConfig v, long e) {
    long dv = v.width();
    m.put("visual.conv1.weight", new long[] {dv, 3, v.patchSize(), v.patchSize()});
    m.put("visual.class_embedding", new long[] {dv});
    m.put("visual.positional_embedding", new long[] {v.tokens(), dv});
    m.put("visual.ln_pre.weight", new long[] {dv});
    m.put("visual.ln_pre.bias", new long[] {dv});
    blocks(m, "visual.transformer.resblocks.", v.layers(), dv, v.mlpHidden());
    m.put("visual.ln_post.weight", new long[] {dv});
    m.put("visual.ln_post.bias", new long[] {dv});
    m.put("visual.proj", new long[] {dv, e});
  }

  private static void blocks(Map<String, long[]> m, String prefix, int layers, long d, long hidden) {
    for (int i = 0; i < layers; i++) {
      String p = prefix + i + ".";
      m.put(p + "attn.in_proj_weight", new long[] {3 * d, d});
      m.put(p + "attn.in_proj_bias", new long[] {3 * d});
      m.put(p + "attn.out_proj.weight", new long[] {d, d});
      m.put(p + "attn.out_proj.bias", new long[] {d});
      m.put(p + "ln_1.weight", new long[] {d});
      m.put(p + "ln_1.bias", new long[] {d});
      m.put(p + "mlp.c_fc.weight", new long[] {hidden, d});
      m.put(p + "mlp.c_fc.bias", new long[] {hidden});
      m.put(p + "mlp.c_proj.weight", new long[] {d, hidden});
      m.put(p + "mlp.c_proj.bias", new long[] {d});
      m.put(p + "ln_2.weight", new long[] {d});
      m.put(p + "ln_2.bias", new long[] {d});
    }
  }

  /**
   * A full weight set of the right shapes with small random values, for benchmarks and tests that need a
   * model of realistic size without a download: normal(0, 0.02) for matrices and embeddings, 1 for
   * LayerNorm weights, 0 for biases, {@code logit_scale = ln(100)}. Deterministic in {@code seed}
   * (independent of the number of threads: every block of 65,536 values has its own generator).
   */
  public static ClipWeights random(ClipConfig cfg, long seed) {
    Map<String, long[]> shapes = shapes(cfg);
    Map<String, FloatTensor> out = new LinkedHashMap<>();
    int index = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String name = e.getKey();
      long n = 1;
      for (long d : e.getValue()) {
        n *= d;
      }
      float[] data = new float[Math.toIntExact(n)];
      if (name.equals("logit_scale")) {
        data[0] = (float) Math.log(100);
      } else if (name.endsWith(".bias") || name.endsWith("_bias") || name.endsWith(".running_mean")) {
        // zeros
      } else if (isLayerNormWeight(name) || isBatchNorm(cfg, name)) {
        Arrays.fill(data, 1f); // LayerNorm and BatchNorm scales, BatchNorm running variances
      } else if (cfg.isResNet() && e.getValue().length == 4) {
        long fanIn = e.getValue()[1] * e.getValue()[2] * e.getValue()[3];
        fillNormal(data, (float) Math.sqrt(2.0 / fanIn), seed, index); // He: activations keep their scale
      } else {
        fillNormal(data, 0.02f, seed, index);
      }
      out.put(name, new FloatTensor(name, e.getValue(), data));
      index++;
    }
    return new ClipWeights(cfg, out, "random(seed=" + seed + ", " + describe(cfg) + ")");
  }

  /** BatchNorm scales and running variances of a ResNet (filled with 1). */
  private static boolean isBatchNorm(ClipConfig cfg, String name) {
    return cfg.isResNet() && (name.endsWith(".running_var")
        || (name.endsWith(".weight") && (name.matches(".*\\.bn\\d\\.weight") || name.endsWith("downsample.1.weight"))));
  }

  private static boolean isLayerNormWeight(String name) {
    return name.endsWith(".weight") && (name.contains(".ln_") || name.startsWith("ln_"));
  }

  private static void fillNormal(float[] data, float std, long seed, int tensorIndex) {
    final int block = 1 << 16;
    int blocks = (data.length + block - 1) / block;
    long base = mix64(mix64(seed) + tensorIndex);
    IntStream.range(0, blocks).parallel().forEach(b -> {
      SplittableRandom r = new SplittableRandom(mix64(base + b));
      int end = Math.min(data.length, (b + 1) * block);
      for (int i = b * block; i < end; i++) {
        data[i] = (float) (std * r.nextGaussian());
      }
    });
  }

  /** The SplitMix64 finaliser: a bijective hash spreading nearby seeds apart. */
  private static long mix64(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A one-line description of the dimensions, e.g. for messages. */
  public static String describe(ClipConfig c) {
    TextConfig t = c.text();
    String image;
    if (c.isResNet()) {
      ResNetConfig r = c.resnet();
      image = "ModifiedResNet image " + r.imageSize() + ", width " + r.width() + ", layers " + r.layers()
          + ", attention pool " + r.attnPoolWidth() + " wide with " + r.heads() + " heads";
    } else {
      VisionConfig v = c.vision();
      image = "ViT image " + v.imageSize() + "/patch " + v.patchSize() + ", vision width " + v.width() + " x "
          + v.layers() + " layers, " + v.heads() + " heads, MLP " + v.mlpHidden();
    }
    return image + "; text width "
        + t.width() + " x " + t.layers() + " layers, " + t.heads() + " heads, MLP " + t.mlpHidden()
        + ", context " + t.contextLength() + ", vocab " + t.vocabSize() + "; embed " + c.embedDim()
        + (imageActivation(c) != Activation.QUICK_GELU || t.activation() != Activation.QUICK_GELU
            ? "; MLP activation " + imageActivation(c).hfName + " (vision), " + t.activation().hfName + " (text)" : "");
  }

  /** The ViT tower's MLP activation; a ResNet tower has none (ReLU convolutions), so it counts as the default. */
  private static Activation imageActivation(ClipConfig c) {
    return c.isResNet() ? Activation.QUICK_GELU : c.vision().activation();
  }

  @Override
  public String toString() {
    return "ClipWeights[" + describe(config) + "; " + source + "]";
  }
}
