package dev.cliptune.cli.commands;

import picocli.CommandLine.Option;

/** Model size, warm-up and repeats of the timed benchmarks (a mixin of {@code bench clip} and {@code bench methods}). */
public final class TimingOptions {
  @Option(names = "--size", defaultValue = "vitb16", description = "model size: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
  BenchSize size;

  @Option(names = "--repeats", defaultValue = "3", description = "timed calls per row (median); default ${DEFAULT-VALUE}")
  int repeats;

  @Option(names = "--warmup", defaultValue = "1", description = "untimed calls per row; default ${DEFAULT-VALUE}")
  int warmup;
}
