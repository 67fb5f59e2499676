package dev.cliptune.cli.commands;

import dev.cliptune.Classifier;
import dev.cliptune.Clip;
import dev.cliptune.Models;
import dev.cliptune.bench.ServeBench;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.serve.ServeConfig;
import dev.cliptune.world.DatasetSpec;
import dev.cliptune.world.Png;
import dev.cliptune.world.Renderer;
import dev.cliptune.world.World;
import dev.cliptune.world.WorldConfig;
import dev.cliptune.world.WorldDatasets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cliptune bench serve}: the HTTP service under loopback load, batching on and off, and overload. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Starts the server in this JVM (zero-shot over the world's 12 colours) and drives it from loopback"
        + " clients: closed loop per --max-batch, then an open loop at --overload times the sustainable rate.",
        "Beside each row, the offline rate at the same batch size. --size vitb16: random ViT-B/16 weights with the"
        + " world's tokenizer, 224-pixel PNGs."})
final class BenchServeCommand implements Callable<Integer> {
  @Option(names = "--size", defaultValue = "tiny", description = "tiny (builtin:tiny) or vitb16 (random weights)")
  String size;

  @Option(names = "--clients", defaultValue = "8", description = "closed-loop clients (default ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--seconds", defaultValue = "10", description = "per row (default ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--max-batch", split = ",", defaultValue = "1,8", description = "rows (default ${DEFAULT-VALUE})")
  List<Integer> maxBatches;

  @Option(names = "--max-wait-ms", defaultValue = "5", description = "default ${DEFAULT-VALUE}")
  long maxWaitMs;

  @Option(names = "--queue", defaultValue = "64", description = "default ${DEFAULT-VALUE}")
  int queue;

  @Option(names = "--timeout-ms", defaultValue = "10000", description = "default ${DEFAULT-VALUE}")
  long timeoutMs;

  @Option(names = "--overload", defaultValue = "2", description = "open-loop rate as a multiple of the batched"
      + " closed-loop throughput; 0 skips it (default ${DEFAULT-VALUE})")
  double overload;

  @picocli.CommandLine.Mixin PrecisionOption precision;

  @Override
  public Integer call() throws Exception {
    dev.cliptune.clip.Precision p = precision.precision();
    Clip clip;
    int imageSize;
    if (size.equals("tiny")) {
      clip = Clip.load(Models.resolve(Models.BUILTIN_TINY), p);
      imageSize = WorldConfig.DEFAULT_IMAGE_SIZE;
    } else if (size.equals("vitb16")) {
      var cfg = dev.cliptune.clip.ClipConfig.vitB16();
      clip = new Clip(ClipModel.create(ClipWeights.random(cfg, 1), p),
          ClipTokenizer.fromDirectory(Models.resolve(Models.BUILTIN_TINY)),
          ClipPreprocessor.openAi(cfg.imageSize()));
      imageSize = cfg.imageSize();
    } else {
      throw new UsageException("--size " + size + ": expected tiny or vitb16");
    }
    String label = p == dev.cliptune.clip.Precision.FP32 ? size : size + " bf16";
    try (clip) {
      DatasetSpec colors = WorldDatasets.byName("Colors");
      WorldConfig world = WorldConfig.standard(20261204L);
      List<byte[]> images = new ArrayList<>();
      for (int i = 0; i < 48; i++) {
        images.add(Png.encode(Renderer.render(World.scene(world, colors, i % 12, i / 12), colors.style(), imageSize)));
      }
      try (Classifier c = Classifier.zeroShot(clip, colors.classNames(), List.of(colors.template()))) {
        ServeBench bench = new ServeBench(c, images);
        System.out.printf("bench serve: %s (%s), %d closed-loop clients, %.0f s per row, max wait %d ms, queue %d,"
            + " %d cores%n", size, p.name().toLowerCase(java.util.Locale.ROOT), clients, seconds, maxWaitMs, queue,
            Runtime.getRuntime().availableProcessors());
        ServeBench.header(System.out);
        double best = 0;
        int bestBatch = maxBatches.get(maxBatches.size() - 1);
        for (int mb : maxBatches) {
          c.microBatch(mb); // a lone image is not padded when batching is off
          double offline = bench.offline(mb, Math.min(seconds, 5));
          ServeBench.Row r = bench.closedLoop(config(mb), clients, seconds);
          ServeBench.print(System.out, label, r, offline);
          if (mb == bestBatch) {
            best = r.throughput();
          }
        }
        if (overload > 0 && best > 0) {
          c.microBatch(bestBatch);
          ServeBench.Row r = bench.openLoop(config(bestBatch), overload * best, seconds);
          ServeBench.print(System.out, label, r, Double.NaN);
          System.out.printf("overload: %.0f req/s offered (%.1fx), p99 of the 503 answers %.1f ms%n",
              overload * best, overload, r.rejectP99());
        }
      }
    }
    return 0;
  }

  private ServeConfig config(int maxBatch) {
    ServeConfig d = ServeConfig.defaults();
    return new ServeConfig("127.0.0.1", 0, maxBatch, maxWaitMs, queue, timeoutMs, d.idleTimeoutMs(), d.maxBytes(),
        d.maxPixels(), d.maxImages(), null, d.drainMs());
  }
}
