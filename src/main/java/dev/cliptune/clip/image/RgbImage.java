package dev.cliptune.clip.image;

import java.util.Objects;

/**
 * An 8-bit RGB image stored row-major and interleaved (HWC): the byte at {@code (y * width + x) * 3 + c}
 * is channel {@code c} (0 = red, 1 = green, 2 = blue) of the pixel at column {@code x}, row {@code y},
 * read as an unsigned value {@code 0..255}.
 *
 * <p>This is the in-memory equivalent of a PIL image in mode {@code "RGB"}. The array is not copied:
 * callers should treat it as immutable once the image is built.
 *
 * @param width image width in pixels (&gt; 0)
 * @param height image height in pixels (&gt; 0)
 * @param rgb interleaved pixel data, exactly {@code width * height * 3} bytes
 */
public record RgbImage(int width, int height, byte[] rgb) {

  /** Validates the dimensions and the buffer length. */
  public RgbImage {
    Objects.requireNonNull(rgb, "rgb");
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    if ((long) width * height * 3 != rgb.length) {
      throw new IllegalArgumentException("rgb has " + rgb.length + " bytes, expected " + width + "*"
          + height + "*3 = " + ((long) width * height * 3));
    }
  }

  /** Channel {@code c} of pixel {@code (x, y)} as an unsigned value {@code 0..255}. */
  public int get(int x, int y, int c) {
    return rgb[(y * width + x) * 3 + c] & 0xff;
  }

  /** Short description for messages, e.g. {@code RgbImage[48x36]}. */
  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }

  /** Two images are equal when they have the same size and the same pixel bytes. */
  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage other && other.width == width && other.height == height
        && java.util.Arrays.equals(other.rgb, rgb);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + java.util.Arrays.hashCode(rgb);
  }
}
