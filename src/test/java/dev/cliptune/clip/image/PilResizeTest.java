package dev.cliptune.clip.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * {@link PilResize} against Pillow 12.3.0 ({@code Image.resize}) on a synthetic pattern that both
 * sides generate identically. The expected values are CRC32s of Pillow's output bytes
 * ({@code im.resize((nw, nh), Image.Resampling.X).tobytes()}); the input CRC checks that the pattern
 * is the same. The Python that produced them:
 *
 * <pre>
 * y, x = np.mgrid[0:h, 0:w].astype(np.int64)
 * for c in range(3):
 *     smooth = (x * 255 // max(w - 1, 1) + y * 3 + c * 40) % 256
 *     noise = ((x * y * y + 3 * x * x + 7 * y + 50 * c) ^ (x * 5 + y * 3)) % 256
 *     out[..., c] = np.where((x * 2 &lt; w) &amp; (y * 2 &lt; h), smooth, noise)
 * </pre>
 *
 * <p>The cases cover typical photos to 224, strong shrinking (support widened 13x), upscaling,
 * extreme aspect ratios, single-axis resizes (one pass skipped) and both filters.
 */
class PilResizeTest {

  /** The synthetic test pattern: a smooth gradient in the top-left quarter, hard noise elsewhere. */
  static RgbImage pattern(int w, int h) {
    byte[] px = new byte[w * h * 3];
    for (long y = 0; y < h; y++) {
      for (long x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          long smooth = (x * 255 / Math.max(w - 1, 1) + y * 3 + c * 40) % 256;
          long noise = ((x * y * y + 3 * x * x + 7 * y + 50L * c) ^ (x * 5 + y * 3)) % 256;
          long v = (x * 2 < w && y * 2 < h) ? smooth : noise;
          px[(int) ((y * w + x) * 3 + c)] = (byte) v;
        }
      }
    }
    return new RgbImage(w, h, px);
  }

  static String crc(byte[] b) {
    CRC32 crc = new CRC32();
    crc.update(b);
    return String.format("%08x", crc.getValue());
  }

  @ParameterizedTest(name = "{0} {1}x{2} -> {3}x{4}")
  @CsvSource({
      "BICUBIC, 500, 375, 298, 224, a55096d4, ca1bd6b5",
      "BICUBIC, 375, 500, 224, 298, 7364e6ae, a6049987",
      "BICUBIC, 640, 480, 298, 224, f7217d9f, 4d1615f9",
      "BICUBIC, 32, 32, 224, 224, 8c0a1290, 6a39ac54",
      "BICUBIC, 300, 7, 9600, 224, 90b0bdbd, ff4d8d0e",
      "BICUBIC, 1000, 999, 224, 224, 18659148, 14882659",
      "BICUBIC, 225, 1200, 224, 1194, 5ce758b6, 40fec3d8",
      "BICUBIC, 4000, 3000, 298, 224, 015562d9, 479474dc",
      "BICUBIC, 17, 3, 1269, 224, 2b9c2443, 5c461956",
      "BICUBIC, 333, 251, 297, 224, 70ead0a5, 4b0aadcd",
      "BICUBIC, 50, 40, 40, 32, 98c7349b, c2146642",
      "BICUBIC, 7, 5, 3, 11, 34463090, fbd92c3f",
      "BICUBIC, 250, 250, 250, 224, 97a6cca0, e0d7eab2",
      "BICUBIC, 250, 250, 224, 250, 97a6cca0, 55d0a9bc",
      "BILINEAR, 500, 375, 298, 224, a55096d4, 26d6d640",
      "BILINEAR, 32, 32, 224, 224, 8c0a1290, 467b0d0c",
      "BILINEAR, 333, 251, 297, 224, 70ead0a5, eb54d589",
  })
  void matchesPillowBitForBit(PilResize.Filter filter, int w, int h, int nw, int nh, String inCrc, String outCrc) {
    RgbImage src = pattern(w, h);
    assertThat(crc(src.rgb())).as("input pattern identical to the Python one").isEqualTo(inCrc);
    RgbImage out = PilResize.resize(src, nw, nh, filter);
    assertThat(out.width()).isEqualTo(nw);
    assertThat(out.height()).isEqualTo(nh);
    assertThat(crc(out.rgb())).as("CRC32 of the resized bytes vs Pillow's").isEqualTo(outCrc);
  }

  @Test
  void sameSizeIsACopy() {
    RgbImage src = pattern(9, 4);
    RgbImage out = PilResize.bicubic(src, 9, 4);
    assertThat(out).isEqualTo(src);
    assertThat(out.rgb()).isNotSameAs(src.rgb());
  }

  @Test
  void constantImageStaysConstant() {
    byte[] px = new byte[37 * 23 * 3];
    Arrays.fill(px, (byte) 201);
    RgbImage out = PilResize.bicubic(new RgbImage(37, 23, px), 224, 139);
    for (byte b : out.rgb()) {
      assertThat(b & 0xff).isEqualTo(201);
    }
  }

  @Test
  void overshootIsClampedNotWrapped() {
    // A hard 0/255 edge upscaled with the bicubic kernel overshoots; Pillow clamps to 0..255.
    byte[] px = new byte[4 * 1 * 3];
    for (int i = 6; i < 12; i++) {
      px[i] = (byte) 255;
    }
    RgbImage out = PilResize.bicubic(new RgbImage(4, 1, px), 16, 1);
    int[] row = new int[16];
    for (int x = 0; x < 16; x++) {
      row[x] = out.get(x, 0, 0);
    }
    assertThat(row).startsWith(0, 0, 0, 0, 0).endsWith(255, 255, 255, 255, 255);
    for (int x = 1; x < 16; x++) {
      assertThat(row[x]).as("monotone after clamping at %d", x).isGreaterThanOrEqualTo(row[x - 1]);
    }
  }

  @Test
  void weightsAreNormalisedFixedPoint() {
    PilResize.Weights w = PilResize.Weights.compute(500, 224, PilResize.Filter.BICUBIC);
    // support 2 * 500/224 = 4.46 -> ksize = 5 * 2 + 1
    assertThat(w.ksize).isEqualTo(11);
    for (int i = 0; i < 224; i++) {
      double sum = 0;
      long fixedSum = 0;
      for (int j = 0; j < w.count[i]; j++) {
        sum += w.exact[i * w.ksize + j];
        fixedSum += w.fixed[i * w.ksize + j];
      }
      assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(Math.abs(fixedSum - (1L << PilResize.PRECISION_BITS))).isLessThanOrEqualTo(w.count[i]);
    }
  }

  @Test
  void rejectsNonPositiveTargetSize() {
    assertThatThrownBy(() -> PilResize.bicubic(pattern(4, 4), 0, 4)).isInstanceOf(IllegalArgumentException.class);
  }
}
