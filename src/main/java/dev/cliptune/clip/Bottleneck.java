package dev.cliptune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import java.util.function.Function;

/**
 * The Bottleneck block of OpenAI's ModifiedResNet (expansion 4): {@code conv1} 1x1 → BN → ReLU → {@code conv2}
 * 3x3 → BN → ReLU → {@code AvgPool2d(stride)} when the stride is above 1 (the anti-aliased stride: every
 * convolution has stride 1) → {@code conv3} 1x1 to 4 x planes → BN; plus the identity, or {@code downsample} =
 * {@code AvgPool2d(stride)} → 1x1 conv → BN when the stride is above 1 or the width changes; sum, ReLU.
 */
final class Bottleneck {
  static final int EXPANSION = 4;

  private final ConvBn c1;
  private final ConvBn c2;
  private final ConvBn c3;
  private final ConvBn downsample;
  private final int stride;

  /** {@code prefix} is the block's OpenAI prefix, e.g. {@code visual.layer2.0.}. */
  Bottleneck(Function<String, NDArray> load, NDManager manager, String prefix, long inplanes, long planes,
      int stride, boolean fold, double eps) {
    this.stride = stride;
    c1 = new ConvBn(load, manager, prefix + "conv1.weight", prefix + "bn1", 1, fold, eps);
    c2 = new ConvBn(load, manager, prefix + "conv2.weight", prefix + "bn2", 1, fold, eps);
    c3 = new ConvBn(load, manager, prefix + "conv3.weight", prefix + "bn3", 1, fold, eps);
    downsample = stride > 1 || inplanes != planes * EXPANSION
        ? new ConvBn(load, manager, prefix + "downsample.0.weight", prefix + "downsample.1", 1, fold, eps)
        : null;
  }

  NDArray forward(NDArray x) {
    NDArray out;
    try (NDArray a = c1.forwardRelu(x); NDArray b = c2.forwardRelu(a)) {
      out = pooledThen(b, c3);
    }
    NDArray identity = downsample != null ? pooledThen(x, downsample) : x;
    try (NDArray sum = out.add(identity)) {
      out.close();
      if (identity != x) {
        identity.close();
      }
      return Activation.relu(sum);
    }
  }

  /** {@code f(AvgPool2d(stride)(x))}; {@code f(x)} at stride 1 (where the official pool has a 1x1 kernel). */
  private NDArray pooledThen(NDArray x, ConvBn f) {
    if (stride == 1) {
      return f.forward(x);
    }
    try (NDArray p = avgPool(x, stride)) {
      return f.forward(p);
    }
  }

  /** {@code AvgPool2d(k)}: kernel = stride = k, no padding. */
  static NDArray avgPool(NDArray x, int k) {
    return Pool.avgPool2d(x, new Shape(k, k), new Shape(k, k), new Shape(0, 0), false, true);
  }
}
