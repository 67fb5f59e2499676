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

/** {@code cliptune zeroshot}: zero-shot CLIP on datasets, each seed. */
@Command(name = "zeroshot", mixinStandardHelpOptions = true,
    description = "Zero-shot CLIP on datasets (--set zero_shot_templates=ensemble7|ensemble80 for ensembles).")
public final class ZeroShotCommand implements Callable<Integer> {
  @Mixin RunOptions o;
  @Mixin DatasetOption datasets;
  @Mixin SubsampleOption subsample;

  @Override
  public Integer call() {
    RunConfig c = o.config(Method.ZS_CLIP, datasets.names(), Presets.Protocol.BASE_TO_NOVEL, subsample.value());
    try (Clip clip = o.loadModel()) {
      ProtocolRunner r = RunOptions.runner(clip);
      for (String ds : c.datasets()) {
        for (long s : c.seeds()) {
          r.zeroShot(c, ds, s, c.subsample(), Protocols.runDir(c, "zeroshot/" + c.subsample(), ds, s));
        }
      }
    }
    return 0;
  }
}
