package dev.cliptune.cli.commands;

import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;

/** Model sizes the benchmarks build (random weights). */
enum BenchSize {
  vitb16, tiny;

  ClipConfig config() {
    return switch (this) {
      case vitb16 -> ClipConfig.vitB16();
      case tiny -> new ClipConfig(48, new VisionConfig(96, 4, 3, 8, 32, 384, 1e-5),
          new TextConfig(64, 4, 2, 77, 49408, 256, 1e-5));
    };
  }
}
