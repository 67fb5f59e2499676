package dev.cliptune.cli.commands;

import dev.cliptune.Clip;
import dev.cliptune.demo.Demo;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cliptune demo}: the main job on the embedded default. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Base-to-novel on the hermetic world with zero-shot CLIP, CoOp, CoCoOp, MaPLe and MIP, three",
        "seeds, on the embedded tiny CLIP: prints the Base/New/HM table and writes a report."})
public final class DemoCommand implements Callable<Integer> {
  @Mixin ModelOption model;

  @Option(names = "--world", defaultValue = "demo-output/world", paramLabel = "DIR",
      description = "where the world's datasets are (written on first use)")
  Path world;

  @Option(names = "--output", defaultValue = "demo-output/runs", paramLabel = "DIR")
  Path output;

  @Option(names = "--seeds", split = ",", defaultValue = "1,2,3")
  List<Long> seeds;

  @Option(names = "--shots", defaultValue = "16")
  int shots;

  @Option(names = "--datasets", split = ",", paramLabel = "FOLDER")
  List<String> datasets = Demo.DATASETS;

  @Option(names = "--methods", split = ",", paramLabel = "METHOD",
      description = "ZeroshotCLIP, CoOp, CoCoOp, MaPLe, MIP (the default: all five) and, on request, PromptSRC, KgCoOp")
  List<String> methods = Demo.METHODS;

  @Option(names = "--no-linear-probe", negatable = false,
      description = "skip the linear-probe CLIP column (base classes, same K-shot images)")
  boolean noLinearProbe;

  @Override
  public Integer call() throws Exception {
    // a missing model or an unknown method fails fast, before the world is written
    Path dir = model.directory();
    Demo demo = new Demo(world, output, seeds, shots, datasets, methods, System.out).linearProbe(!noLinearProbe)
        .model(model.spec());
    Demo.ensureWorld(world, 1, System.out);
    try (Clip clip = Clip.load(dir)) {
      demo.run(clip);
    }
    return 0;
  }
}
