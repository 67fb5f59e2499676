package dev.cliptune.cli.commands;

import dev.cliptune.bench.DataBench;
import dev.cliptune.bench.MatmulRate;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cliptune bench data}: input pipeline images/s, training-loop overhead, memory over many steps. */
@Command(name = "data", mixinStandardHelpOptions = true,
    description = {"Data pipeline images/s (JPEG decode + transforms), the training loop's overhead beyond the",
        "training step, and resident memory over a long training run (tiny CLIP, random weights)."})
public final class BenchDataCommand implements Callable<Integer> {
  @Mixin JsonOption json;

  @Option(names = "--images", defaultValue = "256", description = "JPEGs to decode (default ${DEFAULT-VALUE})")
  int images;

  @Option(names = "--memory-steps", defaultValue = "10000", paramLabel = "N")
  int memorySteps;

  @Option(names = "--tokenizer", paramLabel = "DIR", defaultValue = "../shared/fixtures/parity/model/hf",
      description = "a CLIP vocab.json + merges.txt (the prompts need a tokenizer); default ${DEFAULT-VALUE}")
  Path tokenizer;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(tokenizer.resolve("vocab.json"))) {
      throw new UsageException("--tokenizer " + tokenizer + ": no vocab.json there");
    }
    ClipTokenizer tok = ClipTokenizer.fromDirectory(tokenizer);
    DataBench b = new DataBench(System.out);
    Map<String, Object> out = new LinkedHashMap<>();
    MatmulRate.Yardstick mm = MatmulRate.measure(2048, 7);
    System.out.println(mm.line("matmul_2048"));
    out.put("gemm", mm.path().json());
    out.put("matmul_gflops", mm.plainGflops());
    out.put("matmul_best_gflops", mm.bestGflops());
    Path tmp = Files.createTempDirectory("cliptune-bench-data");
    int cores = Runtime.getRuntime().availableProcessors();
    out.put("pipeline", b.pipeline(tmp, images, 224, cores > 1 ? new int[] {1, cores} : new int[] {1}));
    ClipConfig tiny = BenchSize.tiny.config();
    out.put("loop_tiny_batch32", b.loopOverhead(tiny, tok, 32, 20));
    out.put("memory_tiny_batch4", b.memory(tiny, tok, 4, memorySteps));
    try (var s = Files.walk(tmp)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    json.write(out);
    return 0;
  }
}
