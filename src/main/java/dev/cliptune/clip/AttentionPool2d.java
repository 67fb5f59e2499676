package dev.cliptune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.function.Function;

/**
 * The attention pool that ends OpenAI's ModifiedResNet: the {@code [N, C, g, g]} map becomes {@code g*g} tokens,
 * their mean is prepended, {@code positional_embedding [g*g+1, C]} is added, and multi-head attention with the
 * mean token as the only query ({@code q_proj}, {@code k_proj}, {@code v_proj} with biases, q scaled by
 * {@code head_dim^-0.5}, output {@code c_proj}) gives the image feature {@code [N, E]}. As the official
 * {@code F.multi_head_attention_forward} call with {@code query = x[:1]}.
 */
final class AttentionPool2d {
  private final NDArray positional;
  private final NDArray qW;
  private final NDArray qB;
  private final NDArray kW;
  private final NDArray kB;
  private final NDArray vW;
  private final NDArray vB;
  private final NDArray cW;
  private final NDArray cB;
  private final int heads;
  /** A libtorch-owned scalar (a Java-backed one could be freed behind an autograd graph). */
  private final NDArray scale;

  AttentionPool2d(Function<String, NDArray> load, NDManager manager, int heads) {
    String p = "visual.attnpool.";
    positional = load.apply(p + "positional_embedding");
    qW = load.apply(p + "q_proj.weight");
    qB = load.apply(p + "q_proj.bias");
    kW = load.apply(p + "k_proj.weight");
    kB = load.apply(p + "k_proj.bias");
    vW = load.apply(p + "v_proj.weight");
    vB = load.apply(p + "v_proj.bias");
    cW = load.apply(p + "c_proj.weight");
    cB = load.apply(p + "c_proj.bias");
    this.heads = heads;
    long width = positional.getShape().get(1);
    scale = manager.full(new Shape(), (float) (1.0 / Math.sqrt((double) width / heads)), DataType.FLOAT32);
  }

  /** {@code x [N, C, g, g]} to features {@code [N, E]}, in the manager of {@code x}. */
  NDArray forward(NDArray x) {
    Shape s = x.getShape();
    long n = s.get(0);
    long c = s.get(1);
    long hd = c / heads;
    NDArray tokens;
    try (NDArray flat = x.reshape(n, c, -1); NDArray t = flat.transpose(0, 2, 1); // [N, g*g, C]
        NDArray mean = t.mean(new int[] {1}, true);
        NDArray all = NDArrays.concat(new NDList(mean, t), 1)) {
      tokens = all.add(positional); // [N, g*g+1, C]
    }
    long len = tokens.getShape().get(1);
    NDArray out;
    try (NDArray first = tokens.get(new NDIndex(":, :1, :"));
        NDArray q0 = Linear.linear(first, qW, qB).singletonOrThrow();
        NDArray q1 = q0.mul(scale);
        NDArray q = q1.reshape(n, 1, heads, hd).transpose(0, 2, 1, 3); // [N, H, 1, hd]
        NDArray k0 = Linear.linear(tokens, kW, kB).singletonOrThrow();
        NDArray k = k0.reshape(n, len, heads, hd).transpose(0, 2, 3, 1); // [N, H, hd, T]
        NDArray v0 = Linear.linear(tokens, vW, vB).singletonOrThrow();
        NDArray v = v0.reshape(n, len, heads, hd).transpose(0, 2, 1, 3); // [N, H, T, hd]
        NDArray scores = q.matMul(k);
        NDArray a = scores.softmax(-1);
        NDArray ctx = a.matMul(v); // [N, H, 1, hd]
        NDArray merged = ctx.reshape(n, c)) {
      out = Linear.linear(merged, cW, cB).singletonOrThrow();
    }
    tokens.close();
    return out;
  }
}
