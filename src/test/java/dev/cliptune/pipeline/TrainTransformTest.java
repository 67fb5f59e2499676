package dev.cliptune.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.image.RgbImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** torchvision's RandomResizedCrop sampling rule and the flip. */
class TrainTransformTest {
  private final TrainTransform t = new TrainTransform(ClipPreprocessor.openAi(32));

  @Test
  void cropsStayInsideAndFollowScaleAndRatio() {
    SplittableRandom rng = new SplittableRandom(7);
    int inRange = 0;
    for (int i = 0; i < 2000; i++) {
      int[] b = t.cropBox(120, 80, rng);
      assertThat(b[0]).isBetween(0, 120 - b[2]);
      assertThat(b[1]).isBetween(0, 80 - b[3]);
      double area = (double) b[2] * b[3] / (120 * 80);
      double ratio = (double) b[2] / b[3];
      if (area >= 0.07 && area <= 1.01 && ratio >= 0.70 && ratio <= 1.40) {
        inRange++;
      }
    }
    assertThat(inRange).isGreaterThan(1990);
  }

  @Test
  void fallbackIsACentredCropOfTheAllowedRatio() {
    // a 400x10 strip: no sampled box fits, the fallback keeps the full height at ratio 4/3
    TrainTransform full = new TrainTransform(ClipPreprocessor.openAi(32), 0.99, 1.0, false);
    int[] b = full.cropBox(400, 10, new SplittableRandom(1));
    assertThat(b).containsExactly((400 - 13) / 2, 0, 13, 10);
  }

  @Test
  void sameSeedSamePixelsAndFlipsHappenAboutHalfTheTime() {
    byte[] px = new byte[40 * 30 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 31);
    }
    RgbImage img = new RgbImage(40, 30, px);
    assertThat(t.apply(img, new SplittableRandom(3))).containsExactly(t.apply(img, new SplittableRandom(3)));
    TrainTransform noCrop = new TrainTransform(ClipPreprocessor.openAi(40), 1.0, 1.0, true);
    RgbImage square = new RgbImage(40, 40, java.util.Arrays.copyOf(px, 40 * 40 * 3));
    float[] plain = ClipPreprocessor.openAi(40).apply(square);
    int flips = 0;
    for (int s = 0; s < 400; s++) {
      if (!java.util.Arrays.equals(noCrop.apply(square, new SplittableRandom(s)), plain)) {
        flips++;
      }
    }
    assertThat(flips).isBetween(150, 250);
  }
}
