package dev.cliptune.cli.commands;

import dev.cliptune.data.FewShot;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --subsample}: the classes a single run keeps ({@code train}, {@code eval}, {@code zeroshot},
 * {@code linear-probe}; a mixin no command sets). The protocols pick theirs: base2new trains on base and tests base
 * and new, xdata, dg and fewshot use all classes.
 */
public final class SubsampleOption {
  @Option(names = "--subsample", defaultValue = "all", paramLabel = "all|base|new",
      description = "the classes: all, the base (first) half or the new (second) half (default: all)")
  String value;

  /** {@code all}, {@code base} or {@code new}; a usage error for anything else. */
  public String value() {
    try {
      return FewShot.Subsample.parse(value).name().toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--subsample " + value + ": expected all, base or new");
    }
  }
}
