package dev.cliptune.clip.weights;

import dev.cliptune.clip.ClipConfig;
import java.nio.file.Path;

/**
 * Reads the {@code config.json} of a HuggingFace {@code CLIPModel} checkpoint into a {@link ClipConfig}.
 *
 * <p>Understands the full form, the minimal form written by recent transformers versions (often little
 * more than {@code vision_config.patch_size}) and the legacy {@code text_config_dict} /
 * {@code vision_config_dict} form (which, as in transformers, takes precedence over {@code text_config} /
 * {@code vision_config}). Absent fields take the transformers defaults: text vocab 49408, hidden 512,
 * intermediate 2048, 12 layers, 8 heads, 77 positions; vision hidden 768, intermediate 3072, 12 layers,
 * 12 heads, image 224, <b>patch 32</b>; projection_dim 512; layer_norm_eps 1e-5. Only {@code hidden_act =
 * "quick_gelu"} is accepted.
 */
public final class HfClipConfig {
  private HfClipConfig() {}

  /** Parses {@code configJson}; errors name the file and the offending field. */
  public static ClipConfig read(Path configJson) {
    return DeclaredConfig.parseHf(configJson, DeclaredConfig.readJson(configJson)).toClipConfig();
  }
}
