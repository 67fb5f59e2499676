package dev.cliptune;

import dev.cliptune.io.UserException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code --model} points: a directory, or {@code builtin:tiny}, the tiny CLIP pretrained by cliptune on
 * its hermetic world and shipped in the repository under {@code models/tiny} (found through the
 * {@code cliptune.home} property that {@code bin/cliptune} sets, else the working directory).
 */
public final class Models {
  public static final String BUILTIN_TINY = "builtin:tiny";

  private Models() {}

  public static Path resolve(String spec) {
    if (spec.startsWith("builtin:")) {
      if (!spec.equals(BUILTIN_TINY)) {
        throw new UserException("--model " + spec + ": the only built-in model is " + BUILTIN_TINY);
      }
      String home = System.getProperty("cliptune.home", ".");
      Path dir = Path.of(home, "models", "tiny");
      if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
        throw new UserException("--model " + spec + ": " + dir + " holds no model.safetensors; rebuild it"
            + " with `bin/cliptune pretrain --out models/tiny` (see docs/BENCHMARKS.md) or pass --model DIR");
      }
      return dir;
    }
    Path dir = Path.of(spec);
    if (!Files.isDirectory(dir)) {
      throw new UserException("--model " + spec + ": not a directory");
    }
    return dir;
  }
}
