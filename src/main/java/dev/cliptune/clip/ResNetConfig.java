package dev.cliptune.clip;

import java.util.List;

/**
 * OpenAI's ModifiedResNet image tower (CHECKPOINTS.md §3, {@code clip/model.py}): a three-convolution stem,
 * four stages of Bottleneck blocks (expansion 4, anti-aliased average-pool strides) and an attention pool.
 *
 * @param layers       Bottleneck blocks per stage (RN50: 3, 4, 6, 3)
 * @param width        the stem's output width {@code w}; stage {@code i} has {@code 2^i * w} planes and
 *                     {@code 4 * 2^i * w} output channels, so the attention pool is {@code 32 * w} wide
 * @param heads        attention-pool heads ({@code 32 * w / 64} in every official model: head dim 64)
 * @param imageSize    input resolution; the attention pool sees a {@code imageSize / 32} grid
 * @param batchNormEps BatchNorm epsilon (PyTorch's default 1e-5)
 */
public record ResNetConfig(List<Integer> layers, int width, int heads, int imageSize, double batchNormEps)
    implements ImageEncoderConfig {

  public ResNetConfig {
    layers = List.copyOf(layers);
    if (layers.size() != 4 || layers.stream().anyMatch(n -> n < 1)) {
      throw new IllegalArgumentException("a ModifiedResNet has four stages of at least one block, got " + layers);
    }
    if (width < 2 || width % 2 != 0) {
      throw new IllegalArgumentException("ModifiedResNet width must be even and positive, got " + width);
    }
    if (imageSize % 32 != 0 || imageSize < 32) {
      throw new IllegalArgumentException("ModifiedResNet image size must be a positive multiple of 32, got "
          + imageSize);
    }
    if (heads < 1 || attnPoolWidth() % heads != 0) {
      throw new IllegalArgumentException(heads + " attention-pool heads do not divide its width "
          + attnPoolWidth());
    }
  }

  /** The attention pool's width {@code 32 * width} (layer4's output channels). */
  public int attnPoolWidth() {
    return 32 * width;
  }

  /** The attention pool's grid side {@code imageSize / 32}. */
  public int grid() {
    return imageSize / 32;
  }

  public int headDim() {
    return attnPoolWidth() / heads;
  }

  /** The official head count for a width: {@code width * 32 / 64}. */
  public static int officialHeads(int width) {
    return width * 32 / 64;
  }

  /** OpenAI's RN50: layers (3, 4, 6, 3), width 64, 224 px, embed 1024, text 512/8/12. */
  public static ClipConfig rn50() {
    return official(List.of(3, 4, 6, 3), 64, 224, 1024, 512);
  }

  /** OpenAI's RN101: layers (3, 4, 23, 3), width 64, 224 px, embed 512, text 512/8/12. */
  public static ClipConfig rn101() {
    return official(List.of(3, 4, 23, 3), 64, 224, 512, 512);
  }

  /** OpenAI's RN50x4: layers (4, 6, 10, 6), width 80, 288 px, embed 640, text 640/10/12. */
  public static ClipConfig rn50x4() {
    return official(List.of(4, 6, 10, 6), 80, 288, 640, 640);
  }

  /** OpenAI's RN50x16: layers (6, 8, 18, 8), width 96, 384 px, embed 768, text 768/12/12. */
  public static ClipConfig rn50x16() {
    return official(List.of(6, 8, 18, 8), 96, 384, 768, 768);
  }

  /** OpenAI's RN50x64: layers (3, 15, 36, 10), width 128, 448 px, embed 1024, text 1024/16/12. */
  public static ClipConfig rn50x64() {
    return official(List.of(3, 15, 36, 10), 128, 448, 1024, 1024);
  }

  /** The official ResNet CLIP of a {@code clip.load} name ({@code RN50}, {@code RN101}, {@code RN50x4}, ...), or null. */
  public static ClipConfig byName(String name) {
    return switch (name) {
      case "RN50" -> rn50();
      case "RN101" -> rn101();
      case "RN50x4" -> rn50x4();
      case "RN50x16" -> rn50x16();
      case "RN50x64" -> rn50x64();
      default -> null;
    };
  }

  private static ClipConfig official(List<Integer> layers, int width, int image, int embed, int textWidth) {
    return new ClipConfig(embed, new ResNetConfig(layers, width, officialHeads(width), image, 1e-5),
        new TextConfig(textWidth, 12, textWidth / 64, 77, 49408, 4 * textWidth, 1e-5));
  }
}
