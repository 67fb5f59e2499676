package dev.cliptune.clip;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What the image tower consumes: normalised pixels and optional visual prompt tokens (CLIP.md §4 step 5).
 *
 * @param pixels  {@code [B, 3, R, R]} normalised pixels
 * @param prompts visual prompt tokens appended after the positional embedding, before {@code ln_pre}:
 *                {@code [n, Dv]} (shared by every image) or {@code [B, n, Dv]}; null for none
 * @param deep    deep prompts: entry {@code k} ({@code [n, Dv]}) replaces the last {@code n} tokens at the
 *                input of layer {@code k + 1} (MaPLe / IVLP / VPT-deep)
 */
public record VisionInput(NDArray pixels, NDArray prompts, List<NDArray> deep) {
  public static VisionInput of(NDArray pixels) {
    return new VisionInput(pixels, null, List.of());
  }
}
