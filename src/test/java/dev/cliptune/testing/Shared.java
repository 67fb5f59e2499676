package dev.cliptune.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates {@code ../shared} (the fixtures and specs that live beside the checkout). Tests that need
 * it call {@link #parity()} or {@link #fewshot()}, which skip the test with a clear message when it is
 * absent. The location can be overridden with {@code -Dcliptune.shared=DIR}.
 */
public final class Shared {
  private Shared() {}

  public static Path root() {
    String p = System.getProperty("cliptune.shared");
    return Path.of(p != null ? p : "../shared").toAbsolutePath().normalize();
  }

  private static Path require(Path p) {
    assumeTrue(Files.isDirectory(p),
        "skipped: shared fixtures not found at " + p + " (put shared/ beside the checkout or pass -Dcliptune.shared=DIR)");
    return p;
  }

  public static Path parity() {
    return require(root().resolve("fixtures/parity"));
  }

  /** The PromptSRC / KgCoOp set; its model is the parity set's ({@code manifest.json model.hf_dir}). */
  public static Path parityNext() {
    require(root().resolve("fixtures/parity"));
    return require(root().resolve("fixtures/parity-next"));
  }

  /** The checkpoint fixture set (PyTorch files of every format, references, hostile files). */
  public static Path checkpoints() {
    return require(root().resolve("fixtures/checkpoints"));
  }

  public static Path fewshot() {
    return require(root().resolve("fixtures/fewshot"));
  }
}
