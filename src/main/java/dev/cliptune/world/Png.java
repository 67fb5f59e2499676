package dev.cliptune.world;

import dev.cliptune.clip.image.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** PNG encoding of {@link RgbImage}s with ImageIO (8-bit RGB, deterministic bytes, no disk cache). */
public final class Png {
  private Png() {}

  /** The PNG file bytes of {@code image}. */
  public static byte[] encode(RgbImage image) {
    BufferedImage img = new BufferedImage(image.width(), image.height(),
        BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    byte[] rgb = image.rgb();
    for (int i = 0; i < rgb.length; i += 3) {
      bgr[i] = rgb[i + 2];
      bgr[i + 1] = rgb[i + 1];
      bgr[i + 2] = rgb[i];
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.width() * image.height() * 3);
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(img);
    } catch (IOException e) {
      throw new UncheckedIOException("PNG encoding failed", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
