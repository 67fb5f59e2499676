package dev.cliptune.clip.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image files into 8-bit {@link RgbImage}s the way {@code PIL.Image.open(f).convert("RGB")}
 * does, using ImageIO (plus the TwelveMonkeys JPEG plugin for CMYK/YCCK JPEGs).
 *
 * <p><b>Pixels are taken from the raster, not from {@code BufferedImage.getRGB}</b>, because
 * {@code getRGB} colour-manages: it converts grey images through a linear-gamma space and images
 * with an embedded ICC profile to sRGB, whereas PIL returns the stored sample values unchanged. The
 * conversion to RGB follows PIL's {@code convert("RGB")}:
 *
 * <ul>
 *   <li>RGB: stored values as they are (any ICC profile or PNG gamma is ignored, as PIL does).
 *   <li>Grey ({@code L}): the value is replicated to R, G and B.
 *   <li>Palette ({@code P}, also 1/2/4-bit grey, which ImageIO represents with a palette): the
 *       palette entry's RGB.
 *   <li>With alpha ({@code RGBA}, {@code LA}, palette transparency): the alpha is dropped, not
 *       composited over any background.
 *   <li>Fewer than 8 bits per sample (e.g. RGB565 BMP): {@code v * 255 / (2^bits - 1)}, truncated,
 *       like PIL's unpackers.
 *   <li>16-bit RGB/RGBA and 16-bit grey with alpha: the most significant byte, as PIL's PNG decoder
 *       keeps ({@code RGB;16B}, {@code LA;16B} unpack to 8 bits).
 *   <li>16-bit grey without alpha: PIL opens it as mode {@code I;16}, and its {@code convert("RGB")}
 *       <em>saturates</em>: values above 255 become 255 (so most real 16-bit scans come out nearly
 *       white). That is reproduced deliberately, for parity with the Python pipelines; rescale such
 *       images to 8 bits beforehand if that is not wanted.
 *   <li>CMYK rasters (e.g. TIFF): PIL's naive formula {@code R = (255-K) - C*(255-K)/255}.
 *       CMYK/YCCK JPEGs go to the TwelveMonkeys plugin: without an embedded profile its result
 *       matched PIL's in a probe; with one it applies the profile, which PIL does not.
 *   <li>Anything else (unusual colour models): {@code getRGB}, i.e. colour-managed sRGB.
 * </ul>
 *
 * <p>JPEGs are decoded preferably by the JDK's own reader (IJG libjpeg 6b: islow IDCT, fancy
 * upsampling, as PIL's libjpeg-turbo in its defaults). For 3-component JPEGs the raw decoded
 * components are taken and YCbCr is converted to RGB here with libjpeg's integer tables, so that no
 * ICC colour management happens (the JDK reader would apply an embedded profile). Other readers
 * (TwelveMonkeys) are tried only when the JDK's cannot decode the file (CMYK/YCCK). Checked against
 * Pillow 12.3 / libjpeg-turbo: baseline 4:2:0, 4:2:2, 4:4:4, progressive, greyscale, RGB-coded,
 * CMYK and ICC-tagged JPEGs decode to identical bytes.
 *
 * <p>Only the first image of multi-image files (GIF, TIFF) is read; for a GIF whose first frame is
 * smaller than the logical screen ImageIO returns just the frame, whereas PIL returns the screen.
 * EXIF orientation is not applied (PIL's {@code open} does not apply it either).
 *
 * <p>Errors are {@link ImageDecodeException}s naming the file: empty file, unrecognised format,
 * truncated or corrupt data, or an image larger than PIL's decompression-bomb limit
 * ({@value #MAX_PIXELS} pixels). ImageIO's readers decode a truncated JPEG partially and only
 * report a warning; such truncation warnings are turned into errors (PIL raises "image file is
 * truncated" too). Other reader warnings (e.g. libjpeg's "Corrupt JPEG data: N extraneous bytes")
 * are tolerated because PIL decodes those files without complaint.
 */
public final class ImageDecoder {

  /** PIL's {@code DecompressionBombError} threshold: twice {@code Image.MAX_IMAGE_PIXELS}. */
  public static final long MAX_PIXELS = 2L * 89_478_485L;

  private ImageDecoder() {}

  /**
   * Reads and decodes an image file.
   *
   * @throws ImageDecodeException if the file cannot be read or decoded; the message names the file
   */
  public static RgbImage decode(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ImageDecodeException(file + ": image file not found");
    } catch (IOException e) {
      throw new ImageDecodeException(file + ": cannot read image file: " + e.getMessage(), e);
    }
    return decode(bytes, file.toString());
  }

  /**
   * Decodes an encoded image held in memory.
   *
   * @param bytes the encoded file contents (PNG, JPEG, BMP, GIF, TIFF, ... whatever ImageIO reads)
   * @param nameForErrors the name used in error messages, typically the file path
   * @throws ImageDecodeException if the bytes cannot be decoded; the message names the file
   */
  public static RgbImage decode(byte[] bytes, String nameForErrors) {
    return decode(bytes, nameForErrors, MAX_PIXELS);
  }

  /**
   * Decodes an encoded image held in memory, refusing one whose header declares more than {@code maxPixels}
   * pixels: the dimensions are read from the header and checked before any pixel is decoded (decompression
   * bombs).
   *
   * @throws ImageDecodeException if the bytes cannot be decoded or the image is too large; the message names
   *     the file
   */
  public static RgbImage decode(byte[] bytes, String nameForErrors, long maxPixels) {
    String name = nameForErrors == null ? "<image>" : nameForErrors;
    if (bytes.length == 0) {
      throw new ImageDecodeException(name + ": empty file (0 bytes), not an image");
    }
    List<ImageReader> readers = readersFor(bytes, name);
    if (readers.isEmpty()) {
      throw new ImageDecodeException(name + ": unsupported or unrecognised image format (" + bytes.length
          + " bytes starting with " + describeStart(bytes) + ")");
    }
    ImageDecodeException first = null;
    for (ImageReader reader : readers) {
      try {
        BufferedImage img = read(reader, bytes, name, maxPixels);
        return toRgb(img);
      } catch (TruncatedException e) {
        // Another reader would at best decode the same partial data silently: stop here.
        throw new ImageDecodeException(name + ": truncated or corrupt image data (" + formatName(reader)
            + " reader: " + e.getMessage() + ")", e);
      } catch (ImageDecodeException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        if (first == null) {
          first = new ImageDecodeException(name + ": truncated or corrupt " + formatName(reader)
              + " image (" + describe(e) + ")", e);
        }
      } finally {
        reader.dispose();
      }
    }
    throw first;
  }

  /** The readers that recognise the data, the JDK's own readers first. */
  private static List<ImageReader> readersFor(byte[] bytes, String name) {
    List<ImageReader> jdk = new ArrayList<>();
    List<ImageReader> others = new ArrayList<>();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> it = ImageIO.getImageReaders(in);
      while (it.hasNext()) {
        ImageReader r = it.next();
        (r.getClass().getName().startsWith("com.sun.imageio.") ? jdk : others).add(r);
      }
    } catch (IOException e) {
      throw new ImageDecodeException(name + ": cannot probe image format: " + e.getMessage(), e);
    }
    jdk.addAll(others);
    return jdk;
  }

  private static BufferedImage read(ImageReader reader, byte[] bytes, String name, long maxPixels)
      throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, false, true);
      preferEnglish(reader);
      List<String> truncation = new ArrayList<>();
      IIOReadWarningListener listener = (source, warning) -> {
        if (isTruncationWarning(warning)) {
          truncation.add(warning);
        }
      };
      reader.addIIOReadWarningListener(listener);
      long w = reader.getWidth(0);
      long h = reader.getHeight(0);
      if (w <= 0 || h <= 0) {
        throw new IOException("image has no pixels (" + w + "x" + h + ")");
      }
      if (w * h > maxPixels) {
        throw new ImageDecodeException(name + ": image too large: its header declares " + w + "x" + h + " = "
            + (w * h) + " pixels, more than the limit of " + maxPixels + (maxPixels == MAX_PIXELS ? " (PIL's)" : "")
            + "; not decoded");
      }
      BufferedImage img = readWithoutColourManagement(reader, bytes);
      if (!truncation.isEmpty()) {
        throw new TruncatedException(String.join("; ", truncation));
      }
      if (img == null) {
        throw new IOException("reader returned no image");
      }
      return img;
    }
  }

  private static final String JDK_JPEG_READER = "com.sun.imageio.plugins.jpeg.JPEGImageReader";

  /**
   * Reads image 0 so that the raster holds the decoder's own output, as PIL returns it.
   *
   * <p>The JDK's JPEG reader colour-manages JPEGs that embed an ICC profile (a Java
   * {@code ColorConvertOp} from the profile to sRGB, or between two copies of the profile), whereas
   * PIL never applies the profile. So for 3-component JPEGs the raw decoded components are read
   * ({@code readRaster}: IDCT and upsampling by libjpeg, no colour conversion at all) and converted
   * from YCbCr to RGB here with libjpeg's own integer tables ({@link JpegMarkers#yccToRgb}); whether
   * the components are YCbCr or RGB is decided by libjpeg's rule ({@link JpegMarkers#isRgbCoded}).
   * Greyscale JPEGs and other readers are used as they are.
   */
  private static BufferedImage readWithoutColourManagement(ImageReader reader, byte[] bytes) throws IOException {
    if (!JDK_JPEG_READER.equals(reader.getClass().getName()) || JpegMarkers.componentCount(bytes) != 3) {
      return reader.read(0);
    }
    Raster raw = reader.readRaster(0, null);
    if (raw.getNumBands() != 3 || raw.getTransferType() != DataBuffer.TYPE_BYTE) {
      return reader.read(0);
    }
    int w = raw.getWidth();
    int h = raw.getHeight();
    byte[] px = (byte[]) raw.getDataElements(raw.getMinX(), raw.getMinY(), w, h, null);
    if (!JpegMarkers.isRgbCoded(bytes)) {
      JpegMarkers.yccToRgb(px);
    }
    WritableRaster wr = Raster.createInterleavedRaster(new DataBufferByte(px, px.length), w, h, w * 3, 3,
        new int[] {0, 1, 2}, null);
    ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
        Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
    return new BufferedImage(cm, wr, false, null);
  }

  /** Warning texts are matched in English: ask for English messages when the reader offers them. */
  private static void preferEnglish(ImageReader reader) {
    Locale[] available = reader.getAvailableLocales();
    if (available != null) {
      for (Locale l : available) {
        if (l != null && "en".equals(l.getLanguage())) {
          reader.setLocale(l);
          return;
        }
      }
    }
  }

  /** Reader warnings that mean the data ended early (JDK JPEG: missing EOI; libjpeg: premature end). */
  static boolean isTruncationWarning(String warning) {
    String w = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
    return w.contains("truncated") || w.contains("premature end of jpeg file") || w.contains("missing eoi")
        || w.contains("unexpected end") || w.contains("end of file");
  }

  /** A truncation reported as a reader warning. */
  private static final class TruncatedException extends IOException {
    private static final long serialVersionUID = 1L;

    TruncatedException(String message) {
      super(message);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Conversion to RGB (PIL convert("RGB") semantics)
  // ---------------------------------------------------------------------------------------------

  /**
   * Converts a decoded image to 8-bit RGB from its raw raster samples, following PIL's
   * {@code convert("RGB")} (see the class documentation for the rules).
   */
  public static RgbImage toRgb(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
    ColorModel cm = img.getColorModel();
    Raster raster = img.getRaster();
    int bands = raster.getNumBands();

    if (cm instanceof IndexColorModel icm) {
      int[] idx = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, idx);
        int o = y * w * 3;
        for (int x = 0; x < w; x++, o += 3) {
          int i = idx[x];
          out[o] = (byte) icm.getRed(i);
          out[o + 1] = (byte) icm.getGreen(i);
          out[o + 2] = (byte) icm.getBlue(i);
        }
      }
      return new RgbImage(w, h, out);
    }

    int csType = cm.getColorSpace().getType();
    int colourBands = cm.getNumColorComponents();
    boolean alpha = cm.hasAlpha();
    if (bands != cm.getNumComponents()) {
      return viaGetRgb(img, out);
    }
    int[] bits = cm.getComponentSize();
    int[] px = new int[w * bands];

    if (csType == ColorSpace.TYPE_GRAY && colourBands == 1) {
      SampleMapper map = sampleMapper(bits[0], alpha ? Wide.MSB : Wide.SATURATE);
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, px);
        int o = y * w * 3;
        for (int x = 0; x < w; x++, o += 3) {
          byte v = (byte) map.apply(px[x * bands]);
          out[o] = v;
          out[o + 1] = v;
          out[o + 2] = v;
        }
      }
      return new RgbImage(w, h, out);
    }

    if (csType == ColorSpace.TYPE_RGB && colourBands == 3) {
      SampleMapper r = sampleMapper(bits[0], Wide.MSB);
      SampleMapper g = sampleMapper(bits[1], Wide.MSB);
      SampleMapper b = sampleMapper(bits[2], Wide.MSB);
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, px);
        int o = y * w * 3;
        for (int x = 0, p = 0; x < w; x++, o += 3, p += bands) {
          out[o] = (byte) r.apply(px[p]);
          out[o + 1] = (byte) g.apply(px[p + 1]);
          out[o + 2] = (byte) b.apply(px[p + 2]);
        }
      }
      return new RgbImage(w, h, out);
    }

    if (csType == ColorSpace.TYPE_CMYK && colourBands == 4 && allEight(bits, 4)) {
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, px);
        int o = y * w * 3;
        for (int x = 0, p = 0; x < w; x++, o += 3, p += bands) {
          int nk = 255 - px[p + 3];
          out[o] = (byte) clip8(nk - mulDiv255(px[p], nk));
          out[o + 1] = (byte) clip8(nk - mulDiv255(px[p + 1], nk));
          out[o + 2] = (byte) clip8(nk - mulDiv255(px[p + 2], nk));
        }
      }
      return new RgbImage(w, h, out);
    }

    return viaGetRgb(img, out);
  }

  /** Fallback for colour models without a PIL counterpart: colour-managed sRGB via getRGB. */
  private static RgbImage viaGetRgb(BufferedImage img, byte[] out) {
    int w = img.getWidth();
    int h = img.getHeight();
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      img.getRGB(0, y, w, 1, row, 0, w);
      int o = y * w * 3;
      for (int x = 0; x < w; x++, o += 3) {
        int argb = row[x];
        out[o] = (byte) (argb >> 16);
        out[o + 1] = (byte) (argb >> 8);
        out[o + 2] = (byte) argb;
      }
    }
    return new RgbImage(w, h, out);
  }

  /** How a sample wider than 8 bits is brought to 8 bits. */
  private enum Wide {
    /** Keep the most significant byte (PIL's PNG unpackers for RGB;16B, RGBA;16B, LA;16B). */
    MSB,
    /** Values above 255 become 255 (PIL's I;16 to L/RGB conversion). */
    SATURATE
  }

  @FunctionalInterface
  private interface SampleMapper {
    int apply(int sample);
  }

  private static SampleMapper sampleMapper(int bits, Wide wide) {
    if (bits == 8) {
      return v -> v;
    }
    if (bits < 8) {
      int max = (1 << bits) - 1;
      return v -> v * 255 / max;
    }
    if (wide == Wide.SATURATE) {
      return v -> Math.min(v, 255);
    }
    int shift = bits - 8;
    return v -> v >>> shift;
  }

  private static boolean allEight(int[] bits, int n) {
    for (int i = 0; i < n; i++) {
      if (bits[i] != 8) {
        return false;
      }
    }
    return true;
  }

  /** PIL's {@code MULDIV255}: {@code a * b / 255} rounded, with integer arithmetic. */
  private static int mulDiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  }

  private static int clip8(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  // ---------------------------------------------------------------------------------------------
  // Messages
  // ---------------------------------------------------------------------------------------------

  private static String formatName(ImageReader reader) {
    try {
      String f = reader.getFormatName();
      return f == null ? "image" : f.toUpperCase(Locale.ROOT);
    } catch (IOException e) {
      return "image";
    }
  }

  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (sb.length() > 0) {
        sb.append(": ");
      }
      String m = t.getMessage();
      sb.append(m == null || m.isBlank() ? t.getClass().getSimpleName() : m);
      if (t.getCause() == t) {
        break;
      }
    }
    return sb.toString();
  }

  /** The first bytes of the data, shown as text when printable, else as hex. */
  private static String describeStart(byte[] bytes) {
    int n = Math.min(bytes.length, 8);
    boolean printable = true;
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xff;
      if (b < 0x20 || b > 0x7e) {
        printable = false;
        break;
      }
    }
    StringBuilder sb = new StringBuilder();
    if (printable) {
      sb.append('"').append(new String(bytes, 0, n, java.nio.charset.StandardCharsets.US_ASCII)).append('"');
    } else {
      for (int i = 0; i < n; i++) {
        sb.append(String.format("%02x", bytes[i] & 0xff));
      }
    }
    return sb.toString();
  }
}
