package dev.cliptune.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cliptune.bench.BenchRow;
import dev.cliptune.bench.ClipBench;
import dev.cliptune.bench.MatmulRate;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;
import dev.cliptune.io.AtomicFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cliptune bench}: throughput measurements; figures go to docs/BENCHMARKS.md. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measures throughput with random weights (no download).",
    subcommands = {BenchCommand.Clip.class})
public final class BenchCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** Model sizes the benchmarks can build. */
  enum Size {
    vitb16, tiny;

    ClipConfig config() {
      return switch (this) {
        case vitb16 -> ClipConfig.vitB16();
        case tiny -> new ClipConfig(48, new VisionConfig(96, 4, 3, 8, 32, 384, 1e-5),
            new TextConfig(64, 4, 2, 77, 49408, 256, 1e-5));
      };
    }
  }

  @Command(name = "clip", mixinStandardHelpOptions = true,
      description = {"Image encoder images/s at batch 1, 8, 32, text encoder prompts/s, and the zero-shot rows",
          "zs_text / zs_image of shared/perf/official-cpu.md, beside this process's fp32 matmul rate."})
  static final class Clip implements Callable<Integer> {
    @Option(names = "--json", paramLabel = "FILE", description = "write {id: {seconds, images_per_s, gflops}}")
    Path json;

    @Option(names = "--size", defaultValue = "vitb16", description = "model size: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    Size size;

    @Option(names = "--repeats", defaultValue = "3", description = "timed calls per row (median); default ${DEFAULT-VALUE}")
    int repeats;

    @Option(names = "--warmup", defaultValue = "1", description = "untimed calls per row; default ${DEFAULT-VALUE}")
    int warmup;

    @Option(names = "--memory-batches", defaultValue = "0", paramLabel = "N",
        description = "also encode N image batches and report resident memory along the way (e.g. 1000)")
    int memoryBatches;

    @Option(names = "--memory-batch-size", defaultValue = "1", paramLabel = "B")
    int memoryBatchSize;

    @Override
    public Integer call() throws Exception {
      ClipConfig cfg = size.config();
      double mm = MatmulRate.gflops(2048, 3);
      System.out.printf("matmul_2048      fp32 2048^3 matrix product of this process: %.1f GFLOP/s%n", mm);
      ClipBench bench = new ClipBench(cfg, warmup, repeats);
      List<BenchRow> rows = bench.run(System.out, mm);
      Map<String, Object> out = new LinkedHashMap<>();
      Map<String, Object> mmRow = new LinkedHashMap<>();
      mmRow.put("seconds", 2.0 * 2048 * 2048 * 2048 / mm / 1e9);
      mmRow.put("images_per_s", null);
      mmRow.put("gflops", mm);
      out.put("matmul_2048", mmRow);
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
      if (json != null) {
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out);
        AtomicFiles.writeString(json, text + "\n");
        System.out.println("wrote " + json);
      }
      return 0;
    }
  }
}
