package dev.cliptune.testing;

import dev.cliptune.Models;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.clip.weights.LoadOptions;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The tiny CLIP shipped in the repository ({@code models/tiny}, {@code builtin:tiny}: 32-px images, 4 + 4 layers
 * of width 128, context 32, the world's 921-token BPE) for tests that need a real CLIP but no official
 * reference, so they run without {@code ../shared}. Weights, tokenizer and one frozen {@link ClipModel} are
 * loaded once per test JVM and shared: nothing writes to a frozen CLIP (FrozenClipTest checks it), so tests
 * must not close {@link #clip()}.
 */
public final class TinyModel {
  private static ClipWeights weights;
  private static ClipTokenizer tokenizer;
  private static ClipModel clip;

  private TinyModel() {}

  /** The model directory ({@code models/tiny} of the checkout). */
  public static Path dir() {
    return Models.resolve(Models.BUILTIN_TINY);
  }

  public static synchronized ClipWeights weights() {
    if (weights == null) {
      weights = ClipLoader.load(dir(), LoadOptions.defaults());
    }
    return weights;
  }

  public static synchronized ClipTokenizer tokenizer() {
    if (tokenizer == null) {
      tokenizer = ClipTokenizer.fromDirectory(dir());
    }
    return tokenizer;
  }

  /** The shared frozen model; do not close it. */
  public static synchronized ClipModel clip() {
    if (clip == null) {
      clip = ClipModel.create(weights());
    }
    return clip;
  }

  /** {@link CheckpointLayouts#writeOpenAi} of the tiny model. */
  public static Path writeOpenAi(Path dir, String file) throws IOException {
    return CheckpointLayouts.writeOpenAi(weights(), dir, file);
  }

  /** {@link CheckpointLayouts#writeOpenClip} of the tiny model. */
  public static Path writeOpenClip(Path dir, String file) throws IOException {
    return CheckpointLayouts.writeOpenClip(weights(), dir, file);
  }
}
