package dev.cliptune.cli.commands;

import dev.cliptune.Clip;
import dev.cliptune.protocol.Presets;
import dev.cliptune.protocol.Protocols;
import dev.cliptune.protocol.RunConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Train on {@code --source} (all classes), test on it and on every target: the one body of {@code xdata} and
 * {@code dg}, which differ only in their default targets, title and published numbers.
 */
abstract class TransferCommand implements Callable<Integer> {
  @Mixin RunOptions o;
  @Mixin ResumeOption resume;
  @Mixin MethodOption method;

  @Option(names = "--source", defaultValue = "ImageNet", paramLabel = "NAME",
      description = "the dataset trained on, all classes (default: ImageNet)")
  String source;

  @Option(names = "--targets", split = ",", paramLabel = "NAME",
      description = "the datasets tested on besides the source (default: the paper's)")
  List<String> targets;

  /** Not an option of these commands: refused with a pointer to --source / --targets rather than ignored. */
  @Option(names = "--dataset", split = ",", hidden = true)
  List<String> dataset;

  private final String title;
  private final String file;
  private final Map<String, Map<String, Double>> published;
  private final List<String> defaultTargets;

  /**
   * @param title the table's title
   * @param file the table's file name (without extension) under --output
   * @param published the published numbers beside ours: method → dataset → accuracy
   * @param defaultTargets the targets without --targets
   */
  TransferCommand(String title, String file, Map<String, Map<String, Double>> published, List<String> defaultTargets) {
    this.title = title;
    this.file = file;
    this.published = published;
    this.defaultTargets = defaultTargets;
  }

  @Override
  public Integer call() {
    if (dataset != null) {
      throw new UsageException("--dataset " + String.join(",", dataset) + ": " + file + " trains on --source (default"
          + " ImageNet) and tests on it and on --targets (default " + String.join(",", defaultTargets) + "); it takes"
          + " no --dataset");
    }
    List<String> t = targets != null ? targets : defaultTargets;
    List<String> all = new ArrayList<>(List.of(source));
    all.addAll(t);
    RunConfig c = o.config(method.method(), all, Presets.Protocol.CROSS_DATASET, "all", resume.on);
    try (Clip clip = o.loadModel()) {
      new Protocols(RunOptions.runner(clip), System.out).transfer(c, source, t, title, file, published);
    }
    return 0;
  }
}
