package dev.cliptune.cli.commands;

import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ResNetConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cliptune bench}: throughput measurements; figures go to docs/BENCHMARKS.md. One class per subcommand. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measures throughput with random weights (no download).",
    subcommands = {BenchClipCommand.class, BenchMethodsCommand.class, BenchDataCommand.class,
        BenchServeCommand.class, BenchMatmulCommand.class, BenchLoadCommand.class, BenchPrecisionCommand.class})
public final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  /** The official ResNet CLIP {@code --backbone} names, null for none or ViT-B/16 (then {@code --size} applies). */
  static ClipConfig resNet(String backbone) {
    if (backbone == null || backbone.equals("ViT-B/16")) {
      return null;
    }
    ClipConfig cfg = ResNetConfig.byName(backbone);
    if (cfg == null) {
      throw new UsageException("--backbone " + backbone + ": expected ViT-B/16, RN50, RN101, RN50x4, RN50x16 or RN50x64");
    }
    return cfg;
  }

  /** {@code _rn50} for RN50: appended to the row ids of a ResNet run. */
  static String rowSuffix(String backbone) {
    return "_" + backbone.toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
