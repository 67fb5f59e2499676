package dev.cliptune.cli.commands;

import dev.cliptune.bench.BenchRow;
import dev.cliptune.bench.ClipBench;
import dev.cliptune.bench.MatmulRate;
import dev.cliptune.clip.ClipConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cliptune bench clip}: CLIP encoder throughput at ViT-B/16 size with random weights. */
@Command(name = "clip", mixinStandardHelpOptions = true,
    description = {"Image encoder images/s at batch 1, 8, 32, text encoder prompts/s, and the zero-shot rows",
        "zs_text / zs_image of shared/perf/official-cpu.md, beside this process's fp32 matmul rate."})
public final class BenchClipCommand implements Callable<Integer> {
  @Mixin JsonOption json;
  @Mixin TimingOptions timing;

  @Option(names = "--backbone", paramLabel = "NAME",
      description = {"an official ResNet CLIP instead of --size: RN50, RN101, RN50x4, RN50x16, RN50x64 (random",
          "weights of its shapes; row ids get the suffix _rn50, ...). ViT-B/16 (--size vitb16) is the default"})
  String backbone;

  @Option(names = "--memory-batches", defaultValue = "0", paramLabel = "N",
      description = "also encode N image batches and report resident memory along the way (e.g. 1000)")
  int memoryBatches;

  @Option(names = "--memory-batch-size", defaultValue = "1", paramLabel = "B")
  int memoryBatchSize;

  @Override
  public Integer call() throws Exception {
    ClipConfig rn = BenchCommand.resNet(backbone);
    ClipConfig cfg = rn != null ? rn : timing.size.config();
    String suffix = rn != null ? BenchCommand.rowSuffix(backbone) : "";
    MatmulRate.Yardstick mm = MatmulRate.measure(2048, 7);
    System.out.println(mm.line("matmul_2048"));
    ClipBench bench = new ClipBench(cfg, timing.warmup, timing.repeats, suffix);
    List<BenchRow> rows = bench.run(System.out, mm.bestGflops());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("gemm", mm.path().json());
    out.put("matmul_2048", mm.json());
    for (BenchRow r : rows) {
      out.put(r.id(), r.json());
    }
    if (memoryBatches > 0) {
      ClipBench.MemoryRun mem = bench.memory(memoryBatches, memoryBatchSize, System.out);
      System.out.printf("memory: %d batches of %d, RSS growth after the first tenth %.1f MiB (start to end %.1f MiB)%n",
          mem.batches(), mem.batchSize(), mem.maxGrowthAfterWarmup() / 1048576.0, mem.growth() / 1048576.0);
      Map<String, Object> memRow = new LinkedHashMap<>();
      memRow.put("batches", mem.batches());
      memRow.put("batch_size", mem.batchSize());
      memRow.put("rss_bytes", mem.rssSamples());
      out.put("memory", memRow);
    }
    json.write(out);
    return 0;
  }
}
