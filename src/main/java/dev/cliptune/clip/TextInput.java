package dev.cliptune.clip;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What the text tower consumes when a prompt learner drives it (CLIP.md §3): token embeddings with
 * learnable rows already in place, the EOT position of every row, and optional deep prompts.
 *
 * @param embeddings {@code [C, L, Dt]} token embeddings (before the positional embedding)
 * @param eotIndex   int64 {@code [C]}: the pooling position of every row (argmax of the token ids)
 * @param deep       deep prompts: entry {@code k} ({@code [n, Dt]}) replaces rows {@code 1..n} of every
 *                   sequence at the input of layer {@code k + 1} (MaPLe / IVLP / deep-language); empty
 *                   for shallow methods
 * @param lnFinalWeight replaces {@code ln_final.weight} when not null (MIP trains it as
 *                   {@code prompt_learner.meta_features})
 */
public record TextInput(NDArray embeddings, NDArray eotIndex, List<NDArray> deep, NDArray lnFinalWeight) {
  public TextInput(NDArray embeddings, NDArray eotIndex) {
    this(embeddings, eotIndex, List.of(), null);
  }

  public TextInput(NDArray embeddings, NDArray eotIndex, List<NDArray> deep) {
    this(embeddings, eotIndex, deep, null);
  }
}
