package dev.cliptune.cli.commands;

import dev.cliptune.pretrain.PretrainConfig;
import dev.cliptune.pretrain.Pretrainer;
import dev.cliptune.world.WorldTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cliptune pretrain}: contrastive pretraining of the tiny CLIP on the hermetic world. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
    description = {"Pretrains a small CLIP on rendered image-caption pairs of the hermetic world and writes it",
        "in the HuggingFace CLIPModel layout with the world's tokenizer files. Resumable (--resume)."})
public final class PretrainCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "DIR", description = "model directory to write")
  Path out;

  @Option(names = "--work-dir", paramLabel = "DIR", description = "checkpoints and loss curve (default: <out>.work)")
  Path work;

  @Option(names = "--steps", defaultValue = "3000", description = "optimiser steps (default ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--batch-size", defaultValue = "128", description = "pairs per step (default ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--checkpoint-every", defaultValue = "250", paramLabel = "N")
  int checkpointEvery;

  @Option(names = "--resume", description = "continue from the work directory's checkpoint")
  boolean resume;

  @Option(names = "--stop-after", paramLabel = "STEP", description = "stop (with a checkpoint) after this step")
  Integer stopAfter;

  @Option(names = "--hard-negatives", arity = "0..1", paramLabel = "WEIGHTS",
      fallbackValue = dev.cliptune.world.PretrainMix.DEFAULT_CONTRAST,
      description = "batches of groups of four pairs that differ in one attribute their captions name; WEIGHTS says "
      + "how often each is varied (default ${FALLBACK-VALUE}; none = independent pairs); an experiment, see "
      + "docs/BENCHMARKS.md")
  String hardNegatives;

  @Option(names = "--init", paramLabel = "DIR", description = "start from this CLIP model directory (same shape) "
      + "instead of random weights: a second stage such as a hard-negative fine-tune")
  String init;

  @Option(names = "--lr", defaultValue = "1e-3", description = "peak learning rate (default ${DEFAULT-VALUE})")
  double lr;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    if (hardNegatives != null) {
      try {
        dev.cliptune.world.PretrainMix.hardNegatives(hardNegatives);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--hard-negatives: " + e.getMessage(), e);
      }
    }
    PretrainConfig cfg = PretrainConfig.tiny(WorldTokenizer.standard().vocabSize()).withSteps(steps)
        .withBatchSize(batch).withCheckpointEvery(checkpointEvery)
        .withHardNegatives(hardNegatives).withLr(lr).withInit(init == null ? null
        : java.nio.file.Path.of(init).toAbsolutePath().normalize().toString());
    Path w = work != null ? work : out.resolveSibling(out.getFileName() + ".work");
    System.out.println("pretraining " + cfg);
    Pretrainer p = new Pretrainer(cfg, System.out);
    if (stopAfter != null) {
      p.stopAfter(stopAfter);
    }
    List<double[]> curve = p.run(w, out, resume, !noProgress);
    if (curve.isEmpty() || (long) curve.get(curve.size() - 1)[0] < cfg.steps()) {
      return 0; // stopped early (--stop-after): the pretrainer said where to resume
    }
    double[] last = curve.get(curve.size() - 1);
    System.out.printf("done: step %d, loss %.4f (ema %.4f), temperature %.1f; model in %s, curve in %s%n",
        (long) last[0], last[1], last[2], last[3], out, w.resolve("loss.csv"));
    return 0;
  }
}
