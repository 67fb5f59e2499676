package dev.cliptune.cli.commands;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --dataset}: the datasets a command trains and tests on (a mixin; no command sets it). {@code xdata} and
 * {@code dg} do not take it: they train on {@code --source} and test on {@code --targets}.
 */
public final class DatasetOption {
  @Option(names = "--dataset", split = ",", paramLabel = "NAME",
      description = "official dataset names (e.g. OxfordPets), dataset folders or split JSON files")
  List<String> names = new ArrayList<>();

  /** The values given, in order; empty when none. */
  public List<String> names() {
    return List.copyOf(names);
  }
}
