package dev.cliptune.cli.commands;

import dev.cliptune.Clip;
import dev.cliptune.eval.LinearProbe;
import dev.cliptune.prompt.Method;
import dev.cliptune.protocol.Presets;
import dev.cliptune.protocol.Protocols;
import dev.cliptune.protocol.RunConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cliptune linear-probe}: the CoOp paper's lpclip baseline. */
@Command(name = "linear-probe", mixinStandardHelpOptions = true,
    description = "Linear-probe CLIP (the CoOp paper's lpclip baseline): logistic regression on frozen image "
        + "features of the K-shot train set, C searched on val, test accuracy over seeds. --subsample base "
        + "gives a number comparable with base2new's Base.")
public final class LinearProbeCommand implements Callable<Integer> {
  @Mixin RunOptions o;
  @Mixin DatasetOption datasets;
  @Mixin SubsampleOption subsample;

  @Option(names = "--search-steps", defaultValue = "" + LinearProbe.DEFAULT_SEARCH_STEPS, paramLabel = "N",
      description = "interval-halving steps after the initial values of C (lpclip's --num_step); "
          + "default ${DEFAULT-VALUE}")
  int searchSteps;

  @Override
  public Integer call() {
    RunConfig c = o.config(Method.LINEAR_PROBE, datasets.names(), Presets.Protocol.BASE_TO_NOVEL, subsample.value());
    if (c.datasets().isEmpty()) {
      throw new UsageException("linear-probe needs at least one --dataset");
    }
    if (searchSteps < 0) {
      throw new UsageException("--search-steps must be >= 0, got " + searchSteps);
    }
    try (Clip clip = o.loadModel()) {
      new Protocols(RunOptions.runner(clip), System.out).linearProbe(c, searchSteps);
    }
    return 0;
  }
}
