package dev.cliptune.cli.commands;

import dev.cliptune.bench.BenchRow;
import dev.cliptune.bench.MatmulRate;
import dev.cliptune.bench.MethodsBench;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.prompt.PromptLearners;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cliptune bench methods}: a training step and an evaluation batch of every method. */
@Command(name = "methods", mixinStandardHelpOptions = true,
    description = {"A training step (forward, loss, backward, SGD) and an evaluation batch of every prompt-learning",
        "method with random weights, at the rows of shared/perf/official-cpu.md (coop_train, coop_eval, ...,",
        "vpt_eval: same batch sizes and class counts), beside this process's fp32 matmul rate. Evaluation rows",
        "time one batch through a primed evaluator; <method>_eval_text is the one-off class-text encoding and",
        "<method>_eval_uncached re-encodes the classes per batch as the official code does."})
public final class BenchMethodsCommand implements Callable<Integer> {
  @Mixin JsonOption json;
  @Mixin TimingOptions timing;

  @Option(names = "--only", split = ",", paramLabel = "ID", description = "rows to run (default: all)")
  List<String> only;

  @Option(names = "--tokenizer", paramLabel = "DIR", defaultValue = "../shared/fixtures/parity/model/hf",
      description = {"CLIP vocabulary (vocab.json, merges.txt) for the word-initialised contexts (CTX_INIT);",
          "'none' or a missing directory: random-init contexts of the same shapes (same cost). Default ${DEFAULT-VALUE}"})
  String tokenizer;

  @Option(names = "--memory-steps", defaultValue = "0", paramLabel = "N",
      description = "also run N calls of each --memory-row and report resident memory along the way (e.g. 1000)")
  int memorySteps;

  @Option(names = "--memory-row", split = ",", defaultValue = "cocoop_train", paramLabel = "ID",
      description = "rows of the memory run; default ${DEFAULT-VALUE}")
  List<String> memoryRows;

  @Option(names = "--memory-size", paramLabel = "SIZE", description = "model size of the memory run (default: --size)")
  BenchSize memorySize;

  @Option(names = "--settle", defaultValue = "0", paramLabel = "SECONDS",
      description = {"on a shared machine: before timing each row, wait up to SECONDS until other processes use",
          "less than a quarter of a core (each row prints the cores others used while it was timed)"})
  double settle;

  @Option(names = "--skip-timing", description = "only the memory run")
  boolean skipTiming;

  @Option(names = "--backbone", paramLabel = "NAME",
      description = {"an official ResNet CLIP instead of --size: RN50, RN101, ... (random weights of its shapes):",
          "the CoOp, CoCoOp and MIP rows with ids suffixed _rn50, ... (no official figure to compare with)"})
  String backbone;

  @Option(names = "--profile", paramLabel = "DIR",
      description = "after timing each row, profile one more call with libtorch's profiler into DIR/<row>.json")
  Path profile;

  /** The benchmark row {@code id}; a user error for an unknown one. */
  private static MethodsBench.Spec row(String id) {
    try {
      return MethodsBench.spec(id.trim());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws Exception {
    List<MethodsBench.Spec> specs = new ArrayList<>();
    if (only == null || only.isEmpty()) {
      specs.addAll(MethodsBench.ROWS);
    } else {
      for (String id : only) {
        specs.add(row(id));
      }
    }
    List<MethodsBench.Spec> memSpecs = new ArrayList<>();
    for (String id : memoryRows) {
      memSpecs.add(row(id));
    }
    ClipConfig cfg = timing.size.config();
    ClipConfig rn = BenchCommand.resNet(backbone);
    if (rn != null) {
      cfg = rn;
      String suffix = BenchCommand.rowSuffix(backbone);
      specs = new ArrayList<>(specs.stream().filter(s -> !PromptLearners.insertsVisualPrompts(s.method()))
          .map(s -> new MethodsBench.Spec(s.id() + suffix, s.method(), s.kind(), s.batch(), s.classes(), Double.NaN))
          .toList());
    }
    ClipTokenizer tok = null;
    Path tokDir = "none".equalsIgnoreCase(tokenizer) ? null : Path.of(tokenizer);
    if (tokDir != null && Files.isRegularFile(tokDir.resolve("vocab.json"))) {
      tok = ClipTokenizer.fromDirectory(tokDir);
      System.out.println("tokenizer: " + tokDir + " (word-initialised contexts, CTX_INIT \"a photo of a\")");
    } else {
      System.out.println("tokenizer: none" + (tokDir == null ? "" : " (" + tokDir + " has no vocab.json)")
          + ": byte-level stand-in, contexts randomly initialised (CTX_INIT \"\"; same shapes, same cost)");
    }
    System.out.printf("threads: %d processors, OMP_WAIT_POLICY=%s, OMP_NUM_THREADS=%s, ai.djl.pytorch.num_threads=%s,"
        + " num_interop_threads=%s; load average %s%n", Runtime.getRuntime().availableProcessors(),
        System.getenv("OMP_WAIT_POLICY"), System.getenv("OMP_NUM_THREADS"),
        System.getProperty("ai.djl.pytorch.num_threads"), System.getProperty("ai.djl.pytorch.num_interop_threads"),
        loadAverage());
    Map<String, Object> out = new LinkedHashMap<>();
    if (!skipTiming) {
      MatmulRate.Yardstick mm = MethodsBench.matmul(settle);
      System.out.println(mm.line("matmul_2048"));
      out.put("gemm", mm.path().json());
      out.put("matmul_2048", mm.json());
      try (MethodsBench bench = new MethodsBench(cfg, tok, timing.warmup, timing.repeats, System.out)
          .settle(settle).profile(profile == null ? null : Files.createDirectories(profile))) {
        for (BenchRow r : bench.run(specs, System.out)) {
          out.put(r.id(), r.json());
        }
      }
      MatmulRate.Yardstick mmEnd = MethodsBench.matmul(settle);
      System.out.printf("matmul_2048_end  fp32 2048^3 matrix product, after the rows: plain %.1f, best %.1f GFLOP/s"
          + " (best of the process %.1f); load average %s%n", mmEnd.plainGflops(), mmEnd.bestGflops(),
          MatmulRate.processBest(), loadAverage());
      out.put("matmul_2048_end", mmEnd.json());
    }
    if (memorySteps > 0) {
      BenchSize ms = memorySize != null ? memorySize : timing.size;
      try (MethodsBench bench = new MethodsBench(ms.config(), tok, 0, 0, System.out)) {
        for (MethodsBench.Spec s : memSpecs) {
          MethodsBench.MemoryRun mem = bench.memory(s, memorySteps, System.out);
          int last = mem.rssSamples().length - 1;
          System.out.printf("memory %s (%s): %d calls in %.0f s, RSS growth after the first tenth: max %.1f MiB,"
                  + " end %.1f MiB (start to end %.1f MiB); live NDArrays %d -> %d -> %d%n", s.id(), ms, mem.steps(),
              mem.seconds(), mem.maxGrowthAfterWarmup() / 1048576.0, mem.endGrowthAfterWarmup() / 1048576.0,
              (mem.rssSamples()[last] - mem.rssSamples()[0]) / 1048576.0, mem.liveArrays()[0],
              mem.liveArrays()[1], mem.liveArrays()[last]);
          Map<String, Object> memRow = new LinkedHashMap<>();
          memRow.put("row", s.id());
          memRow.put("size", ms.name());
          memRow.put("steps", mem.steps());
          memRow.put("seconds", mem.seconds());
          memRow.put("rss_bytes", mem.rssSamples());
          memRow.put("java_heap_bytes", mem.heapSamples());
          memRow.put("live_ndarrays", mem.liveArrays());
          out.put(memSpecs.size() == 1 ? "memory" : "memory_" + s.id(), memRow);
        }
      }
    }
    json.write(out);
    return 0;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
