package dev.cliptune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.util.List;

/**
 * A stack of pre-LN residual attention blocks (CLIP.md §2), shared by both towers. Runs batch-first
 * {@code [N, T, D]}. Intermediate arrays are closed as soon as they are used: under autograd libtorch keeps
 * what backward needs by reference, so closing the Java handles never loses a gradient.
 */
final class Transformer {

  /** Weights of one block, OpenAI names in comments. */
  record Block(
      NDArray ln1W, NDArray ln1B, // ln_1
      NDArray inProjW, NDArray inProjB, // attn.in_proj_weight [3D, D] (q, k, v), in_proj_bias
      NDArray outProjW, NDArray outProjB, // attn.out_proj
      NDArray ln2W, NDArray ln2B, // ln_2
      NDArray fcW, NDArray fcB, // mlp.c_fc [4D, D]
      NDArray projW, NDArray projB) {} // mlp.c_proj [D, 4D]

  /** Replaces tokens of the input of a layer (the insertion point of deep prompts). */
  interface Insert {
    NDArray apply(int layer, NDArray x);
  }

  private final List<Block> blocks;
  private final int width;
  private final int heads;
  private final float eps;
  /**
   * Scalars as libtorch-owned arrays: {@code x.mul(2f)} would wrap the value in a Java direct buffer that
   * mul's backward keeps reading after DJL released it (a GC between forward and backward corrupts gradients).
   */
  private final NDArray attnScale;
  private final NDArray geluScale;

  private final Activation activation;
  /** Whether the blocks' weights are bfloat16: activations too then ({@link BFloat16}). */
  private final boolean bf16;

  Transformer(NDManager manager, List<Block> blocks, int width, int heads, double eps, Activation activation) {
    this(manager, blocks, width, heads, eps, activation, false);
  }

  Transformer(NDManager manager, List<Block> blocks, int width, int heads, double eps, Activation activation,
      boolean bf16) {
    this.activation = activation;
    this.bf16 = bf16;
    if (width % heads != 0) {
      throw new IllegalArgumentException("width " + width + " is not divisible by " + heads + " heads");
    }
    this.blocks = blocks;
    this.width = width;
    this.heads = heads;
    this.eps = (float) eps;
    this.attnScale = manager.full(new Shape(), (float) (1.0 / Math.sqrt(width / heads)), ai.djl.ndarray.types.DataType.FLOAT32);
    this.geluScale = manager.full(new Shape(), 1.702f, ai.djl.ndarray.types.DataType.FLOAT32);
  }

  int layers() {
    return blocks.size();
  }

  /**
   * Runs every block. {@code mask} is an additive {@code [T, T]} mask or null; {@code insert} (may be
   * null) is called before every layer but the first. Records each block's output as
   * {@code <prefix>block<i>}. With bfloat16 weights the float32 input is rounded to bfloat16 on entry (and so
   * are inserted tokens and the mask, whose 0 and -inf are exact), and the output is handed back as float32.
   */
  NDArray forward(NDArray x, NDArray mask, Insert insert, Probe probe, String prefix) {
    if (!bf16 || mask == null) {
      return run(x, mask, insert, probe, prefix);
    }
    try (NDArray m = BFloat16.of(mask)) {
      return run(x, m, insert, probe, prefix);
    }
  }

  private NDArray run(NDArray x, NDArray mask, Insert insert, Probe probe, String prefix) {
    NDArray h = bf16 ? BFloat16.of(x) : x;
    for (int i = 0; i < blocks.size(); i++) {
      if (i > 0 && insert != null) {
        NDArray replaced = insert.apply(i, h);
        if (replaced != h) {
          if (bf16 && !BFloat16.is(replaced)) { // float32 prompts concatenated to bfloat16 tokens promote
            NDArray rounded = BFloat16.of(replaced);
            replaced.close();
            replaced = rounded;
          }
          if (h != x) {
            h.close();
          }
        }
        h = replaced;
      }
      NDArray out = block(blocks.get(i), h, mask);
      if (h != x) {
        h.close();
      }
      h = out;
      record(probe, prefix + "block" + i, h);
    }
    if (!bf16) {
      return h;
    }
    NDArray out = BFloat16.toFloat32(h);
    h.close();
    return out;
  }

  /** Hands {@code h} to the probe, as a float32 copy when it is bfloat16 (probes read values as float32). */
  private void record(Probe probe, String name, NDArray h) {
    if (!bf16 || probe == Probe.NONE) {
      probe.record(name, h);
      return;
    }
    try (NDArray f = BFloat16.toFloat32(h)) {
      probe.record(name, f);
    }
  }

  private NDArray block(Block b, NDArray x, NDArray mask) {
    NDArray attn;
    try (NDArray h = layerNorm(x, b.ln1W, b.ln1B, eps)) {
      attn = attention(h, b, mask);
    }
    NDArray x1 = residual(x, attn);
    NDArray mlp;
    try (NDArray h = layerNorm(x1, b.ln2W, b.ln2B, eps);
        NDArray f = linear(h, b.fcW, b.fcB);
        NDArray g = activation == Activation.GELU ? gelu(f) : quickGelu(f)) {
      mlp = linear(g, b.projW, b.projB);
    }
    NDArray out = residual(x1, mlp);
    x1.close();
    return out;
  }

  /**
   * Whether libtorch records operations for autograd (inside a {@code GradientCollector}). DJL's
   * {@code NDArray.hasGradient()} cannot tell: it is false for every non-leaf tensor of a graph.
   */
  private static boolean recording() {
    return ai.djl.pytorch.jni.JniUtils.isGradMode();
  }

  /**
   * {@code x + branch}, consuming {@code branch}. Outside a gradient graph the sum is written into the branch's own
   * buffer ({@code branch += x}: the same additions, so the same bits, without a new tensor of the stream's size);
   * inside one a new tensor, so that nothing autograd saved is overwritten.
   */
  private static NDArray residual(NDArray x, NDArray branch) {
    if (!recording()) {
      branch.addi(x);
      return branch;
    }
    NDArray sum = x.add(branch);
    branch.close();
    return sum;
  }

  /** Multi-head self-attention with fused QKV weights, PyTorch {@code nn.MultiheadAttention} semantics. */
  private NDArray attention(NDArray x, Block b, NDArray mask) {
    Shape s = x.getShape();
    long n = s.get(0);
    long t = s.get(1);
    int hd = width / heads;
    // q, k, v as three views of the fused projection: split's backward concatenates the three gradients, where
    // selecting from one [3, N, H, T, hd] tensor would zero-fill and accumulate three tensors of its full size
    try (NDArray qkv = linear(x, b.inProjW, b.inProjB); NDList parts = qkv.split(3, 2);
        NDArray q0 = heads(parts.get(0), n, t, hd);
        NDArray q = q0.mul(attnScale);
        NDArray k = heads(parts.get(1), n, t, hd);
        NDArray kt = k.transpose(0, 1, 3, 2);
        NDArray v = heads(parts.get(2), n, t, hd);
        NDArray scores = q.matMul(kt);
        NDArray masked = mask == null ? null : scores.add(mask);
        NDArray a = softmax(masked == null ? scores : masked);
        NDArray ctx = a.matMul(v);
        NDArray merged = ctx.transpose(0, 2, 1, 3).reshape(n, t, width)) {
      return linear(merged, b.outProjW, b.outProjB);
    }
  }

  /** Attention weights over the last axis (bfloat16 scores: libtorch's bfloat16 softmax, float32 inside). */
  private NDArray softmax(NDArray scores) {
    return bf16 ? BFloat16.softmax(scores) : scores.softmax(-1);
  }

  /** {@code [N, T, D]} → {@code [N, H, T, hd]} (a view). */
  private NDArray heads(NDArray x, long n, long t, int hd) {
    try (NDArray r = x.reshape(n, t, heads, hd)) {
      return r.transpose(0, 2, 1, 3);
    }
  }

  /**
   * {@code x·Wᵀ + b} over the last axis. DJL's {@code Linear.linear} is libtorch's C++ {@code functional::linear},
   * which fuses the bias into the product ({@code addmm}) only for 2-D input and otherwise adds it in a separate
   * pass; the rows of {@code [N, T, D]} are folded into one 2-D product (a view, no copy) to get the fused kernel.
   */
  static NDArray linear(NDArray x, NDArray w, NDArray b) {
    Shape s = x.getShape();
    if (s.dimension() == 2) {
      return Linear.linear(x, w, b).singletonOrThrow();
    }
    try (NDArray rows = x.reshape(-1, s.get(s.dimension() - 1));
        NDArray y = Linear.linear(rows, w, b).singletonOrThrow()) {
      return y.reshape(s.slice(0, s.dimension() - 1).add(w.getShape().get(0)));
    }
  }

  static NDArray layerNorm(NDArray x, NDArray w, NDArray b, float eps) {
    return LayerNorm.layerNorm(x, new Shape(x.getShape().get(x.getShape().dimension() - 1)), w, b, eps)
        .singletonOrThrow();
  }

  /** Exact GELU ({@code torch.nn.functional.gelu}: libtorch's erf form). */
  private static NDArray gelu(NDArray x) {
    return ai.djl.nn.Activation.gelu(x);
  }

  /** QuickGELU: {@code x * sigmoid(1.702 x)}. */
  private NDArray quickGelu(NDArray x) {
    NDArray g;
    try (NDArray s = x.mul(geluScale)) {
      g = ai.djl.nn.Activation.sigmoid(s);
    }
    if (!recording()) { // outside a gradient graph: the same products, written into the sigmoid's buffer
      g.muli(x);
      return g;
    }
    try (g) {
      return x.mul(g);
    }
  }

  /** The additive causal mask {@code M[i][j] = -inf for j > i}. */
  static NDArray causalMask(NDManager manager, int length) {
    float[] m = new float[length * length];
    for (int i = 0; i < length; i++) {
      for (int j = i + 1; j < length; j++) {
        m[i * length + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return Tensors.owned(manager, m, new Shape(length, length));
  }
}
