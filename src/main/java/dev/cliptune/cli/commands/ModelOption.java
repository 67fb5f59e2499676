package dev.cliptune.cli.commands;

import dev.cliptune.Clip;
import dev.cliptune.Models;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model}: the CLIP model every command that runs one takes (a mixin; no command sets it). */
public final class ModelOption {
  @Option(names = "--model", defaultValue = Models.BUILTIN_TINY, paramLabel = "SPEC",
      description = "CLIP model: a directory (HF CLIPModel, open_clip, OpenAI names) or checkpoint file (.pt, .bin,"
          + " .safetensors, *.index.json), a clip.load name (ViT-B/16, RN50, ...; from ~/.cache/clip),"
          + " hf-hub:ORG/NAME[@REVISION] or ORG/NAME (HF hub), or builtin:tiny, the embedded default (default)")
  String spec;

  /** What was given, e.g. {@code builtin:tiny}. */
  public String spec() {
    return spec;
  }

  /** The model directory; fails with a user error when it does not exist. */
  public Path directory() {
    return Models.resolve(spec);
  }

  /** Loads the model. */
  public Clip load() {
    return Clip.load(directory());
  }

  /** Loads the model, its encoders in {@code precision}. */
  public Clip load(dev.cliptune.clip.Precision precision) {
    return Clip.load(directory(), precision);
  }
}
