package dev.cliptune.clip.image;

import java.io.ByteArrayOutputStream;

/** Builds and edits JPEG marker segments for the decoder tests. */
final class JpegTestFiles {
  private JpegTestFiles() {}

  /** The file without its APP2 (ICC profile) segments; everything from SOS on is kept. */
  static byte[] withoutApp2(byte[] jpg) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpg, 0, 2);
    int i = 2;
    while (i < jpg.length) {
      int marker = jpg[i + 1] & 0xff;
      if (marker == 0xDA) {
        out.write(jpg, i, jpg.length - i);
        break;
      }
      int len = ((jpg[i + 2] & 0xff) << 8) | (jpg[i + 3] & 0xff);
      if (marker != 0xE2) {
        out.write(jpg, i, 2 + len);
      }
      i += 2 + len;
    }
    return out.toByteArray();
  }

  /** Inserts an APP2 {@code ICC_PROFILE} segment (one chunk) right after SOI and any APP0. */
  static byte[] withIccProfile(byte[] jpg, byte[] profile) {
    int at = 2;
    if ((jpg[3] & 0xff) == 0xE0) {
      at += 2 + (((jpg[4] & 0xff) << 8) | (jpg[5] & 0xff));
    }
    byte[] tag = "ICC_PROFILE\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    payload.write(tag, 0, tag.length);
    payload.write(1); // chunk number
    payload.write(1); // number of chunks
    payload.write(profile, 0, profile.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpg, 0, at);
    segment(out, 0xE2, payload.toByteArray());
    out.write(jpg, at, jpg.length - at);
    return out.toByteArray();
  }

  /**
   * A JPEG header (SOI, optional JFIF APP0, optional Adobe APP14 with the given transform, a
   * 3-component SOF0 with the given ids, SOS) — enough for the colour-space rule, not decodable.
   */
  static byte[] header(boolean jfif, int adobeTransform, int id0, int id1, int id2) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0xFF);
    out.write(0xD8);
    if (jfif) {
      segment(out, 0xE0, new byte[] {'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0});
    }
    if (adobeTransform >= 0) {
      segment(out, 0xEE, new byte[] {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) adobeTransform});
    }
    segment(out, 0xC0, new byte[] {8, 0, 16, 0, 16, 3, (byte) id0, 0x11, 0, (byte) id1, 0x11, 0, (byte) id2, 0x11, 0});
    segment(out, 0xDA, new byte[] {0});
    return out.toByteArray();
  }

  private static void segment(ByteArrayOutputStream out, int marker, byte[] payload) {
    out.write(0xFF);
    out.write(marker);
    int len = payload.length + 2;
    out.write(len >> 8);
    out.write(len & 0xff);
    out.write(payload, 0, payload.length);
  }
}
