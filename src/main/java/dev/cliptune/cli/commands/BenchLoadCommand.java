package dev.cliptune.cli.commands;

import dev.cliptune.ModelSpec;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.weights.HfCheckpointWriter;
import dev.cliptune.clip.weights.LoadOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cliptune bench load}: the time to read a checkpoint into float32 CLIP weights (any format {@code --model}
 * takes). Run it under {@code /usr/bin/time -v} for the peak resident memory; docs/BENCHMARKS.md compares a
 * ViT-B/16 {@code pytorch_model.bin} with the same weights as {@code model.safetensors}.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = {"Seconds to read a checkpoint into float32 CLIP weights (run under /usr/bin/time -v for peak RSS).",
        "--write-random DIR writes a ViT-B/16 with random weights in the HF layout (model.safetensors, config.json)."})
public final class BenchLoadCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "SPEC", description = "what to load: a directory, a file, an official name, ...")
  String model;

  @Option(names = "--repeat", defaultValue = "1", description = "loads, timed one by one (default ${DEFAULT-VALUE})")
  int repeat;

  @Option(names = "--write-random", paramLabel = "DIR", description = "write a random ViT-B/16 HF checkpoint and exit")
  Path writeRandom;

  @Override
  public Integer call() throws Exception {
    if (writeRandom != null) {
      ClipWeights w = ClipWeights.random(ClipConfig.vitB16(), 1);
      HfCheckpointWriter.write(w, writeRandom, Map.of());
      System.out.printf("wrote %s: %,d parameters (%s)%n", writeRandom, w.parameterCount(), ClipWeights.describe(w.config()));
      return 0;
    }
    if (model == null) {
      throw new IllegalArgumentException("bench load: give --model SPEC (or --write-random DIR)");
    }
    Path path = ModelSpec.resolve(model).path();
    long bytes = size(path);
    for (int i = 0; i < repeat; i++) {
      long t0 = System.nanoTime();
      ClipWeights w = ClipLoader.load(path, LoadOptions.defaults());
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf("load %d: %.3f s, %,d parameters, %.0f MB read at %.0f MB/s  (%s)%n", i + 1, s,
          w.parameterCount(), bytes / 1e6, bytes / 1e6 / s, w.source());
    }
    Runtime rt = Runtime.getRuntime();
    System.out.printf("JVM heap in use at the end: %.0f MB (peak RSS: run under /usr/bin/time -v)%n",
        (rt.totalMemory() - rt.freeMemory()) / 1e6);
    return 0;
  }

  private static long size(Path p) throws java.io.IOException {
    if (Files.isRegularFile(p)) {
      return Files.size(p);
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.filter(Files::isRegularFile).filter(f -> {
        String n = f.getFileName().toString();
        return n.endsWith(".bin") || n.endsWith(".safetensors") || n.endsWith(".pt");
      }).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
