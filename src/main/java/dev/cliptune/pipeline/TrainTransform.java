package dev.cliptune.pipeline;

import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.image.PilResize;
import dev.cliptune.clip.image.RgbImage;
import java.util.SplittableRandom;

/**
 * The training transform of every official config (PROTOCOL.md §6): torchvision's
 * {@code RandomResizedCrop(R, scale=(0.08, 1), ratio=(3/4, 4/3))} sampling rule with PIL's bicubic resize, a
 * horizontal flip with probability ½, then CLIP's normalisation. The random draws come from the caller's
 * generator (torch's own stream cannot be reproduced outside PyTorch), so a run is repeatable for a seed.
 */
public final class TrainTransform {
  private final ClipPreprocessor pre;
  private final double scaleMin;
  private final double scaleMax;
  private final boolean flip;

  public TrainTransform(ClipPreprocessor pre) {
    this(pre, 0.08, 1.0, true);
  }

  public TrainTransform(ClipPreprocessor pre, double scaleMin, double scaleMax, boolean flip) {
    this.pre = pre;
    this.scaleMin = scaleMin;
    this.scaleMax = scaleMax;
    this.flip = flip;
  }

  /** A crop box {@code {left, top, width, height}} by torchvision's rule. */
  public int[] cropBox(int width, int height, SplittableRandom rng) {
    double area = (double) width * height;
    double logLo = Math.log(3.0 / 4);
    double logHi = Math.log(4.0 / 3);
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * (scaleMin + rng.nextDouble() * (scaleMax - scaleMin));
      double aspect = Math.exp(logLo + rng.nextDouble() * (logHi - logLo));
      int w = (int) Math.round(Math.sqrt(target * aspect));
      int h = (int) Math.round(Math.sqrt(target / aspect));
      if (w > 0 && w <= width && h > 0 && h <= height) {
        int top = rng.nextInt(height - h + 1);
        int left = rng.nextInt(width - w + 1);
        return new int[] {left, top, w, h};
      }
    }
    double ratio = (double) width / height;
    int w;
    int h;
    if (ratio < 3.0 / 4) {
      w = width;
      h = (int) Math.round(w / (3.0 / 4));
    } else if (ratio > 4.0 / 3) {
      h = height;
      w = (int) Math.round(h * (4.0 / 3));
    } else {
      w = width;
      h = height;
    }
    return new int[] {(width - w) / 2, (height - h) / 2, w, h};
  }

  /** Crop, resize to R×R, maybe flip, normalise: CHW floats. */
  public float[] apply(RgbImage img, SplittableRandom rng) {
    int[] box = cropBox(img.width(), img.height(), rng);
    RgbImage crop = crop(img, box[0], box[1], box[2], box[3]);
    int r = pre.resolution();
    RgbImage resized = PilResize.bicubic(crop, r, r);
    if (flip && rng.nextDouble() < 0.5) {
      resized = flipHorizontal(resized);
    }
    return pre.toNormalizedChw(resized);
  }

  /** A region of an image; parts outside are black, as PIL's crop does. */
  static RgbImage crop(RgbImage img, int left, int top, int w, int h) {
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      int sy = top + y;
      if (sy < 0 || sy >= img.height()) {
        continue;
      }
      for (int x = 0; x < w; x++) {
        int sx = left + x;
        if (sx < 0 || sx >= img.width()) {
          continue;
        }
        System.arraycopy(img.rgb(), (sy * img.width() + sx) * 3, out, (y * w + x) * 3, 3);
      }
    }
    return new RgbImage(w, h, out);
  }

  static RgbImage flipHorizontal(RgbImage img) {
    int w = img.width();
    byte[] out = new byte[img.rgb().length];
    for (int y = 0; y < img.height(); y++) {
      for (int x = 0; x < w; x++) {
        System.arraycopy(img.rgb(), (y * w + x) * 3, out, (y * w + (w - 1 - x)) * 3, 3);
      }
    }
    return new RgbImage(w, img.height(), out);
  }
}
