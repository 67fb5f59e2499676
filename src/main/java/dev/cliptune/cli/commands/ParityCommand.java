package dev.cliptune.cli.commands;

import dev.cliptune.parity.ParityRunner;
import dev.cliptune.parity.Selection;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cliptune parity}: checks the implementation against a fixture set of the official code. */
@Command(name = "parity", mixinStandardHelpOptions = true,
    description = {
        "Checks cliptune against a fixture set computed with the official code: a manifest.json set",
        "(tokenisation, preprocessing, CLIP, method cases) or a fewshot.json set.",
        "Prints one line per check and a summary line. Exit 0 when nothing failed or was skipped,",
        "1 otherwise, 2 when DIR is not a fixture set."})
public final class ParityCommand implements Callable<Integer> {

  @Option(names = "--fixtures", required = true, paramLabel = "DIR", description = "fixture set directory")
  Path fixtures;

  @Option(names = "--only", split = ",", paramLabel = "SEL",
      description = "tokenisation, preprocess, clip, methods, fewshot, a method name, a case id or a check name")
  List<String> only;

  @Override
  public Integer call() {
    // a directory that is not a fixture set throws ParityRunner.NotAFixtureSet, a user error: exit code 2
    return ParityRunner.run(fixtures, new Selection(only), System.out).exitCode();
  }
}
