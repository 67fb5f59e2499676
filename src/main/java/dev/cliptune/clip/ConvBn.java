package dev.cliptune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import java.util.function.Function;

/**
 * A bias-free convolution followed by an evaluation-mode {@code BatchNorm2d}:
 * {@code (conv(x) - running_mean) / sqrt(running_var + eps) * weight + bias}. Either libtorch's own
 * {@code batch_norm} kernel runs after the convolution (what the official forward does), or the normalisation is
 * folded into the convolution ({@code W' = W * a}, bias {@code b - mean * a} with {@code a = weight / sqrt(var +
 * eps)}), one pass less over the activations; see docs/ARCHITECTURE.md for which is used and why.
 */
final class ConvBn {
  private final NDArray weight;
  private final NDArray mean;
  private final NDArray var;
  private final NDArray gamma;
  private final NDArray beta;
  private final float eps;
  private final Shape stride;
  private final Shape padding;
  private final NDArray foldedWeight;
  private final NDArray foldedBias;

  /**
   * @param conv the convolution's OpenAI name ({@code visual.layer1.0.conv1.weight})
   * @param bn   the BatchNorm module's OpenAI prefix ({@code visual.layer1.0.bn1})
   */
  ConvBn(Function<String, NDArray> load, NDManager manager, String conv, String bn, int stride, boolean fold,
      double eps) {
    this.weight = load.apply(conv);
    this.gamma = load.apply(bn + ".weight");
    this.beta = load.apply(bn + ".bias");
    this.mean = load.apply(bn + ".running_mean");
    this.var = load.apply(bn + ".running_var");
    this.eps = (float) eps;
    this.stride = new Shape(stride, stride);
    long k = weight.getShape().get(2);
    this.padding = new Shape(k / 2, k / 2);
    if (fold) {
      float[] w = weight.toFloatArray();
      float[] g = gamma.toFloatArray();
      float[] b = beta.toFloatArray();
      float[] m = mean.toFloatArray();
      float[] v = var.toFloatArray();
      int out = g.length;
      int per = w.length / out;
      float[] bias = new float[out];
      for (int o = 0; o < out; o++) {
        // as libtorch's CPU inference kernel: alpha = weight / sqrt(var + eps), beta = bias - mean * alpha (float)
        float a = g[o] * (1f / (float) Math.sqrt(v[o] + this.eps));
        for (int i = 0; i < per; i++) {
          w[o * per + i] *= a;
        }
        bias[o] = b[o] - m[o] * a;
      }
      foldedWeight = Tensors.owned(manager, w, weight.getShape());
      foldedBias = Tensors.owned(manager, bias, new Shape(out));
    } else {
      foldedWeight = null;
      foldedBias = null;
    }
  }

  /** {@code bn(conv(x))}, in the manager of {@code x}. */
  NDArray forward(NDArray x) {
    if (foldedWeight != null) {
      return Conv2d.conv2d(x, foldedWeight, foldedBias, stride, padding).singletonOrThrow();
    }
    try (NDArray c = Conv2d.conv2d(x, weight, null, stride, padding).singletonOrThrow()) {
      // axis -1: libtorch's batch_norm over dimension 1, as F.batch_norm; momentum is unused in evaluation mode
      return BatchNorm.batchNorm(c, mean, var, gamma, beta, -1, 0.1f, eps, false).singletonOrThrow();
    }
  }

  /** {@code relu(bn(conv(x)))}. */
  NDArray forwardRelu(NDArray x) {
    try (NDArray y = forward(x)) {
      return Activation.relu(y);
    }
  }

  /** Output channels. */
  long outChannels() {
    return weight.getShape().get(0);
  }
}
