package dev.cliptune.cli.commands;

import dev.cliptune.world.World;
import dev.cliptune.world.WorldConfig;
import dev.cliptune.world.WorldDatasets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cliptune world}: writes the hermetic world (datasets, tokenizer, world.json). */
@Command(name = "world", mixinStandardHelpOptions = true,
    description = "Write the hermetic vision-language world: downstream datasets in the CoOp layout "
        + "(PNG images, split_zhou_<Name>.json), the world's tokenizer and world.json.")
public final class WorldCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output root ($DATA)")
  Path out;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "N",
      description = "world seed (default ${DEFAULT-VALUE}); the same seed gives identical files")
  long seed;

  @Option(names = "--size", defaultValue = "32", paramLabel = "PX",
      description = "image side in pixels (default ${DEFAULT-VALUE})")
  int size;

  @Override
  public Integer call() throws Exception {
    if (size < 8) {
      throw new UsageException("--size " + size + ": expected at least 8 pixels");
    }
    long start = System.nanoTime();
    World.Summary s = World.write(out, new WorldConfig(seed, size, WorldDatasets.standard()));
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("%-16s %7s %6s %5s %6s %9s%n", "dataset", "classes", "train", "val", "test",
        "PNG KiB");
    for (World.DatasetSummary d : s.datasets()) {
      System.out.printf("%-16s %7d %6d %5d %6d %9.0f%n", d.name(), d.classes(), d.train(),
          d.val(), d.test(), d.bytes() / 1024.0);
    }
    System.out.printf("%d images, %.1f MiB of PNG, tokenizer %d ids (prompts need context %d), "
        + "written to %s in %.1f s%n", s.images(), s.bytes() / 1048576.0, s.vocabSize(),
        s.contextLength(), out, secs);
    return 0;
  }
}
