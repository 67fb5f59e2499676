package dev.cliptune.world;

import dev.cliptune.clip.image.RgbImage;

/**
 * Draws a {@link Scene} in a {@link Style}: plain pixel loops over 2×2 supersamples (antialiasing
 * by box filtering), no AWT, so it is fast (tens of thousands of 32-pixel images per second on
 * one core) and bit-for-bit deterministic. All randomness comes from the scene's nuisance seed.
 *
 * <p>Per style:
 *
 * <ul>
 *   <li>{@link Style#PLAIN}: flat background and flat object colours, pattern in the shade.
 *   <li>{@link Style#PHOTO}: background with low-frequency variation and its own texture (grass
 *       streaks, sand grain, stone blotches, sky gradient), directional lighting on the object, a
 *       cast shadow, colour and exposure jitter and mild noise; with {@code difficulty} &gt; 0
 *       also clutter (small distractor blobs), stronger noise, a colour cast and lower contrast.
 *   <li>{@link Style#SKETCH}: paper with grain, a wobbly outline in a dark shade of the colour, the
 *       interior a light wash of the colour and the pattern as stronger strokes.
 *   <li>{@link Style#RENDITION}: cartoon — pastel flat background, saturated colours, bold black
 *       outline, posterised to five levels per channel.
 *   <li>{@link Style#PIXEL}: drawn at half resolution without antialiasing, quantised to six levels
 *       per channel, scaled up by pixel doubling.
 *   <li>{@link Style#SMOKE}, {@link Style#MIST}, {@link Style#DUST}: a photo seen through a uniform
 *       haze that replaces 60 % of every pixel with a dark grey (smoke), a mid grey (mist) or a sandy
 *       brown (dust): colours keep their hue differences but lose most of their contrast and
 *       saturation, far from anything seen in pretraining.
 * </ul>
 */
public final class Renderer {
  private Renderer() {}

  private static final int SS = 2;
  private static final float[] PAPER = {244, 241, 232};

  /**
   * Renders {@code scene} as a {@code size}×{@code size} RGB image.
   *
   * @throws IllegalArgumentException if {@code size} is below 8
   */
  public static RgbImage render(Scene scene, Style style, int size) {
    if (size < 8) {
      throw new IllegalArgumentException("image size must be at least 8 pixels, got " + size);
    }
    if (style == Style.PIXEL) {
      int half = (size + 1) / 2;
      float[] small = new Canvas(scene, style, half, 1).draw();
      quantise(small, 6);
      float[] big = new float[size * size * 3];
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          int from = ((y / 2) * half + x / 2) * 3;
          int to = (y * size + x) * 3;
          big[to] = small[from];
          big[to + 1] = small[from + 1];
          big[to + 2] = small[from + 2];
        }
      }
      return toImage(big, size);
    }
    float[] haze = hazeColour(style);
    float[] px = new Canvas(scene, haze != null ? Style.PHOTO : style, size, SS).draw();
    if (style == Style.RENDITION) {
      quantise(px, 5);
    } else if (haze != null) {
      haze(px, HAZE, haze);
    }
    return toImage(px, size);
  }

  /** The share of every pixel the smoke, mist or dust replaces. */
  static final float HAZE = 0.6f;

  /** The RGB colour of a hazy style's haze (smoke: dark grey, mist: mid grey, dust: a sandy brown), else null. */
  static float[] hazeColour(Style style) {
    return switch (style) {
      case SMOKE -> new float[] {60, 60, 60};
      case MIST -> new float[] {150, 150, 150};
      case DUST -> new float[] {175, 145, 95};
      default -> null;
    };
  }

  /** Replaces the fraction {@code amount} of every channel of every pixel with that channel of {@code colour}. */
  private static void haze(float[] px, float amount, float[] colour) {
    for (int i = 0; i < px.length; i++) {
      px[i] = px[i] * (1 - amount) + colour[i % 3] * amount;
    }
  }

  /** Rounds each channel to {@code levels} evenly spaced values. */
  private static void quantise(float[] px, int levels) {
    float step = 255f / (levels - 1);
    for (int i = 0; i < px.length; i++) {
      px[i] = Math.round(clamp(px[i]) / step) * step;
    }
  }

  private static RgbImage toImage(float[] px, int size) {
    byte[] out = new byte[px.length];
    for (int i = 0; i < px.length; i++) {
      out[i] = (byte) Math.round(clamp(px[i]));
    }
    return new RgbImage(size, size, out);
  }

  private static float clamp(float v) {
    return v < 0 ? 0 : v > 255 ? 255 : v;
  }

  /** Per-image drawing state. */
  private static final class Canvas {
    private final Scene scene;
    private final Style style;
    private final int size;
    private final int ss;
    private final Scene.Nuisance nz;
    private final boolean swatch;
    private final int n;
    private final float[] cx;
    private final float[] cy;
    private final float[] radius;
    private final float cos;
    private final float sin;
    private final float period;
    private final float phaseU;
    private final float phaseV;
    private final float[] base = new float[3];
    private final float[] shade = new float[3];
    private final float[] ink = new float[3];
    /** Background colour per output pixel (already textured, before shadows). */
    private final float[] bg;
    private final long seed;

    Canvas(Scene scene, Style style, int size, int ss) {
      this.scene = scene;
      this.style = style;
      this.size = size;
      this.ss = ss;
      this.nz = scene.nuisance();
      this.seed = nz.seed();
      this.swatch = scene.kind() == Scene.Kind.SWATCH;
      float angle = swatch ? nz.patternAngle() : nz.rotation();
      this.cos = (float) StrictMath.cos(angle);
      this.sin = (float) StrictMath.sin(angle);
      this.period = nz.patternScale() * size;
      this.phaseU = Seeds.unit(seed, 11, 0) * 2;
      this.phaseV = Seeds.unit(seed, 12, 0) * 2;
      float[][] layout = swatch ? new float[0][] : layout(scene, size);
      this.n = layout.length;
      this.cx = new float[n];
      this.cy = new float[n];
      this.radius = new float[n];
      for (int k = 0; k < n; k++) {
        cx[k] = layout[k][0];
        cy[k] = layout[k][1];
        radius[k] = layout[k][2];
      }
      float jitter = switch (style) {
        case PHOTO -> 12;
        case RENDITION -> 4;
        default -> 6;
      };
      int[] rgb = scene.colour().rgb();
      int[] sh = scene.colour().shade();
      for (int c = 0; c < 3; c++) {
        float j = (Seeds.unit(seed, 20 + c, 0) * 2 - 1) * jitter;
        base[c] = rgb[c] + j;
        shade[c] = sh[c] + j;
      }
      if (style == Style.RENDITION) {
        saturate(base, 1.25f);
        saturate(shade, 1.25f);
      }
      for (int c = 0; c < 3; c++) {
        ink[c] = style == Style.RENDITION ? 22 + 3 * c / 2f : base[c] * 0.5f;
      }
      this.bg = background();
    }

    /** Centre x, centre y and half-extent of each object, in output pixels. */
    private static float[][] layout(Scene scene, int size) {
      float s = size;
      float jx = scene.nuisance().jitterX() * 0.03f * s;
      float jy = scene.nuisance().jitterY() * 0.03f * s;
      float mid = s / 2;
      int variant = scene.nuisance().layout();
      switch (scene.count()) {
        case 1: {
          float r = scene.size().halfExtent() * s;
          float off = Math.max(0, mid - r - 0.05f * s);
          Position p = scene.position();
          return new float[][] {{mid + p.dx() * off + jx, mid + p.dy() * off + jy, r}};
        }
        case 2: {
          float r = 0.2f * s;
          float d = 0.24f * s;
          float ox = variant == 1 ? 0 : variant == 2 ? 0.2f * s : d;
          float oy = variant == 0 ? 0 : variant == 2 ? 0.2f * s : d;
          return new float[][] {{mid - ox + jx, mid - oy + jy, r}, {mid + ox + jx, mid + oy + jy, r}};
        }
        case 3: {
          float r = 0.17f * s;
          float flip = variant == 1 ? -1 : 1;
          return new float[][] {
            {mid + jx, mid - flip * 0.23f * s + jy, r},
            {mid - 0.25f * s + jx, mid + flip * 0.2f * s + jy, r},
            {mid + 0.25f * s + jx, mid + flip * 0.2f * s + jy, r}};
        }
        default: {
          float r = 0.18f * s;
          float d = 0.24f * s;
          return new float[][] {
            {mid - d + jx, mid - d + jy, r}, {mid + d + jx, mid - d + jy, r},
            {mid - d + jx, mid + d + jy, r}, {mid + d + jx, mid + d + jy, r}};
        }
      }
    }

    private static void saturate(float[] c, float factor) {
      float grey = (c[0] + c[1] + c[2]) / 3;
      for (int i = 0; i < 3; i++) {
        c[i] = grey + (c[i] - grey) * factor;
      }
    }

    /** The background colour of every output pixel for this style. */
    private float[] background() {
      float[] out = new float[size * size * 3];
      int[] rgb = scene.background().rgb();
      float[] b = new float[3];
      for (int c = 0; c < 3; c++) {
        b[c] = rgb[c] + (Seeds.unit(seed, 30 + c, 0) * 2 - 1) * 6;
      }
      switch (style) {
        case SKETCH: {
          for (int p = 0; p < size * size; p++) {
            float grain = (Seeds.unit(seed, p, 40) - 0.5f) * 6;
            for (int c = 0; c < 3; c++) {
              out[p * 3 + c] = PAPER[c] * 0.88f + b[c] * 0.12f + grain;
            }
          }
          return out;
        }
        case RENDITION: {
          for (int p = 0; p < size * size; p++) {
            for (int c = 0; c < 3; c++) {
              out[p * 3 + c] = b[c] * 0.6f + 255 * 0.4f;
            }
          }
          return out;
        }
        case PHOTO:
          photoBackground(out, b);
          return out;
        default: {
          for (int p = 0; p < size * size; p++) {
            out[p * 3] = b[0];
            out[p * 3 + 1] = b[1];
            out[p * 3 + 2] = b[2];
          }
          return out;
        }
      }
    }

    private void photoBackground(float[] out, float[] b) {
      Background kind = scene.background();
      float[] low = valueNoise(5, 100);
      float[] blotch = kind == Background.STONE ? valueNoise(9, 200) : null;
      for (int y = 0; y < size; y++) {
        float fy = (y + 0.5f) / size;
        for (int x = 0; x < size; x++) {
          int p = y * size + x;
          float gain = 1 + 0.10f * low[p];
          float add = 0;
          switch (kind) {
            case GRASS:
              add = (Seeds.unit(seed, x, 300 + y / 3) - 0.5f) * 26;
              break;
            case SAND:
              add = (Seeds.unit(seed, p, 301) - 0.5f) * 20;
              break;
            case STONE:
              add = blotch[p] * 16;
              break;
            case SKY:
              add = (fy - 0.5f) * 34;
              break;
            default:
              add = (fy - 0.5f) * 14 * (kind == Background.DARK ? 1 : -1);
              break;
          }
          for (int c = 0; c < 3; c++) {
            out[p * 3 + c] = b[c] * gain + add;
          }
        }
      }
      float d = nz.difficulty();
      int distractors = d > 0.5f ? Math.round((d - 0.5f) * 8) : 0;
      for (int k = 0; k < distractors; k++) {
        float r = (0.05f + 0.03f * Seeds.unit(seed, k, 400)) * size;
        float dx = Seeds.unit(seed, k, 401) * size;
        float dy = Seeds.unit(seed, k, 402) * size;
        Colour col = Colour.values()[(int) (Seeds.unit(seed, k, 403) * Colour.values().length)];
        int[] crgb = col.rgb();
        boolean square = Seeds.unit(seed, k, 404) < 0.5f;
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            float ax = Math.abs(x + 0.5f - dx);
            float ay = Math.abs(y + 0.5f - dy);
            if (square ? Math.max(ax, ay) <= r : ax * ax + ay * ay <= r * r) {
              int p = y * size + x;
              for (int c = 0; c < 3; c++) {
                out[p * 3 + c] = out[p * 3 + c] * 0.3f + crgb[c] * 0.7f;
              }
            }
          }
        }
      }
    }

    /** Bilinear value noise in [-1, 1] on a {@code grid}×{@code grid} lattice over the image. */
    private float[] valueNoise(int grid, int salt) {
      float[] out = new float[size * size];
      for (int y = 0; y < size; y++) {
        float gy = (y + 0.5f) / size * (grid - 1);
        int iy = Math.min((int) gy, grid - 2);
        float ty = gy - iy;
        for (int x = 0; x < size; x++) {
          float gx = (x + 0.5f) / size * (grid - 1);
          int ix = Math.min((int) gx, grid - 2);
          float tx = gx - ix;
          float a = Seeds.unit(seed, ix + salt, iy);
          float bb = Seeds.unit(seed, ix + 1 + salt, iy);
          float c = Seeds.unit(seed, ix + salt, iy + 1);
          float e = Seeds.unit(seed, ix + 1 + salt, iy + 1);
          float top = a + (bb - a) * tx;
          float bottom = c + (e - c) * tx;
          out[y * size + x] = (top + (bottom - top) * ty) * 2 - 1;
        }
      }
      return out;
    }

    /** Index of the object covering {@code (x, y)}, or -1; fills {@code uv} with local coords. */
    private int hit(float x, float y, float[] uv) {
      Shape shape = scene.shape();
      for (int k = 0; k < n; k++) {
        float dx = x - cx[k];
        float dy = y - cy[k];
        float r = radius[k];
        if (Math.abs(dx) > 1.42f * r || Math.abs(dy) > 1.42f * r) {
          continue;
        }
        float u = (dx * cos + dy * sin) / r;
        float v = (-dx * sin + dy * cos) / r;
        if (shape.inside(u, v)) {
          uv[0] = u;
          uv[1] = v;
          uv[2] = dx * cos + dy * sin;
          uv[3] = -dx * sin + dy * cos;
          return k;
        }
      }
      return -1;
    }

    /** Renders the image into output-resolution RGB floats. */
    float[] draw() {
      int w = size * ss;
      float inv = 1f / ss;
      boolean outlines = (style == Style.SKETCH || style == Style.RENDITION) && !swatch;
      float[] sample = new float[w * w * 3];
      byte[] mask = outlines ? new byte[w * w] : null;
      float[] uv = new float[4];
      float shadowShift = 0.05f * size;
      boolean photo = style == Style.PHOTO;
      float[] wobbleX = new float[w];
      float[] wobbleY = new float[w];
      if (style == Style.SKETCH) {
        float phase = Seeds.unit(seed, 50, 0) * 6.28f;
        for (int i = 0; i < w; i++) {
          wobbleX[i] = 0.35f * (float) StrictMath.sin(i * inv * 0.9f + phase);
          wobbleY[i] = 0.35f * (float) StrictMath.sin(i * inv * 0.8f + 2 * phase);
        }
      }
      Pattern pattern = scene.pattern();
      Shape shape = scene.shape();
      float half = size / 2f;
      for (int sy = 0; sy < w; sy++) {
        float y = (sy + 0.5f) * inv;
        int py = sy / ss;
        for (int sx = 0; sx < w; sx++) {
          float x = (sx + 0.5f) * inv;
          int px = sx / ss;
          int o = (sy * w + sx) * 3;
          int bgi = (py * size + px) * 3;
          float amount;
          float light = 1;
          if (swatch) {
            float dx = x - half;
            float dy = y - half;
            float ru = dx * cos + dy * sin;
            float rv = -dx * sin + dy * cos;
            amount = pattern.amount(null, dx / half, dy / half, ru / period + phaseU,
                rv / period + phaseV, px, py, seed);
            if (photo) {
              light = 1 + 0.08f * (-0.6f * dx / half - 0.8f * dy / half);
            }
          } else {
            int k = hit(x + wobbleX[sy], y + wobbleY[sx], uv);
            if (mask != null) {
              mask[sy * w + sx] = (byte) (k + 1);
            }
            if (k < 0) {
              float shadow = photo && hit(x - shadowShift, y - shadowShift, uv) >= 0 ? 0.7f : 1f;
              sample[o] = bg[bgi] * shadow;
              sample[o + 1] = bg[bgi + 1] * shadow;
              sample[o + 2] = bg[bgi + 2] * shadow;
              continue;
            }
            amount = pattern.amount(shape, uv[0], uv[1], uv[2] / period + phaseU,
                uv[3] / period + phaseV, px, py, seed);
            if (photo) {
              light = 1 + 0.14f * (-0.6f * uv[0] - 0.8f * uv[1]);
            }
          }
          for (int c = 0; c < 3; c++) {
            float col = base[c] + (shade[c] - base[c]) * amount;
            if (style == Style.SKETCH) {
              float wash = 0.22f + 0.45f * amount;
              col = bg[bgi + c] * (1 - wash) + base[c] * wash;
            }
            sample[o + c] = col * light;
          }
        }
      }
      if (mask != null) {
        drawOutlines(sample, mask, w);
      }
      float[] out = new float[size * size * 3];
      float weight = 1f / (ss * ss);
      for (int sy = 0; sy < w; sy++) {
        int row = (sy / ss) * size;
        for (int sx = 0; sx < w; sx++) {
          int o = (sy * w + sx) * 3;
          int p = (row + sx / ss) * 3;
          out[p] += sample[o] * weight;
          out[p + 1] += sample[o + 1] * weight;
          out[p + 2] += sample[o + 2] * weight;
        }
      }
      if (photo) {
        photoFinish(out);
      }
      return out;
    }

    /**
     * Paints every sample within the outline radius of an object boundary with the ink colour. A
     * sample is on the outline when the labels in the (2t+1)² window around it are not all equal,
     * i.e. when the window's minimum and maximum label differ (separable sliding min/max).
     */
    private void drawOutlines(float[] sample, byte[] mask, int w) {
      float smallest = Float.MAX_VALUE;
      for (float r : radius) {
        smallest = Math.min(smallest, r);
      }
      float width = smallest * (style == Style.RENDITION ? 0.09f : 0.06f);
      int t = Math.max(1, Math.round(width * ss));
      byte[] rowMin = new byte[w * w];
      byte[] rowMax = new byte[w * w];
      for (int y = 0; y < w; y++) {
        for (int x = 0; x < w; x++) {
          byte lo = Byte.MAX_VALUE;
          byte hi = Byte.MIN_VALUE;
          for (int xx = Math.max(0, x - t), end = Math.min(w - 1, x + t); xx <= end; xx++) {
            byte m = mask[y * w + xx];
            lo = m < lo ? m : lo;
            hi = m > hi ? m : hi;
          }
          rowMin[y * w + x] = lo;
          rowMax[y * w + x] = hi;
        }
      }
      for (int y = 0; y < w; y++) {
        for (int x = 0; x < w; x++) {
          byte lo = Byte.MAX_VALUE;
          byte hi = Byte.MIN_VALUE;
          for (int yy = Math.max(0, y - t), end = Math.min(w - 1, y + t); yy <= end; yy++) {
            byte a = rowMin[yy * w + x];
            byte b = rowMax[yy * w + x];
            lo = a < lo ? a : lo;
            hi = b > hi ? b : hi;
          }
          if (lo != hi) {
            int o = (y * w + x) * 3;
            sample[o] = ink[0];
            sample[o + 1] = ink[1];
            sample[o + 2] = ink[2];
          }
        }
      }
    }

    /** Exposure and colour jitter, difficulty effects and sensor noise of the photo style. */
    private void photoFinish(float[] out) {
      float d = nz.difficulty();
      float exposure = 1 + (Seeds.unit(seed, 60, 0) * 2 - 1) * 0.08f;
      float[] cast = new float[3];
      for (int c = 0; c < 3; c++) {
        cast[c] = exposure * (1 + (Seeds.unit(seed, 61 + c, 0) * 2 - 1) * (0.03f + 0.12f * d));
      }
      float flatten = 0.35f * d;
      float sigma = 4 + 14 * d;
      for (int p = 0; p < size * size; p++) {
        float luma = (Seeds.unit(seed, p, 70) + Seeds.unit(seed, p, 71) + Seeds.unit(seed, p, 72)
            - 1.5f) * 2 * sigma;
        for (int c = 0; c < 3; c++) {
          float v = out[p * 3 + c] * cast[c];
          v = v + (128 - v) * flatten;
          float chroma = (Seeds.unit(seed, p, 73 + c) - 0.5f) * sigma * 0.6f;
          out[p * 3 + c] = v + luma + chroma;
        }
      }
    }
  }
}
