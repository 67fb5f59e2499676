package dev.cliptune.cli.commands;

import dev.cliptune.Clip;
import dev.cliptune.prompt.Method;
import dev.cliptune.protocol.Presets;
import dev.cliptune.protocol.ProtocolRunner;
import dev.cliptune.protocol.RunConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options every protocol command shares (--model, --data-root, --preset, --shots, ...): a mixin that commands
 * read and never assign. The method, the datasets and the classes are not among them: commands that let the user
 * choose the method add {@link MethodOption}, the others pass theirs to {@link #config}; the commands that take
 * {@code --dataset} add {@link DatasetOption} ({@code xdata} and {@code dg} name theirs with --source and
 * --targets); single runs add {@link SubsampleOption} (the protocols choose their classes); the commands that
 * train add {@link ResumeOption}. The help of
 * {@code --set} lists {@link RunConfig#KEYS} ({@link SetKeysHelp}).
 */
@Command(resourceBundle = "dev.cliptune.cli.commands.SetKeysHelp")
public final class RunOptions {
  @Mixin ModelOption model;

  @Option(names = "--data-root", defaultValue = ".", paramLabel = "DIR",
      description = "the CoOp $DATA folder (datasets by official name live below it)")
  Path dataRoot;

  @Option(names = "--preset", paramLabel = "NAME",
      description = "official config file name, e.g. vit_b16_c4_ep10_batch1_ctxv1 (default: the one the official"
          + " scripts use for the protocol, e.g. PromptSRC's _cross_datasets for xdata/dg, _few_shot for fewshot;"
          + " base-to-novel's for train, eval, zeroshot)")
  String preset;

  @Option(names = "--shots", defaultValue = "16", paramLabel = "K", description = "training images per class")
  int shots;

  @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", paramLabel = "S")
  List<Long> seeds;

  @Option(names = "--output", defaultValue = "output", paramLabel = "DIR")
  Path output;

  @Option(names = "--set", paramLabel = "KEY=VALUE", descriptionKey = "set",
      description = "override a run key (see RunConfig.KEYS)")
  Map<String, String> overrides = new LinkedHashMap<>();

  /**
   * The run configuration of these options with {@code method} on {@code datasets}. Everything that goes wrong
   * here is about the options (an unknown preset or --set key, a value of the wrong type): a user error.
   */
  RunConfig config(Method method, List<String> datasets) {
    return config(method, datasets, Presets.Protocol.BASE_TO_NOVEL, "all", false);
  }

  /**
   * {@link #config(Method, List)} with, without --preset, the preset the official scripts use for {@code protocol},
   * and the classes {@code subsample} names (a protocol's own runs choose theirs; single runs take
   * {@link SubsampleOption}).
   */
  RunConfig config(Method method, List<String> datasets, Presets.Protocol protocol, String subsample) {
    return config(method, datasets, protocol, subsample, false);
  }

  /** {@link #config(Method, List, Presets.Protocol, String)} of a command that trains, with its {@link ResumeOption}. */
  RunConfig config(Method method, List<String> datasets, Presets.Protocol protocol, String subsample,
      boolean resume) {
    try {
      return RunConfig.of(model.spec(), dataRoot, datasets, method, preset, protocol, shots, seeds, subsample, output,
          resume).with(overrides);
    } catch (dev.cliptune.io.UserException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  /** The one --dataset of a command that runs on exactly one. */
  static String only(List<String> datasets, String command) {
    if (datasets.size() != 1) {
      throw new UsageException(command + " needs exactly one --dataset, got " + datasets);
    }
    return datasets.get(0);
  }

  /** Loads the model the options name (a directory or the embedded tiny CLIP). */
  Clip loadModel() {
    return model.load();
  }

  /** Loads the model, its encoders in {@code precision} (the inference commands' {@link PrecisionOption}). */
  Clip loadModel(dev.cliptune.clip.Precision precision) {
    return model.load(precision);
  }

  static ProtocolRunner runner(Clip clip) {
    return new ProtocolRunner(clip.model(), clip.tokenizer(), clip.preprocessor(), System.out);
  }
}
