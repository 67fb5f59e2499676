package dev.cliptune.clip.image;

import java.util.Arrays;

/**
 * Pillow's {@code Image.resize} for 8-bit RGB images, reproduced bit for bit.
 *
 * <p>Pillow (libImaging/Resample.c) resamples in two separable passes with a convolution filter whose
 * support is widened by the scale factor when shrinking (so shrinking is antialiased):
 *
 * <ol>
 *   <li>For each axis, for every output position {@code i} the source centre is
 *       {@code (i + 0.5) * scale} with {@code scale = inSize / outSize}; the window covers the source
 *       samples {@code [trunc(centre - support + 0.5), trunc(centre + support + 0.5))} clamped to the
 *       image, where {@code support = filterSupport * max(scale, 1)}. Each sample's weight is
 *       {@code filter((j - centre + 0.5) / max(scale, 1))}, and the weights are divided by their sum,
 *       all in double precision.
 *   <li>The double weights are turned into fixed point with 22 fractional bits
 *       ({@code 32 - 8 - 2}), rounding half away from zero.
 *   <li>Each output sample is {@code 2^21 + sum(weight * sample)} in 32-bit integer arithmetic,
 *       shifted right by 22 (arithmetic shift) and clamped to {@code 0..255}.
 *   <li>The horizontal pass runs first (only over the rows the vertical pass will read), then the
 *       vertical pass on its 8-bit result. A pass whose size does not change is skipped entirely;
 *       when neither changes, the image is copied.
 * </ol>
 *
 * <p>The filters are Pillow's: bicubic is the Keys kernel with {@code a = -0.5} and support 2;
 * bilinear is the triangle kernel with support 1.
 *
 * <p>Exactness caveat: the weights are computed in IEEE double exactly as Pillow's C source writes
 * them. A Pillow build that lets the C compiler fuse multiply-adds (possible on ARM64) could round a
 * weight differently in the last bit, which very rarely changes an output level by one.
 *
 * <p>Instances are not needed: all methods are static and thread-safe.
 */
public final class PilResize {

  /** Fractional bits of Pillow's fixed-point weights for 8-bit images. */
  static final int PRECISION_BITS = 32 - 8 - 2;

  private PilResize() {}

  /** A resampling kernel as Pillow defines it: a function of distance and its support radius. */
  public enum Filter {
    /** Pillow {@code Image.BILINEAR}: triangle kernel, support 1. */
    BILINEAR(1.0) {
      @Override
      double weight(double x) {
        double ax = x < 0.0 ? -x : x;
        return ax < 1.0 ? 1.0 - ax : 0.0;
      }
    },
    /** Pillow {@code Image.BICUBIC}: Keys cubic convolution with {@code a = -0.5}, support 2. */
    BICUBIC(2.0) {
      @Override
      double weight(double x) {
        final double a = -0.5;
        double ax = x < 0.0 ? -x : x;
        if (ax < 1.0) {
          return ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1;
        }
        if (ax < 2.0) {
          return (((ax - 5) * ax + 8) * ax - 4) * a;
        }
        return 0.0;
      }
    };

    private final double support;

    Filter(double support) {
      this.support = support;
    }

    /** Kernel radius at scale 1. */
    public double support() {
      return support;
    }

    /** Kernel value at distance {@code x} (in source pixels divided by the filter scale). */
    abstract double weight(double x);
  }

  /**
   * Resizes with Pillow's {@code BICUBIC} filter, as {@code img.resize((newWidth, newHeight),
   * Image.BICUBIC)} does for an {@code "RGB"} image.
   */
  public static RgbImage bicubic(RgbImage src, int newWidth, int newHeight) {
    return resize(src, newWidth, newHeight, Filter.BICUBIC);
  }

  /**
   * Resizes with Pillow's {@code BILINEAR} filter, as {@code img.resize((newWidth, newHeight),
   * Image.BILINEAR)} does for an {@code "RGB"} image.
   */
  public static RgbImage bilinear(RgbImage src, int newWidth, int newHeight) {
    return resize(src, newWidth, newHeight, Filter.BILINEAR);
  }

  /** Resizes {@code src} to {@code newWidth x newHeight} with the given Pillow filter. */
  public static RgbImage resize(RgbImage src, int newWidth, int newHeight, Filter filter) {
    if (newWidth <= 0 || newHeight <= 0) {
      throw new IllegalArgumentException("target size must be positive, got " + newWidth + "x" + newHeight);
    }
    boolean horizontal = newWidth != src.width();
    boolean vertical = newHeight != src.height();
    if (!horizontal && !vertical) {
      return new RgbImage(src.width(), src.height(), src.rgb().clone());
    }

    Weights vw = Weights.compute(src.height(), newHeight, filter);
    // Rows of the source that the vertical pass reads (all rows when there is no vertical pass).
    int firstRow = vertical ? vw.start[0] : 0;
    int endRow = vertical ? vw.start[newHeight - 1] + vw.count[newHeight - 1] : src.height();

    byte[] cur = src.rgb();
    int curW = src.width();
    int rowOffset = 0; // row of `cur` that corresponds to source row `firstRow`
    if (horizontal) {
      Weights hw = Weights.compute(src.width(), newWidth, filter);
      cur = horizontalPass(src.rgb(), src.width(), firstRow, endRow, newWidth, hw);
      curW = newWidth;
      rowOffset = firstRow;
    }
    if (vertical) {
      cur = verticalPass(cur, curW, rowOffset, newHeight, vw);
    }
    return new RgbImage(newWidth, newHeight, cur);
  }

  /** Resamples rows {@code [firstRow, endRow)} of {@code in} to {@code outW} columns. */
  private static byte[] horizontalPass(byte[] in, int inW, int firstRow, int endRow, int outW, Weights w) {
    int rows = endRow - firstRow;
    byte[] out = new byte[rows * outW * 3];
    int half = 1 << (PRECISION_BITS - 1);
    for (int r = 0; r < rows; r++) {
      int inRow = (firstRow + r) * inW * 3;
      int outRow = r * outW * 3;
      for (int xx = 0; xx < outW; xx++) {
        int s0 = half;
        int s1 = half;
        int s2 = half;
        int base = inRow + w.start[xx] * 3;
        int k = xx * w.ksize;
        for (int j = 0, n = w.count[xx]; j < n; j++) {
          int c = w.fixed[k + j];
          int p = base + j * 3;
          s0 += (in[p] & 0xff) * c;
          s1 += (in[p + 1] & 0xff) * c;
          s2 += (in[p + 2] & 0xff) * c;
        }
        int o = outRow + xx * 3;
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
      }
    }
    return out;
  }

  /**
   * Resamples columns of {@code in} (width {@code w}) to {@code outH} rows. Source row {@code y} of
   * the weights lives at row {@code y - rowOffset} of {@code in}.
   */
  private static byte[] verticalPass(byte[] in, int width, int rowOffset, int outH, Weights w) {
    int stride = width * 3;
    byte[] out = new byte[outH * stride];
    int half = 1 << (PRECISION_BITS - 1);
    int[] acc = new int[stride];
    for (int yy = 0; yy < outH; yy++) {
      Arrays.fill(acc, half);
      int k = yy * w.ksize;
      int first = w.start[yy] - rowOffset;
      for (int j = 0, n = w.count[yy]; j < n; j++) {
        int c = w.fixed[k + j];
        int row = (first + j) * stride;
        for (int i = 0; i < stride; i++) {
          acc[i] += (in[row + i] & 0xff) * c;
        }
      }
      int o = yy * stride;
      for (int i = 0; i < stride; i++) {
        out[o + i] = clip8(acc[i]);
      }
    }
    return out;
  }

  /** Pillow's {@code clip8}: drop the fraction bits (arithmetic shift) and clamp to a byte. */
  private static byte clip8(int sum) {
    int v = sum >> PRECISION_BITS;
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }

  /**
   * Per-axis resampling weights: for output index {@code i}, the source window starts at
   * {@code start[i]}, has {@code count[i]} taps, and its fixed-point weights are
   * {@code fixed[i * ksize .. i * ksize + count[i])}.
   */
  static final class Weights {
    final int ksize;
    final int[] start;
    final int[] count;
    final double[] exact;
    final int[] fixed;

    private Weights(int ksize, int[] start, int[] count, double[] exact, int[] fixed) {
      this.ksize = ksize;
      this.start = start;
      this.count = count;
      this.exact = exact;
      this.fixed = fixed;
    }

    /** Weights for resampling {@code inSize} samples to {@code outSize} over the whole axis. */
    static Weights compute(int inSize, int outSize, Filter filter) {
      // Pillow takes the box edges as C floats and subtracts them in float before widening.
      double scale = (double) ((float) inSize - 0.0f) / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = filter.support() * filterScale;
      int ksize = (int) Math.ceil(support) * 2 + 1;
      double invFilterScale = 1.0 / filterScale;

      int[] start = new int[outSize];
      int[] count = new int[outSize];
      double[] exact = new double[outSize * ksize];
      int[] fixed = new int[outSize * ksize];
      for (int i = 0; i < outSize; i++) {
        double centre = 0.0 + (i + 0.5) * scale;
        // (int) truncates toward zero, like the C cast.
        int lo = Math.max((int) (centre - support + 0.5), 0);
        int hi = Math.min((int) (centre + support + 0.5), inSize);
        int n = hi - lo;
        int base = i * ksize;
        double sum = 0.0;
        for (int j = 0; j < n; j++) {
          double wgt = filter.weight((j + lo - centre + 0.5) * invFilterScale);
          exact[base + j] = wgt;
          sum += wgt;
        }
        if (sum != 0.0) {
          for (int j = 0; j < n; j++) {
            exact[base + j] /= sum;
          }
        }
        for (int j = 0; j < n; j++) {
          fixed[base + j] = toFixed(exact[base + j]);
        }
        start[i] = lo;
        count[i] = n;
      }
      return new Weights(ksize, start, count, exact, fixed);
    }

    /** Double weight to 22-bit fixed point, rounding half away from zero (then truncating). */
    private static int toFixed(double w) {
      double scaled = w * (1 << PRECISION_BITS);
      return (int) (w < 0 ? -0.5 + scaled : 0.5 + scaled);
    }
  }
}
