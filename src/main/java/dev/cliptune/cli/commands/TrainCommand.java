package dev.cliptune.cli.commands;

import dev.cliptune.Clip;
import dev.cliptune.prompt.Method;
import dev.cliptune.protocol.Presets;
import dev.cliptune.protocol.ProtocolRunner;
import dev.cliptune.protocol.Protocols;
import dev.cliptune.protocol.RunConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cliptune train}: one training run per seed on one dataset, tested on the same classes. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train prompts on one dataset (K shots per class, each seed) and test on the same classes.")
public final class TrainCommand implements Callable<Integer> {
  @Mixin RunOptions o;
  @Mixin ResumeOption resume;
  @Mixin DatasetOption datasets;
  @Mixin SubsampleOption subsample;
  @Mixin MethodOption method;

  @Override
  public Integer call() {
    RunConfig c = o.config(method.method(), datasets.names(), Presets.Protocol.BASE_TO_NOVEL, subsample.value(),
        resume.on);
    String ds = RunOptions.only(c.datasets(), "train");
    if (c.method() == Method.ZS_CLIP) {
      throw new UsageException("zero-shot CLIP trains nothing: use `cliptune zeroshot`");
    }
    if (c.method() == Method.LINEAR_PROBE) {
      throw new UsageException("the linear probe trains no prompts: use `cliptune linear-probe`");
    }
    try (Clip clip = o.loadModel()) {
      ProtocolRunner r = RunOptions.runner(clip);
      for (long s : c.seeds()) {
        r.trainAndTest(c, ds, s, c.subsample(), Protocols.runDir(c, "train/" + c.subsample(), ds, s));
      }
    }
    return 0;
  }
}
