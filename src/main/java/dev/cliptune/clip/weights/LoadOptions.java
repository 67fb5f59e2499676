package dev.cliptune.clip.weights;

/**
 * Options of {@link ClipLoader#load}.
 *
 * <p>Head counts cannot be read off the tensors. The loader takes them, per tower, from the first of:
 * this option, the safetensors {@code __metadata__} ({@code vision_heads}, {@code text_heads}), the
 * directory's {@code config.json} ({@code vision_config.num_attention_heads} / {@code
 * text_config.num_attention_heads} with the transformers defaults 12 / 8 for a HuggingFace config;
 * {@code vision_heads} / {@code transformer_heads} for an OpenAI-style config placed beside an OpenAI-layout file
 * such as {@code ViT-B-16.pt}), or {@code open_clip_config.json} ({@code vision_cfg.width / head_width},
 * {@code text_cfg.heads}, with open_clip's defaults 64 and 8), and finally {@code width / 64} (what the official
 * OpenAI loader assumes).
 *
 * @param visionHeads explicit vision head count, or null
 * @param textHeads explicit text head count, or null
 * @param allowUnknownTensors when false (the default) a tensor the loader does not know is an error;
 *     when true it is logged as a warning and skipped. Known buffers ({@code *.position_ids} and the
 *     JIT integers {@code input_resolution}, {@code context_length}, {@code vocab_size}) are always
 *     skipped silently.
 */
public record LoadOptions(Integer visionHeads, Integer textHeads, boolean allowUnknownTensors) {

  public LoadOptions {
    if (visionHeads != null && visionHeads <= 0) {
      throw new IllegalArgumentException("visionHeads must be positive, got " + visionHeads);
    }
    if (textHeads != null && textHeads <= 0) {
      throw new IllegalArgumentException("textHeads must be positive, got " + textHeads);
    }
  }

  /** No overrides, unknown tensors are errors. */
  public static LoadOptions defaults() {
    return new LoadOptions(null, null, false);
  }

  public LoadOptions withVisionHeads(int heads) {
    return new LoadOptions(heads, textHeads, allowUnknownTensors);
  }

  public LoadOptions withTextHeads(int heads) {
    return new LoadOptions(visionHeads, heads, allowUnknownTensors);
  }

  public LoadOptions withHeads(int vision, int text) {
    return new LoadOptions(vision, text, allowUnknownTensors);
  }

  public LoadOptions withAllowUnknownTensors(boolean allow) {
    return new LoadOptions(visionHeads, textHeads, allow);
  }
}
