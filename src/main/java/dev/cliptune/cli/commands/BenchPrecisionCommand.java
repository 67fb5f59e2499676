package dev.cliptune.cli.commands;

import dev.cliptune.Clip;
import dev.cliptune.ModelSpec;
import dev.cliptune.bench.BenchRow;
import dev.cliptune.bench.MatmulRate;
import dev.cliptune.bench.PrecisionBench;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.Precision;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.world.WorldDatasets;
import dev.cliptune.world.WorldTokenizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cliptune bench precision}: {@code --precision bf16} against fp32, speed and agreement. */
@Command(name = "precision", mixinStandardHelpOptions = true,
    description = {"One CLIP in fp32 and in bf16 (--precision bf16): image encoder images/s at batch 8 and text",
        "encoder on 100 prompts, timed alternately; zero-shot agreement on the world's images (top-1, largest",
        "probability difference). Random weights of --size (the world's tokenizer), or a real --model."})
public final class BenchPrecisionCommand implements Callable<Integer> {
  @Mixin JsonOption json;
  @Mixin TimingOptions timing;

  @Option(names = "--model", paramLabel = "SPEC",
      description = "a real model (any --model spec, e.g. builtin:tiny) instead of random weights of --size")
  String model;

  @Option(names = "--per-class", defaultValue = "1", paramLabel = "N",
      description = "world images per class for the agreement (default ${DEFAULT-VALUE}; 0: skip it)")
  int perClass;

  @Option(names = "--datasets", split = ",", paramLabel = "NAME",
      description = "world datasets of the agreement (default: every standard one)")
  List<String> datasets = List.of();

  @Option(names = "--rounds", defaultValue = "2", paramLabel = "N",
      description = "fp32/bf16 alternations of --repeats timed calls (default ${DEFAULT-VALUE})")
  int rounds;

  @Override
  public Integer call() throws Exception {
    Precision.BF16.requireSupported();
    for (String d : datasets) {
      if (WorldDatasets.standard().stream().noneMatch(s -> s.name().equals(d))) {
        throw new UsageException("--datasets " + d + ": not a world dataset; expected one of "
            + WorldDatasets.standard().stream().map(s -> s.name()).toList());
      }
    }
    MatmulRate.Yardstick mm = MatmulRate.measure(2048, 5);
    System.out.println(mm.line("matmul_2048"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("gemm", mm.path().json());
    out.put("matmul_2048", mm.json());
    if (model != null) {
      Path path = ModelSpec.resolve(model).path();
      try (Clip fp32 = Clip.load(path); Clip bf16 = Clip.load(path, Precision.BF16)) {
        System.out.println("model " + model + ": " + ClipWeights.describe(fp32.model().config()));
        run(new PrecisionBench(fp32.model(), bf16.model(), fp32.tokenizer(), fp32.preprocessor()), mm, out);
      }
    } else {
      ClipConfig cfg = timing.size.config();
      System.out.println("building " + ClipWeights.describe(cfg) + " with random weights ...");
      ClipWeights w = ClipWeights.random(cfg, 0);
      try (ClipModel fp32 = ClipModel.create(w); ClipModel bf16 = ClipModel.create(w, Precision.BF16)) {
        run(new PrecisionBench(fp32, bf16, WorldTokenizer.standard().tokenizer(),
            ClipPreprocessor.openAi(cfg.imageSize())), mm, out);
      }
    }
    json.write(out);
    return 0;
  }

  private void run(PrecisionBench bench, MatmulRate.Yardstick mm, Map<String, Object> out) {
    List<BenchRow> rows = bench.speed(timing.warmup, timing.repeats, rounds, System.out, mm.bestGflops());
    for (BenchRow r : rows) {
      out.put(r.id(), r.json());
    }
    if (perClass > 0) {
      out.put("agreement", bench.agreement(perClass, datasets, System.out).json());
    }
  }
}
