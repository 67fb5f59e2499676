package dev.cliptune.clip.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.io.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * CLIP's evaluation transform, reproducing PIL + torchvision bit for bit:
 *
 * <pre>
 *   decode, convert("RGB")                         {@link ImageDecoder}
 *   Resize(R, interpolation=BICUBIC)               {@link #resizeShorterSide}: shorter side to R
 *   CenterCrop(R)                                  {@link #centerCrop}
 *   ToTensor()                                     {@link #toNormalizedChw}: uint8 / 255 in float32
 *   Normalize(mean, std)                           ... then (x - mean) / std in float32
 * </pre>
 *
 * <p>The order is the one of Dassl's loaders (CoOp and friends): {@code Image.open(f).convert("RGB")}
 * first, then the transform. OpenAI's {@code clip.load} transform converts to RGB <em>after</em>
 * resize and crop; for RGB and greyscale images the two orders give identical pixels, but for
 * palette images (PIL resizes those with nearest-neighbour) and for images with a non-opaque alpha
 * channel (PIL resizes those premultiplied) they differ. This class implements convert-first.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ClipPreprocessor {

  /** OpenAI CLIP's per-channel mean (RGB). */
  public static final float[] OPENAI_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};

  /** OpenAI CLIP's per-channel standard deviation (RGB). */
  public static final float[] OPENAI_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  private final int resolution;
  private final float[] mean;
  private final float[] std;

  /**
   * @param resolution the model's input size R (the image becomes R x R)
   * @param mean per-channel mean, 3 values (used as float32, like torch)
   * @param std per-channel standard deviation, 3 positive values
   */
  public ClipPreprocessor(int resolution, float[] mean, float[] std) {
    if (resolution <= 0) {
      throw new IllegalArgumentException("resolution must be positive, got " + resolution);
    }
    if (mean == null || mean.length != 3) {
      throw new IllegalArgumentException("mean must have 3 values (R, G, B), got " + Arrays.toString(mean));
    }
    if (std == null || std.length != 3) {
      throw new IllegalArgumentException("std must have 3 values (R, G, B), got " + Arrays.toString(std));
    }
    for (int c = 0; c < 3; c++) {
      if (!Float.isFinite(mean[c])) {
        throw new IllegalArgumentException("mean must be finite, got " + Arrays.toString(mean));
      }
      if (!(std[c] > 0) || !Float.isFinite(std[c])) {
        throw new IllegalArgumentException("std must be positive and finite, got " + Arrays.toString(std));
      }
    }
    this.resolution = resolution;
    this.mean = mean.clone();
    this.std = std.clone();
  }

  /** The OpenAI CLIP transform at resolution {@code resolution} (224 for ViT-B/32, B/16, L/14). */
  public static ClipPreprocessor openAi(int resolution) {
    return new ClipPreprocessor(resolution, OPENAI_MEAN, OPENAI_STD);
  }

  /**
   * Builds the transform from a HuggingFace {@code preprocessor_config.json}
   * ({@code CLIPImageProcessor}/{@code CLIPFeatureExtractor}). Read fields:
   *
   * <ul>
   *   <li>{@code crop_size}: an int or {@code {"height": R, "width": R}} (must be square) — the
   *       resolution;
   *   <li>{@code size}: an int or {@code {"shortest_edge": S}} — must equal the crop size when both
   *       are given (this transform resizes the shorter side to the crop size);
   *   <li>{@code image_mean}, {@code image_std}: 3 numbers each (default: OpenAI's);
   *   <li>{@code resample}: must be 3 (PIL bicubic) when present;
   *   <li>{@code do_resize}, {@code do_center_crop}, {@code do_normalize}, {@code do_rescale}: must
   *       not be false; {@code rescale_factor} must be 1/255 when present.
   * </ul>
   *
   * <p>The resolution falls back to {@code size} and then to {@code defaultResolution} when the file
   * gives neither. Note that HuggingFace's own processor resizes slightly differently (its own size
   * rule and rounding); this applies the OpenAI/torchvision pipeline with the file's parameters.
   *
   * @throws IllegalArgumentException naming the file and the field when a field is missing,
   *     malformed, or asks for something this transform does not do
   */
  public static ClipPreprocessor fromPreprocessorConfig(Path preprocessorConfigJson, int defaultResolution) {
    String where = preprocessorConfigJson.toString();
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(preprocessorConfigJson));
    } catch (NoSuchFileException e) {
      throw new UserException(where + ": file not found");
    } catch (IOException e) {
      throw new UserException(where + ": not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new UserException(where + ": expected a JSON object");
    }

    Integer crop = edge(root, "crop_size", where);
    Integer size = edge(root, "size", where);
    if (crop != null && size != null && !crop.equals(size)) {
      throw new UserException(where + ": size (" + size + ") differs from crop_size (" + crop
          + "); only resize-shorter-side-to-crop-size is supported");
    }
    int resolution = crop != null ? crop : size != null ? size : defaultResolution;
    if (resolution <= 0) {
      throw new UserException(where + ": resolution must be positive, got " + resolution);
    }

    JsonNode resample = root.get("resample");
    if (resample != null && !resample.isNull()) {
      if (!resample.isInt()) {
        throw new UserException(where + ": resample must be an integer PIL filter code, got " + resample);
      }
      if (resample.intValue() != 3) {
        throw new UserException(where + ": resample " + resample.intValue()
            + " is not supported; only 3 (PIL BICUBIC) is, as CLIP uses");
      }
    }
    for (String flag : new String[] {"do_resize", "do_center_crop", "do_normalize", "do_rescale"}) {
      JsonNode f = root.get(flag);
      if (f != null && !f.isNull()) {
        if (!f.isBoolean()) {
          throw new UserException(where + ": " + flag + " must be true or false, got " + f);
        }
        if (!f.booleanValue()) {
          throw new UserException(where + ": " + flag + "=false is not supported by the CLIP transform");
        }
      }
    }
    JsonNode rescale = root.get("rescale_factor");
    if (rescale != null && !rescale.isNull()) {
      if (!rescale.isNumber() || Math.abs(rescale.doubleValue() - 1.0 / 255) > 1e-9) {
        throw new UserException(where + ": rescale_factor must be 1/255 (0.00392156862745098), got "
            + rescale);
      }
    }
    float[] mean = triple(root, "image_mean", OPENAI_MEAN, where);
    float[] std = triple(root, "image_std", OPENAI_STD, where);
    for (float s : std) {
      if (!(s > 0) || !Float.isFinite(s)) {
        throw new UserException(where + ": image_std values must be positive, got " + Arrays.toString(std));
      }
    }
    return new ClipPreprocessor(resolution, mean, std);
  }

  /** Reads an int edge length or an object with {@code shortest_edge} or equal height/width. */
  private static Integer edge(JsonNode root, String field, String where) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isInt()) {
      return positive(n.intValue(), field, where);
    }
    if (n.isObject()) {
      JsonNode se = n.get("shortest_edge");
      if (se != null) {
        if (!se.isInt()) {
          throw new UserException(where + ": " + field + ".shortest_edge must be an integer, got " + se);
        }
        return positive(se.intValue(), field + ".shortest_edge", where);
      }
      JsonNode hgt = n.get("height");
      JsonNode wid = n.get("width");
      if (hgt != null && wid != null) {
        if (!hgt.isInt() || !wid.isInt()) {
          throw new UserException(where + ": " + field + ".height/width must be integers, got " + n);
        }
        if (hgt.intValue() != wid.intValue()) {
          throw new UserException(where + ": " + field + " must be square, got height " + hgt.intValue()
              + " and width " + wid.intValue());
        }
        return positive(hgt.intValue(), field, where);
      }
    }
    throw new UserException(where + ": " + field
        + " must be an integer, {\"shortest_edge\": N} or {\"height\": N, \"width\": N}, got " + n);
  }

  private static int positive(int v, String field, String where) {
    if (v <= 0) {
      throw new UserException(where + ": " + field + " must be positive, got " + v);
    }
    return v;
  }

  private static float[] triple(JsonNode root, String field, float[] dflt, String where) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return dflt.clone();
    }
    if (!n.isArray() || n.size() != 3) {
      throw new UserException(where + ": " + field + " must be a list of 3 numbers, got " + n);
    }
    float[] out = new float[3];
    for (int i = 0; i < 3; i++) {
      if (!n.get(i).isNumber()) {
        throw new UserException(where + ": " + field + "[" + i + "] must be a number, got " + n.get(i));
      }
      out[i] = (float) n.get(i).doubleValue();
      if (!Float.isFinite(out[i])) {
        throw new UserException(where + ": " + field + "[" + i + "] is not finite: " + n.get(i));
      }
    }
    return out;
  }

  /** The output resolution R. */
  public int resolution() {
    return resolution;
  }

  /** A copy of the per-channel mean. */
  public float[] mean() {
    return mean.clone();
  }

  /** A copy of the per-channel standard deviation. */
  public float[] std() {
    return std.clone();
  }

  // ---------------------------------------------------------------------------------------------
  // The whole transform
  // ---------------------------------------------------------------------------------------------

  /** Decodes {@code file} ({@link ImageDecoder#decode(Path)}) and applies {@link #apply(RgbImage)}. */
  public float[] apply(Path file) {
    return apply(ImageDecoder.decode(file));
  }

  /**
   * Resize (shorter side to R, PIL bicubic), centre crop R x R, scale to [0, 1] and normalise.
   *
   * @return the {@code [3, R, R]} tensor in channel-first order, {@code 3 * R * R} floats
   */
  public float[] apply(RgbImage img) {
    return toNormalizedChw(centerCrop(resizeShorterSide(img)));
  }

  // ---------------------------------------------------------------------------------------------
  // The steps
  // ---------------------------------------------------------------------------------------------

  /**
   * torchvision's {@code Resize(r)} output size for a {@code w x h} image: the shorter side becomes
   * {@code r}, the longer {@code int(r * long / short)} (truncated; computed in double like Python).
   * A square image becomes {@code r x r}.
   *
   * @return {@code {newWidth, newHeight}}
   */
  public static int[] resizedSize(int w, int h, int r) {
    if (w <= 0 || h <= 0 || r <= 0) {
      throw new IllegalArgumentException("sizes must be positive, got " + w + "x" + h + " -> " + r);
    }
    int shortSide = Math.min(w, h);
    int longSide = Math.max(w, h);
    long scaledLong = (long) ((double) ((long) r * longSide) / shortSide);
    int newLong = Math.toIntExact(scaledLong);
    return w <= h ? new int[] {r, newLong} : new int[] {newLong, r};
  }

  /**
   * torchvision's {@code CenterCrop(r)} offsets for a {@code w x h} image:
   * {@code left = int(round((w - r) / 2))}, {@code top = int(round((h - r) / 2))} with Python's
   * round-half-to-even (so 16.5 becomes 16 and 17.5 becomes 18).
   *
   * <p>When a side is shorter than {@code r}, torchvision first zero-pads it by
   * {@code (r - side) // 2} before and the rest after; the offset is then that padding negated, and
   * {@link #centerCrop} fills pixels outside the image with black.
   *
   * @return {@code {left, top}}
   */
  public static int[] cropOffsets(int w, int h, int r) {
    if (w <= 0 || h <= 0 || r <= 0) {
      throw new IllegalArgumentException("sizes must be positive, got " + w + "x" + h + " -> " + r);
    }
    return new int[] {cropOffset(w, r), cropOffset(h, r)};
  }

  private static int cropOffset(int side, int r) {
    if (side < r) {
      return -((r - side) / 2);
    }
    // (side - r) / 2.0 is an exact half-integer or integer; Math.rint rounds half to even.
    return (int) Math.rint((side - r) / 2.0);
  }

  /** Resizes so the shorter side is R ({@link #resizedSize}), with PIL's bicubic filter. */
  public RgbImage resizeShorterSide(RgbImage img) {
    int[] size = resizedSize(img.width(), img.height(), resolution);
    return PilResize.bicubic(img, size[0], size[1]);
  }

  /**
   * Crops the central R x R region at {@link #cropOffsets}; pixels outside the image (only when it
   * is smaller than R) are black, as torchvision's padding makes them.
   */
  public RgbImage centerCrop(RgbImage img) {
    int r = resolution;
    int[] off = cropOffsets(img.width(), img.height(), r);
    if (off[0] == 0 && off[1] == 0 && img.width() == r && img.height() == r) {
      return img;
    }
    byte[] out = new byte[r * r * 3];
    byte[] in = img.rgb();
    int w = img.width();
    for (int y = 0; y < r; y++) {
      int sy = y + off[1];
      if (sy < 0 || sy >= img.height()) {
        continue;
      }
      int x0 = Math.max(0, -off[0]);
      int x1 = Math.min(r, w - off[0]);
      if (x1 > x0) {
        System.arraycopy(in, (sy * w + x0 + off[0]) * 3, out, (y * r + x0) * 3, (x1 - x0) * 3);
      }
    }
    return new RgbImage(r, r, out);
  }

  /**
   * {@code ToTensor} then {@code Normalize}: channel-first floats {@code ((v / 255) - mean[c]) / std[c]},
   * each operation rounded to float32 as torch does ({@code img.float().div(255)}, then
   * {@code sub_(mean).div_(std)} with float32 mean/std). Works for any image size: the result has
   * {@code 3 * height * width} values.
   */
  public float[] toNormalizedChw(RgbImage img) {
    int plane = img.width() * img.height();
    float[] out = new float[3 * plane];
    byte[] in = img.rgb();
    // One table per channel: 256 possible inputs, each computed with the exact float32 steps.
    for (int c = 0; c < 3; c++) {
      float[] lut = new float[256];
      for (int v = 0; v < 256; v++) {
        float x = (float) v / 255f;
        lut[v] = (x - mean[c]) / std[c];
      }
      int base = c * plane;
      for (int i = 0; i < plane; i++) {
        out[base + i] = lut[in[i * 3 + c] & 0xff];
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "ClipPreprocessor[resolution=" + resolution + ", mean=" + Arrays.toString(mean) + ", std="
        + Arrays.toString(std) + "]";
  }
}
