package dev.cliptune.cli.commands;

import dev.cliptune.Clip;
import dev.cliptune.protocol.Presets;
import dev.cliptune.protocol.Protocols;
import dev.cliptune.protocol.RunConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cliptune fewshot}: the CoOp paper's few-shot protocol. */
@Command(name = "fewshot", mixinStandardHelpOptions = true,
    description = "Few-shot: all classes, K = 1, 2, 4, 8, 16 (or --shots-list), seeds, accuracy per K.")
public final class FewShotCommand implements Callable<Integer> {
  @Mixin RunOptions o;
  @Mixin ResumeOption resume;
  @Mixin DatasetOption datasets;
  @Mixin MethodOption method;

  @Option(names = "--shots-list", split = ",", defaultValue = "1,2,4,8,16", paramLabel = "K",
      description = "the numbers of training images per class to run (default: 1,2,4,8,16); --shots is not used")
  List<Integer> shotsList;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (spec.commandLine().getParseResult().hasMatchedOption("--shots")) {
      throw new UsageException("--shots: fewshot runs every K of --shots-list (default 1,2,4,8,16); give"
          + " --shots-list K for one K");
    }
    RunConfig c = o.config(method.method(), datasets.names(), Presets.Protocol.FEW_SHOT, "all", resume.on);
    try (Clip clip = o.loadModel()) {
      new Protocols(RunOptions.runner(clip), System.out).fewShot(c, shotsList);
    }
    return 0;
  }
}
