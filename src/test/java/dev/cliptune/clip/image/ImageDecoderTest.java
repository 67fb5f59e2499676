package dev.cliptune.clip.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.testing.Shared;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding to RGB the way PIL's {@code convert("RGB")} does, and clear errors for bad files. */
class ImageDecoderTest {

  @TempDir
  Path tmp;

  // ------------------------------------------------------------------------------------------
  // Helpers
  // ------------------------------------------------------------------------------------------

  static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, format, out)).as("ImageIO can write " + format).isTrue();
    return out.toByteArray();
  }

  /** A noisy RGB image: large enough that truncation cuts real image data. */
  static BufferedImage noisyRgb(int w, int h, long seed) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random rnd = new Random(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    return img;
  }

  Path write(String name, byte[] bytes) throws IOException {
    Path p = tmp.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  // ------------------------------------------------------------------------------------------
  // Pixel conversion
  // ------------------------------------------------------------------------------------------

  @Test
  void rgbPngRoundTripsExactly() throws IOException {
    BufferedImage src = noisyRgb(13, 7, 1);
    RgbImage img = ImageDecoder.decode(write("rgb.png", encode(src, "png")));
    assertThat(img.width()).isEqualTo(13);
    assertThat(img.height()).isEqualTo(7);
    for (int y = 0; y < 7; y++) {
      for (int x = 0; x < 13; x++) {
        int argb = src.getRGB(x, y);
        assertThat(new int[] {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)})
            .as("pixel %d,%d", x, y)
            .containsExactly((argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff);
      }
    }
  }

  @Test
  void rgbaPngDropsAlphaWithoutCompositing() throws IOException {
    BufferedImage src = new BufferedImage(4, 2, BufferedImage.TYPE_INT_ARGB);
    // Non-premultiplied colours with various alphas, including fully transparent.
    int[][] px = {
        {200, 10, 20, 0}, {30, 40, 50, 255}, {255, 255, 255, 1}, {7, 8, 9, 128},
        {0, 0, 0, 0}, {100, 150, 200, 64}, {1, 2, 3, 254}, {250, 128, 5, 200},
    };
    for (int i = 0; i < px.length; i++) {
      int[] p = px[i];
      src.setRGB(i % 4, i / 4, (p[3] << 24) | (p[0] << 16) | (p[1] << 8) | p[2]);
    }
    RgbImage img = ImageDecoder.decode(encode(src, "png"), "rgba.png");
    for (int i = 0; i < px.length; i++) {
      int x = i % 4;
      int y = i / 4;
      assertThat(new int[] {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)})
          .as("pixel %d (alpha %d) keeps its stored colour", i, px[i][3])
          .containsExactly(px[i][0], px[i][1], px[i][2]);
    }
  }

  @Test
  void palettePngExpandsThePalette() throws IOException {
    byte[] r = {(byte) 255, 0, 10, (byte) 200};
    byte[] g = {0, (byte) 255, 20, (byte) 100};
    byte[] b = {0, 0, 30, (byte) 50};
    byte[] a = {(byte) 255, (byte) 255, 0, (byte) 128}; // palette transparency must be ignored too
    IndexColorModel icm = new IndexColorModel(8, 4, r, g, b, a);
    BufferedImage src = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_INDEXED, icm);
    WritableRaster raster = src.getRaster();
    int[] idx = {0, 1, 2, 3, 3, 2, 1, 0, 2, 2, 1, 3};
    for (int i = 0; i < idx.length; i++) {
      raster.setSample(i % 4, i / 4, 0, idx[i]);
    }
    byte[] png = encode(src, "png");
    // Make sure the PNG really is palette-based (colour type 3 in IHDR), or the test proves nothing.
    assertThat(png[25]).as("PNG colour type").isEqualTo((byte) 3);
    RgbImage img = ImageDecoder.decode(png, "palette.png");
    for (int i = 0; i < idx.length; i++) {
      int k = idx[i];
      assertThat(new int[] {img.get(i % 4, i / 4, 0), img.get(i % 4, i / 4, 1), img.get(i % 4, i / 4, 2)})
          .as("pixel %d = palette entry %d", i, k)
          .containsExactly(r[k] & 0xff, g[k] & 0xff, b[k] & 0xff);
    }
  }

  @Test
  void grayPngReplicatesTheStoredValueWithoutGammaConversion() throws IOException {
    BufferedImage src = new BufferedImage(256, 1, BufferedImage.TYPE_BYTE_GRAY);
    for (int x = 0; x < 256; x++) {
      src.getRaster().setSample(x, 0, 0, x);
    }
    RgbImage img = ImageDecoder.decode(encode(src, "png"), "gray.png");
    for (int x = 0; x < 256; x++) {
      assertThat(new int[] {img.get(x, 0, 0), img.get(x, 0, 1), img.get(x, 0, 2)}).as("gray %d", x)
          .containsExactly(x, x, x);
    }
    // getRGB would have changed mid-greys (ImageIO's linear-gray colour space): prove the trap exists.
    int viaGetRgb = src.getRGB(64, 0) & 0xff;
    assertThat(viaGetRgb).as("BufferedImage.getRGB colour-converts gray").isNotEqualTo(64);
  }

  @Test
  void sixteenBitGrayIsSaturatedLikePil() throws IOException {
    BufferedImage src = new BufferedImage(4, 1, BufferedImage.TYPE_USHORT_GRAY);
    int[] v = {0, 200, 255, 40000};
    for (int x = 0; x < 4; x++) {
      src.getRaster().setSample(x, 0, 0, v[x]);
    }
    RgbImage img = ImageDecoder.decode(encode(src, "png"), "gray16.png");
    assertThat(new int[] {img.get(0, 0, 0), img.get(1, 0, 1), img.get(2, 0, 2), img.get(3, 0, 0)})
        .containsExactly(0, 200, 255, 255);
  }

  @Test
  void fixtureGrayImageDecodesToItsRawValues() throws IOException {
    Path gray = Shared.parity().resolve("images/gray_32x32.png");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(gray), "no gray_32x32.png in this fixture set");
    BufferedImage raw = ImageIO.read(gray.toFile());
    assertThat(raw.getRaster().getNumBands()).isEqualTo(1);
    RgbImage img = ImageDecoder.decode(gray);
    for (int y = 0; y < raw.getHeight(); y++) {
      for (int x = 0; x < raw.getWidth(); x++) {
        int g = raw.getRaster().getSample(x, y, 0);
        assertThat(new int[] {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)}).containsExactly(g, g, g);
      }
    }
  }

  @Test
  void jpegDecodes() throws IOException {
    BufferedImage src = new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 32; x++) {
        src.setRGB(x, y, (x * 8) << 16 | (y * 16) << 8 | 100);
      }
    }
    RgbImage img = ImageDecoder.decode(encode(src, "jpg"), "smooth.jpg");
    assertThat(img.width()).isEqualTo(32);
    assertThat(img.height()).isEqualTo(16);
    // Lossy, but a smooth gradient survives within a few levels.
    assertThat(Math.abs(img.get(20, 10, 0) - 160)).isLessThan(12);
    assertThat(Math.abs(img.get(20, 10, 1) - 160)).isLessThan(12);
    assertThat(Math.abs(img.get(20, 10, 2) - 100)).isLessThan(12);
  }


  // ------------------------------------------------------------------------------------------
  // JPEG colour handling (no colour management, like PIL)
  // ------------------------------------------------------------------------------------------

  /**
   * 24x16 JPEGs made by Pillow 12.3 with an embedded (LittleCMS sRGB) ICC profile; the CRC32 is of
   * {@code Image.open(f).convert("RGB").tobytes()}. The JDK reader alone colour-converts these.
   */
  private static final String PIL_YCC_ICC_JPEG = """
      /9j/4AAQSkZJRgABAQAAAQABAAD/4gJcSUNDX1BST0ZJTEUAAQEAAAJMbGNtcwRAAABtbnRyUkdCIFhZWiAH6gALABcAAAA3
      ACFhY3NwQVBQTAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA9tYAAQAAAADTLWxjbXMAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
      AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAtkZXNjAAABCAAAADZjcHJ0AAABQAAAAEx3dHB0AAABjAAAABRjaGFkAAABoAAA
      ACxyWFlaAAABzAAAABRiWFlaAAAB4AAAABRnWFlaAAAB9AAAABRyVFJDAAACCAAAACBnVFJDAAACCAAAACBiVFJDAAACCAAA
      ACBjaHJtAAACKAAAACRtbHVjAAAAAAAAAAEAAAAMZW5VUwAAABoAAAAcAHMAUgBHAEIAIABiAHUAaQBsAHQALQBpAG4AAG1s
      dWMAAAAAAAAAAQAAAAxlblVTAAAAMAAAABwATgBvACAAYwBvAHAAeQByAGkAZwBoAHQALAAgAHUAcwBlACAAZgByAGUAZQBs
      AHlYWVogAAAAAAAA9tYAAQAAAADTLXNmMzIAAAAAAAEMQgAABd7///MlAAAHkwAA/ZD///uh///9ogAAA9wAAMBuWFlaIAAA
      AAAAAG+gAAA49QAAA5BYWVogAAAAAAAAJJ8AAA+EAAC2w1hZWiAAAAAAAABilwAAt4cAABjZcGFyYQAAAAAAAwAAAAJmZgAA
      8qcAAA1ZAAAT0AAACltjaHJtAAAAAAADAAAAAKPXAABUewAATM0AAJmaAAAmZgAAD1z/2wBDAAYEBQYFBAYGBQYHBwYIChAK
      CgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgo
      KCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAAQABgDASIAAhEBAxEB/8QAHwAAAQUB
      AQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0Kx
      wRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT
      lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEB
      AQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHB
      CSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImK
      kpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIR
      AxEAPwDxax8Py7zwm1uQXHTvzngjHqO3PQ56fR/DkflmMpIrD5dq4O4jJyFIOO2fY+nB7q08Lq4tyqqGQDDMrFh8mMYP3Tgc
      8c9Ouc9NpHhtViG1ZHAd0ZFIIddxAIPI5z+f4Gs6GJTjeT1PNyjiRaWevp/wf6/PgrHQ9tw0RSZwRgbB+8UDknafTBGRn/Er
      2TT9AlE63HlmGArwxIznHDLxyDzycjGOvNFegsZJRVrfM/QsNxJemr6/f/wT/9k=
      """;

  /** The same pixels saved RGB-coded ({@code keep_rgb=True}, Adobe transform 0) with the profile. */
  private static final String PIL_RGB_ICC_JPEG = """
      /9j/7gAOQWRvYmUAZAAAAAAA/+ICXElDQ19QUk9GSUxFAAEBAAACTGxjbXMEQAAAbW50clJHQiBYWVogB+oACwAXAAAANwAh
      YWNzcEFQUEwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPbWAAEAAAAA0y1sY21zAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
      AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAALZGVzYwAAAQgAAAA2Y3BydAAAAUAAAABMd3RwdAAAAYwAAAAUY2hhZAAAAaAAAAAs
      clhZWgAAAcwAAAAUYlhZWgAAAeAAAAAUZ1hZWgAAAfQAAAAUclRSQwAAAggAAAAgZ1RSQwAAAggAAAAgYlRSQwAAAggAAAAg
      Y2hybQAAAigAAAAkbWx1YwAAAAAAAAABAAAADGVuVVMAAAAaAAAAHABzAFIARwBCACAAYgB1AGkAbAB0AC0AaQBuAABtbHVj
      AAAAAAAAAAEAAAAMZW5VUwAAADAAAAAcAE4AbwAgAGMAbwBwAHkAcgBpAGcAaAB0ACwAIAB1AHMAZQAgAGYAcgBlAGUAbAB5
      WFlaIAAAAAAAAPbWAAEAAAAA0y1zZjMyAAAAAAABDEIAAAXe///zJQAAB5MAAP2Q///7of///aIAAAPcAADAblhZWiAAAAAA
      AABvoAAAOPUAAAOQWFlaIAAAAAAAACSfAAAPhAAAtsNYWVogAAAAAAAAYpcAALeHAAAY2XBhcmEAAAAAAAMAAAACZmYAAPKn
      AAANWQAAE9AAAApbY2hybQAAAAAAAwAAAACj1wAAVHsAAEzNAACZmgAAJmYAAA9c/9sAQwAGBAUGBQQGBgUGBwcGCAoQCgoJ
      CQoUDg8MEBcUGBgXFBYWGh0lHxobIxwWFiAsICMmJykqKRkfLTAtKDAlKCko/8AAEQgAEAAYA1IRAEcRAEIRAP/EAB8AAAEF
      AQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNC
      scEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqS
      k5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/aAAwDUgBH
      AEIAAD8A8L8IYeWVJPLjjWHfEkqACTAwdzYHygM3OD8wB45NeOSeCrqOUFApEjn5mzlCctyCdpyoGcgD5eehz4dotiJ4pBLa
      xyyZVhJtIyD8zY6rjgdB1PJG417L4Om063SKG3aYsIwYQY8qANxY7eVJwOncMM4zipLbwOZI5Y5oZY2DGN442G5yOdyAg4/h
      z3xnHHB7/QNBma2iKiLy2U7pQEGDgBcg8jGQTyCDxgkce0eE7pZp9iyORMCFjZSWjHzBiAQDjg8cnI+hqKTwcYLmSA29zIoA
      GYNvmjHzH5T6cjcM9MZ9fQNG03JX7Q8RfAInbem5ApGQMltxYc4A4bPOMH4v8MuwCiOFIZUG5jtAMiFdu0tjKnaSdwxnOOp5
      +m5vh9HMtiwVWCKDG8iSs6HywMbT90/LypUZHTnO7htB0RWuXxcsLlJlt7jedm0ru+VA2QRtOeMgtk5BINe0eDDctbJ5rNcg
      SHcAwZimWIIZgVHJ4OSCwzwADSW3gKCFG8mOUDfJE0aEFJV3FVIPcnpjA/HrXf6TBBPbwK6zXBilVUjlXABJBLggn5cMByCV
      B69z7F4bZpxbyQsLW0CeZGVkhUyx5IVztUcFR97sMcHBzOvg+aO9+1mBooiCu87iyOR95PUHnJYMMEA5PFdp4d0SaEyz3cZW
      2ZCgiuIwSFCcMQQVI47cdCCRmv/Z
      """;

  static byte[] base64(String s) {
    return java.util.Base64.getMimeDecoder().decode(s.strip());
  }

  static String crc(byte[] b) {
    java.util.zip.CRC32 c = new java.util.zip.CRC32();
    c.update(b);
    return String.format("%08x", c.getValue());
  }

  @Test
  void iccTaggedJpegsDecodeToPilsBytes() {
    RgbImage ycc = ImageDecoder.decode(base64(PIL_YCC_ICC_JPEG), "ycc_icc.jpg");
    assertThat(ycc.width()).isEqualTo(24);
    assertThat(crc(ycc.rgb())).as("YCbCr JPEG with ICC profile vs PIL").isEqualTo("77f4beb3");
    RgbImage rgb = ImageDecoder.decode(base64(PIL_RGB_ICC_JPEG), "rgb_icc.jpg");
    assertThat(crc(rgb.rgb())).as("RGB-coded JPEG with ICC profile vs PIL").isEqualTo("1ab50919");
  }

  @Test
  void embeddedProfileIsIgnoredLikePil() throws IOException {
    // Tag a plain JPEG with a linear-RGB ICC profile: colour management would brighten every
    // mid-tone a lot; PIL ignores the profile, so the pixels must equal the untagged file's.
    byte[] plain = encode(noisyRgb(32, 16, 8), "jpg");
    byte[] profile = java.awt.color.ICC_Profile.getInstance(java.awt.color.ColorSpace.CS_LINEAR_RGB).getData();
    byte[] tagged = JpegTestFiles.withIccProfile(plain, profile);
    assertThat(JpegTestFiles.withoutApp2(tagged)).isEqualTo(plain);
    // Prove the JDK reader on its own would colour-manage this file (else the test proves nothing).
    BufferedImage jdk = ImageIO.read(new java.io.ByteArrayInputStream(tagged));
    BufferedImage jdkPlain = ImageIO.read(new java.io.ByteArrayInputStream(plain));
    assertThat(jdk.getRGB(5, 5)).as("ImageIO.read applies the profile").isNotEqualTo(jdkPlain.getRGB(5, 5));

    assertThat(ImageDecoder.decode(tagged, "tagged.jpg")).isEqualTo(ImageDecoder.decode(plain, "plain.jpg"));
  }

  @Test
  void jpegColourSpaceFollowsLibjpegsRule() {
    assertThat(JpegMarkers.isRgbCoded(JpegTestFiles.header(true, -1, 1, 2, 3))).isFalse();
    assertThat(JpegMarkers.isRgbCoded(JpegTestFiles.header(false, 0, 1, 2, 3))).isTrue();
    assertThat(JpegMarkers.isRgbCoded(JpegTestFiles.header(false, 1, 'R', 'G', 'B'))).isFalse();
    assertThat(JpegMarkers.isRgbCoded(JpegTestFiles.header(false, -1, 'R', 'G', 'B'))).isTrue();
    assertThat(JpegMarkers.isRgbCoded(JpegTestFiles.header(false, -1, 1, 2, 3))).isFalse();
    assertThat(JpegMarkers.isRgbCoded(JpegTestFiles.header(true, 0, 'R', 'G', 'B'))).as("JFIF wins").isFalse();
    assertThat(JpegMarkers.isRgbCoded(new byte[] {1, 2, 3})).isFalse();
  }

  // ------------------------------------------------------------------------------------------
  // Errors
  // ------------------------------------------------------------------------------------------

  @Test
  void zeroByteFileIsAnError() throws IOException {
    Path p = write("empty.png", new byte[0]);
    assertThatThrownBy(() -> ImageDecoder.decode(p))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("empty");
  }

  @Test
  void textFileNamedPngIsUnrecognised() throws IOException {
    Path p = write("notes.png", "this is not an image\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> ImageDecoder.decode(p))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("unsupported or unrecognised image format");
  }

  @Test
  void corruptPngIsAnError() throws IOException {
    byte[] png = encode(noisyRgb(64, 64, 2), "png");
    byte[] bad = png.clone();
    // Keep the signature and IHDR (first 33 bytes), scramble everything after.
    Random rnd = new Random(3);
    for (int i = 33; i < bad.length; i++) {
      bad[i] = (byte) rnd.nextInt(256);
    }
    Path p = write("corrupt.png", bad);
    assertThatThrownBy(() -> ImageDecoder.decode(p))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("corrupt");
  }

  @Test
  void missingFileIsAnError() {
    Path p = tmp.resolve("nope.jpg");
    assertThatThrownBy(() -> ImageDecoder.decode(p))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("not found");
  }

  @Test
  void truncatedPngIsAnError() throws IOException {
    byte[] png = encode(noisyRgb(64, 64, 4), "png");
    Path p = write("truncated.png", Arrays.copyOf(png, png.length / 2));
    assertThatThrownBy(() -> ImageDecoder.decode(p))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("truncated or corrupt");
  }

  @Test
  void truncatedJpegIsAnError() throws IOException {
    byte[] jpg = encode(noisyRgb(64, 64, 5), "jpg");
    // The whole file decodes; half of it must not (ImageIO alone would fill the rest with grey).
    assertThat(ImageDecoder.decode(jpg, "whole.jpg").width()).isEqualTo(64);
    Path p = write("truncated.jpg", Arrays.copyOf(jpg, jpg.length / 2));
    assertThatThrownBy(() -> ImageDecoder.decode(p))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(p.toString())
        .hasMessageContaining("truncated");
  }

  @Test
  void jpegCutInsideTheHeaderIsAnError() throws IOException {
    byte[] jpg = encode(noisyRgb(64, 64, 6), "jpg");
    assertThatThrownBy(() -> ImageDecoder.decode(Arrays.copyOf(jpg, 40), "header-only.jpg"))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("header-only.jpg");
  }

  @Test
  void truncationWarningsAreRecognised() {
    assertThat(ImageDecoder.isTruncationWarning("Truncated File - Missing EOI marker")).isTrue();
    assertThat(ImageDecoder.isTruncationWarning("Premature end of JPEG file")).isTrue();
    assertThat(ImageDecoder.isTruncationWarning("Corrupt JPEG data: 2 extraneous bytes before marker 0xd9"))
        .isFalse();
  }
}
