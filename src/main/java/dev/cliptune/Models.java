package dev.cliptune;

import java.nio.file.Path;

/** Where {@code --model} points; see {@link ModelSpec} for the grammar. */
public final class Models {
  public static final String BUILTIN_TINY = ModelSpec.BUILTIN_TINY;

  private Models() {}

  /** The file or directory a {@code --model} spec names (see {@link ModelSpec#resolve}). */
  public static Path resolve(String spec) {
    return ModelSpec.resolve(spec).path();
  }
}
