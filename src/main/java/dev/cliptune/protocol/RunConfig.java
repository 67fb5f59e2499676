package dev.cliptune.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.config.Setting;
import dev.cliptune.config.Settings;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.train.TrainOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one configuration of a run or protocol: printed at start and saved as {@code config.yaml} beside the
 * results (like Dassl's). Built from a preset (the official config file) and overridden by command-line
 * options and {@code --set key=value} ({@link #KEYS}: the one table of those keys, with their types and help).
 */
public record RunConfig(String model, Path dataRoot, List<String> datasets, Method method, String preset,
    MethodConfig methodConfig, int shots, List<Long> seeds, String subsample, TrainOptions train,
    String zeroShotTemplates, Path output, boolean resume) {

  /**
   * Every key {@code --set} accepts, with its type and help, in the order config.yaml records them: the training
   * keys ({@link TrainOptions#KEYS}), the method keys ({@link MethodConfig#KEYS}; the seed comes from
   * {@code --seeds}) and the zero-shot templates.
   */
  public static final Settings<RunConfig> KEYS = new Settings<>(keys());

  private static List<Setting<RunConfig>> keys() {
    List<Setting<RunConfig>> keys = new ArrayList<>();
    TrainOptions.KEYS.all().forEach(k -> keys.add(k.on(RunConfig::train, RunConfig::withTrain)));
    MethodConfig.KEYS.all().stream().filter(k -> !k.name().equals("SEED"))
        .forEach(k -> keys.add(k.on(RunConfig::methodConfig, RunConfig::withMethodConfig)));
    keys.add(Setting.choice("zero_shot_templates", "method", List.of("dataset", "ensemble7", "ensemble80"),
        "zero-shot CLIP's templates: the dataset's, or the 7 / 80 ensemble", RunConfig::zeroShotTemplates,
        RunConfig::withZeroShotTemplates));
    return keys;
  }

  /**
   * A config from a preset of {@code method} (without {@code presetName}: base-to-novel's); zero-shot has none and
   * trains nothing; the linear probe's ({@code lpclip} by default, or CoOp's {@code rn50_val}) set only its
   * feature-extraction batch (its search is fixed, see {@code eval.LinearProbe}).
   */
  public static RunConfig of(String model, Path dataRoot, List<String> datasets, Method method, String presetName,
      int shots, List<Long> seeds, String subsample, Path output, boolean resume) {
    return of(model, dataRoot, datasets, method, presetName, Presets.Protocol.BASE_TO_NOVEL, shots, seeds, subsample,
        output, resume);
  }

  /**
   * A config from a preset of {@code method}; without {@code presetName}, the one the official scripts use under
   * {@code protocol} ({@link Presets#defaultFor}) for the first of {@code datasets}.
   */
  public static RunConfig of(String model, Path dataRoot, List<String> datasets, Method method, String presetName,
      Presets.Protocol protocol, int shots, List<Long> seeds, String subsample, Path output, boolean resume) {
    MethodConfig mc;
    TrainOptions t;
    String preset = presetName;
    if (method == Method.ZS_CLIP) {
      mc = MethodConfig.defaults(method);
      t = TrainOptions.official(0, 1, 0, seeds.get(0));
      if (preset != null) { // the official zero-shot script reads a CoOp config for its backbone: accept those names
        try {
          Presets.get(Method.COOP, preset);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("zero-shot CLIP trains nothing; --preset '" + preset
              + "' is not a CoOp config the official zero-shot script could read (" + String.join(", ",
                  Presets.names(Method.COOP)) + ")", e);
        }
      }
      preset = preset != null ? preset : "-";
    } else if (method == Method.LINEAR_PROBE) {
      Preset p = Presets.get(method, preset != null ? preset : "lpclip");
      preset = p.name();
      mc = MethodConfig.defaults(method);
      t = TrainOptions.official(0, 1, 0, seeds.get(0)).toBuilder().testBatchSize(p.batchSize()).build();
    } else {
      Preset p = preset == null ? Presets.defaultFor(method, protocol, datasets.isEmpty() ? null : datasets.get(0))
          : Presets.get(method, preset);
      preset = p.name(); // the backbone it names is the model --model gives (RN50 presets need a ResNet CLIP)
      mc = MethodConfig.fromOfficial(method, p.methodKeys());
      t = TrainOptions.official(p.epochs(), p.batchSize(), p.lr(), seeds.get(0));
    }
    return new RunConfig(model, dataRoot, List.copyOf(datasets), method, preset, mc, shots, List.copyOf(seeds),
        subsample, t, "dataset", output, resume);
  }

  /** Applies {@code key=value} overrides ({@link #KEYS}). */
  public RunConfig with(Map<String, String> overrides) {
    RunConfig c = this;
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      c = c.with(e.getKey(), e.getValue());
    }
    return c;
  }

  /** One {@code --set key=value}. */
  public RunConfig with(String key, String value) {
    return KEYS.apply(this, key, value, "--set " + key.trim());
  }

  public RunConfig withTrain(TrainOptions t) {
    return new RunConfig(model, dataRoot, datasets, method, preset, methodConfig, shots, seeds, subsample, t,
        zeroShotTemplates, output, resume);
  }

  public RunConfig withMethodConfig(MethodConfig mc) {
    return new RunConfig(model, dataRoot, datasets, method, preset, mc, shots, seeds, subsample, train,
        zeroShotTemplates, output, resume);
  }

  public RunConfig withZeroShotTemplates(String templates) {
    return new RunConfig(model, dataRoot, datasets, method, preset, methodConfig, shots, seeds, subsample, train,
        templates, output, resume);
  }

  /** The same config for one seed (the trainer's seed and the method's initialisation seed). */
  public RunConfig forSeed(long seed) {
    return new RunConfig(model, dataRoot, datasets, method, preset, methodConfig.toBuilder().seed(seed).build(), shots,
        List.of(seed), subsample, train.withSeed(seed), zeroShotTemplates, output, resume);
  }

  /** The configuration as nested maps, in a stable order. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("root", dataRoot == null ? null : dataRoot.toString());
    data.put("datasets", datasets);
    data.put("shots", shots);
    data.put("seeds", seeds);
    data.put("subsample", subsample);
    m.put("data", data);
    Map<String, Object> meth = new LinkedHashMap<>();
    meth.put("name", method.officialName);
    meth.put("preset", preset);
    meth.putAll(KEYS.values(this, "method"));
    m.put("method", meth);
    Map<String, Object> optim = KEYS.values(this, "optim");
    optim.put("schedule", "cosine, stepped per epoch");
    m.put("optim", optim);
    Map<String, Object> run = KEYS.values(this, "run");
    run.put("output", output == null ? null : output.toString());
    run.put("resume", resume);
    m.put("run", run);
    return m;
  }

  public String toYaml() {
    try {
      return new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
          .writeValueAsString(toMap());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
