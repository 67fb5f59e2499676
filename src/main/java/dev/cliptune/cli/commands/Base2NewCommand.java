package dev.cliptune.cli.commands;

import dev.cliptune.Clip;
import dev.cliptune.protocol.Presets;
import dev.cliptune.protocol.Protocols;
import dev.cliptune.protocol.RunConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cliptune base2new}: the CoCoOp / MaPLe papers' base-to-novel protocol. */
@Command(name = "base2new", mixinStandardHelpOptions = true,
    description = "Base-to-novel: train on base classes, test base and new, seeds, Base/New/HM table.")
public final class Base2NewCommand implements Callable<Integer> {
  @Mixin RunOptions o;
  @Mixin ResumeOption resume;
  @Mixin DatasetOption datasets;
  @Mixin MethodOption method;

  @Override
  public Integer call() {
    RunConfig c = o.config(method.method(), datasets.names(), Presets.Protocol.BASE_TO_NOVEL, "all", resume.on);
    try (Clip clip = o.loadModel()) {
      new Protocols(RunOptions.runner(clip), System.out).baseToNovel(c);
    }
    return 0;
  }
}
