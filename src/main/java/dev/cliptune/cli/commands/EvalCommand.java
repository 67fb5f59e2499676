package dev.cliptune.cli.commands;

import dev.cliptune.Clip;
import dev.cliptune.protocol.Presets;
import dev.cliptune.protocol.ProtocolRunner;
import dev.cliptune.protocol.Protocols;
import dev.cliptune.protocol.RunConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cliptune eval}: learned prompts on a dataset's test split. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Test learned prompts (a checkpoint) on a dataset's test split, for its own or other classes.")
public final class EvalCommand implements Callable<Integer> {
  @Mixin RunOptions o;
  @Mixin DatasetOption datasets;
  @Mixin SubsampleOption subsample;
  @Mixin MethodOption method;
  @Mixin PrecisionOption precision;

  @Option(names = "--prompts", required = true, paramLabel = "CKPT", description = "prompt checkpoint")
  Path prompts;

  @Override
  public Integer call() {
    RunConfig c = o.config(method.method(), datasets.names(), Presets.Protocol.BASE_TO_NOVEL, subsample.value());
    String ds = RunOptions.only(c.datasets(), "eval");
    try (Clip clip = o.loadModel(precision.precision())) {
      ProtocolRunner r = RunOptions.runner(clip);
      for (long s : c.seeds()) {
        r.testCheckpoint(c, prompts, ds, s, c.subsample(), Protocols.runDir(c, "eval/" + c.subsample(), ds, s));
      }
    }
    return 0;
  }
}
