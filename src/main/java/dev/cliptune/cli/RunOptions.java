package dev.cliptune.cli;

import dev.cliptune.Clip;
import dev.cliptune.prompt.Method;
import dev.cliptune.protocol.ProtocolRunner;
import dev.cliptune.protocol.RunConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Options every protocol command shares (issue text: --model, --data-root, --dataset, --method, ...); the help
 * of {@code --set} lists {@link RunConfig#KEYS} ({@link SetKeysHelp}).
 */
@Command(resourceBundle = "dev.cliptune.cli.SetKeysHelp")
public final class RunOptions {
  @Option(names = "--model", defaultValue = "builtin:tiny", paramLabel = "DIR",
      description = "CLIP model directory (HF CLIPModel layout or OpenAI names); default ${DEFAULT-VALUE}")
  String model;

  @Option(names = "--data-root", defaultValue = ".", paramLabel = "DIR",
      description = "the CoOp $DATA folder (datasets by official name live below it)")
  Path dataRoot;

  @Option(names = "--dataset", split = ",", paramLabel = "NAME",
      description = "official dataset names (e.g. OxfordPets), dataset folders or split JSON files")
  List<String> datasets = new ArrayList<>();

  @Option(names = "--method", defaultValue = "CoOp", paramLabel = "NAME",
      description = "CoOp, CoCoOp, MIP, MaPLe, MaPLeShared, IVLP, VPT, PromptSRC, KgCoOp or ZeroshotCLIP")
  String method;

  @Option(names = "--preset", paramLabel = "NAME",
      description = "official config file name, e.g. vit_b16_c4_ep10_batch1_ctxv1 (default: the papers' base-to-novel one)")
  String preset;

  @Option(names = "--shots", defaultValue = "16", paramLabel = "K", description = "training images per class")
  int shots;

  @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", paramLabel = "S")
  List<Long> seeds;

  @Option(names = "--subsample", defaultValue = "all", paramLabel = "all|base|new")
  String subsample;

  @Option(names = "--output", defaultValue = "output", paramLabel = "DIR")
  Path output;

  @Option(names = "--set", paramLabel = "KEY=VALUE", descriptionKey = "set",
      description = "override a run key (see RunConfig.KEYS)")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--resume", description = "continue interrupted runs from their last epoch checkpoint")
  boolean resume;

  RunConfig config(List<String> datasetsOverride) {
    Method m = Method.parse(method);
    List<String> ds = datasetsOverride != null ? datasetsOverride : datasets;
    return RunConfig.of(model, dataRoot, ds, m, preset, shots, seeds, subsample, output, resume).with(overrides);
  }

  /** Loads the model the options name (a directory or the embedded tiny CLIP). */
  Clip loadModel() {
    return Clip.load(dev.cliptune.Models.resolve(model));
  }

  static ProtocolRunner runner(Clip clip) {
    return new ProtocolRunner(clip.model(), clip.tokenizer(), clip.preprocessor(), System.out);
  }
}
