package dev.cliptune.bench;

import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ResNetConfig;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;

/**
 * Analytic floating-point operation counts (2 x multiply-accumulates of matrix products and the patch
 * convolution), the convention of {@code shared/perf/official-cpu.md}.
 */
public final class Flops {
  private Flops() {}

  /** One transformer layer over {@code t} tokens of width {@code d} with MLP width {@code h}. */
  static double layerMacs(long t, long d, long h) {
    return 4.0 * t * d * d + 2.0 * t * d * h + 2.0 * t * t * d;
  }

  /** One image through the image tower with {@code extraTokens} prompt tokens. */
  public static double image(ClipConfig c, int extraTokens) {
    if (c.isResNet()) {
      return resnetImage(c.resnet(), c.embedDim());
    }
    VisionConfig v = c.vision();
    long t = v.tokens() + extraTokens;
    double macs = (double) v.grid() * v.grid() * v.width() * 3 * v.patchSize() * v.patchSize();
    macs += v.layers() * layerMacs(t, v.width(), v.mlpHidden());
    macs += (double) v.width() * c.embedDim();
    return 2 * macs;
  }

  /**
   * One image through a ModifiedResNet: every convolution (stem, Bottleneck 1x1 / 3x3 / 1x1 and downsample; the
   * 3x3 and first 1x1 run before the anti-aliasing pool, the rest after it) and the attention pool's products (k
   * and v of every token, q of the mean token, scores, weighted values, {@code c_proj}). BatchNorm, ReLU and
   * pooling are not counted (as LayerNorm and softmax are not for the ViT).
   */
  static double resnetImage(ResNetConfig r, long embed) {
    long w = r.width();
    long h = r.imageSize() / 2; // after the stride-2 stem conv1
    double macs = (double) h * h * 9 * (3 * (w / 2) + (w / 2) * (w / 2) + (w / 2) * w);
    h /= 2; // AvgPool2d(2)
    long in = w;
    for (int s = 0; s < 4; s++) {
      long planes = w << s;
      for (int i = 0; i < r.layers().get(s); i++) {
        int stride = i == 0 && s > 0 ? 2 : 1;
        long out = h / stride;
        macs += (double) h * h * (in * planes + 9 * planes * planes);
        macs += (double) out * out * planes * 4 * planes;
        if (stride > 1 || in != 4 * planes) {
          macs += (double) out * out * in * 4 * planes;
        }
        in = 4 * planes;
        h = out;
      }
    }
    long c = r.attnPoolWidth();
    long t = (long) r.grid() * r.grid() + 1;
    macs += 2.0 * t * c * c + (double) c * c + 2.0 * t * c + (double) c * embed;
    return 2 * macs;
  }

  /**
   * One prompt through the text tower over its first {@code tokens} positions: the model stops at the batch's last
   * end-of-text token ({@link #textTokens}); {@code contextLength()} counts the full context the official code runs.
   */
  public static double text(ClipConfig c, int tokens) {
    TextConfig x = c.text();
    double macs = x.layers() * layerMacs(tokens, x.width(), x.mlpHidden());
    macs += (double) x.width() * c.embedDim();
    return 2 * macs;
  }

  /**
   * Positions the text tower computes for these token rows ({@code ids} row-major, {@code ctx} per row): up to the
   * last end-of-text token (the largest id of a row, as CLIP's pooling finds it), as {@link ClipModel#usedLength}.
   */
  public static int textTokens(long[] ids, int ctx) {
    long last = 0;
    for (int r = 0; r + ctx <= ids.length; r += ctx) {
      int eot = 0;
      for (int j = 1; j < ctx; j++) {
        if (ids[r + j] > ids[r + eot]) {
          eot = j;
        }
      }
      last = Math.max(last, eot);
    }
    return ClipModel.usedLength(last, ctx);
  }
}
