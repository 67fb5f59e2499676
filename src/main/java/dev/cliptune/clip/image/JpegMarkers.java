package dev.cliptune.clip.image;

/**
 * Just enough JPEG knowledge to decode without colour management: the number of components in the
 * frame header, and libjpeg's YCbCr-to-RGB conversion.
 *
 * <p>How libjpeg interprets a 3-component image, as YCbCr (to be converted to RGB) or as RGB stored
 * directly, follows its rule ({@code default_decompress_parms}), which PIL's libjpeg-turbo applies:
 *
 * <ol>
 *   <li>a JFIF APP0 segment means YCbCr;
 *   <li>otherwise an Adobe APP14 segment decides: transform 0 means RGB, anything else YCbCr;
 *   <li>otherwise the component ids decide: {@code 'R','G','B'} means RGB, anything else YCbCr.
 * </ol>
 */
final class JpegMarkers {
  private JpegMarkers() {}

  /** The number of components of the first frame header, or -1 when none is found. */
  static int componentCount(byte[] b) {
    Header h = scan(b);
    return h == null || h.componentIds == null ? -1 : h.componentIds.length;
  }

  /** True when the data is a 3-component JPEG whose components are R, G, B (no YCbCr transform). */
  static boolean isRgbCoded(byte[] b) {
    Header h = scan(b);
    if (h == null || h.componentIds == null || h.componentIds.length != 3) {
      return false;
    }
    if (h.jfif) {
      return false;
    }
    if (h.adobeTransform >= 0) {
      return h.adobeTransform == 0;
    }
    int[] id = h.componentIds;
    return id[0] == 'R' && id[1] == 'G' && id[2] == 'B';
  }

  /** What the marker segments before the first scan say. */
  private record Header(boolean jfif, int adobeTransform, int[] componentIds) {}

  /** Scans the segments up to the first SOS; null when the data is not a well-formed JPEG header. */
  private static Header scan(byte[] b) {
    if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
      return null;
    }
    boolean jfif = false;
    int adobeTransform = -1;
    int[] componentIds = null;
    int i = 2;
    while (i + 3 < b.length) {
      if ((b[i] & 0xff) != 0xFF) {
        return null; // not at a marker: malformed header, let the decoder complain
      }
      int marker = b[i + 1] & 0xff;
      if (marker == 0xFF) {
        i++; // fill byte
        continue;
      }
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        i += 2; // stand-alone markers
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        break; // start of scan / end of image: the header is over
      }
      int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
      int p = i + 4; // payload start
      int end = i + 2 + len;
      if (len < 2 || end > b.length) {
        return null;
      }
      if (marker == 0xE0 && startsWith(b, p, end, "JFIF\0")) {
        jfif = true;
      } else if (marker == 0xEE && startsWith(b, p, end, "Adobe") && end - p >= 12) {
        adobeTransform = b[p + 11] & 0xff;
      } else if (isStartOfFrame(marker) && end - p >= 6) {
        int n = b[p + 5] & 0xff;
        if (end - p >= 6 + 3 * n) {
          componentIds = new int[n];
          for (int c = 0; c < n; c++) {
            componentIds[c] = b[p + 6 + 3 * c] & 0xff;
          }
        }
      }
      i = end;
    }
    return new Header(jfif, adobeTransform, componentIds);
  }

  // libjpeg's jdcolor.c: 16-bit fixed point, tables indexed by the chroma sample.
  private static final int SCALEBITS = 16;
  private static final int ONE_HALF = 1 << (SCALEBITS - 1);
  private static final int[] CR_R = new int[256];
  private static final int[] CB_B = new int[256];
  private static final int[] CR_G = new int[256];
  private static final int[] CB_G = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int x = i - 128;
      CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
      CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
      CR_G[i] = -fix(0.71414) * x;
      CB_G[i] = -fix(0.34414) * x + ONE_HALF;
    }
  }

  private static int fix(double v) {
    return (int) (v * (1L << SCALEBITS) + 0.5);
  }

  /**
   * Converts interleaved Y, Cb, Cr bytes to R, G, B in place, exactly as libjpeg's
   * {@code ycc_rgb_convert} does (integer tables, arithmetic shifts, clamping to 0..255).
   */
  static void yccToRgb(byte[] px) {
    for (int i = 0; i + 2 < px.length; i += 3) {
      int y = px[i] & 0xff;
      int cb = px[i + 1] & 0xff;
      int cr = px[i + 2] & 0xff;
      px[i] = clamp(y + CR_R[cr]);
      px[i + 1] = clamp(y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
      px[i + 2] = clamp(y + CB_B[cb]);
    }
  }

  private static byte clamp(int v) {
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }

  private static boolean isStartOfFrame(int m) {
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
  }

  private static boolean startsWith(byte[] b, int from, int end, String ascii) {
    if (end - from < ascii.length()) {
      return false;
    }
    for (int k = 0; k < ascii.length(); k++) {
      if (b[from + k] != (byte) ascii.charAt(k)) {
        return false;
      }
    }
    return true;
  }
}
