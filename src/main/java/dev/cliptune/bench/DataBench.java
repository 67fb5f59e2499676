package dev.cliptune.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.Tensors;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.data.Item;
import dev.cliptune.pipeline.BatchLoader;
import dev.cliptune.pipeline.DecodedImages;
import dev.cliptune.pipeline.TrainTransform;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptLearners;
import dev.cliptune.train.TrainingStep;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * {@code bench data}: the input pipeline's images/s (JPEG decode + transform, 1 and N threads, train and test
 * transforms), the training loop's overhead beyond the training step (the trainer's per-batch work versus
 * {@link TrainingStep} alone), and resident memory over a long run of training steps.
 */
public final class DataBench {
  private final PrintStream log;

  public DataBench(PrintStream log) {
    this.log = log;
  }

  /** Writes {@code n} photo-sized JPEGs (500x375, smooth gradients plus noise) into {@code dir}. */
  static List<Item> writeImages(Path dir, int n) throws IOException {
    Files.createDirectories(dir);
    Random r = new Random(1);
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      BufferedImage img = new BufferedImage(500, 375, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 375; y++) {
        for (int x = 0; x < 500; x++) {
          int v = r.nextInt(24);
          img.setRGB(x, y, ((x / 2 + v) & 255) << 16 | ((y / 2 + v) & 255) << 8 | ((x + y + i * 9) / 4 & 255));
        }
      }
      Path p = dir.resolve("img" + i + ".jpg");
      ImageIO.write(img, "jpg", p.toFile());
      items.add(new Item(p.toString(), i % 10, "class " + (i % 10)));
    }
    return items;
  }

  /** Images per second through the loader: decode + transform, no model. */
  public Map<String, Object> pipeline(Path dir, int n, int resolution, int[] threads) throws IOException {
    List<Item> items = writeImages(dir, n);
    ClipPreprocessor pre = ClipPreprocessor.openAi(resolution);
    TrainTransform train = new TrainTransform(pre);
    Map<String, Object> out = new LinkedHashMap<>();
    for (int t : threads) {
      for (String kind : List.of("test", "train")) {
        long t0 = System.nanoTime();
        int seen = 0;
        try (BatchLoader l = kind.equals("test")
            ? BatchLoader.test(items, 32, pre, new DecodedImages(0), t, false)
            : BatchLoader.train(items, 32, train, new DecodedImages(0), 1, 0, t, false)) {
          while (l.hasNext()) {
            seen += l.next().size();
          }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        String id = "pipeline_" + kind + "_t" + t;
        out.put(id, Map.of("images", seen, "seconds", s, "images_per_s", seen / s));
        log.printf("%-22s %s transform, %d decode threads: %6.1f images/s (%d JPEGs 500x375 -> %d px)%n", id, kind, t,
            seen / s, seen, resolution);
      }
    }
    return out;
  }

  /**
   * Per-batch time of CoOp training on a CLIP of {@code cfg}: the training step alone ({@link TrainingStep} on
   * arrays already in libtorch: forward, loss, backward, SGD) versus what the trainer does per batch (pixel and
   * label arrays made from Java memory, then the same step).
   */
  public Map<String, Object> loopOverhead(ClipConfig cfg, ClipTokenizer tok, int batch, int steps) {
    Map<String, Object> out = new LinkedHashMap<>();
    int r = cfg.imageSize();
    float[] pixels = new float[batch * 3 * r * r];
    Random rnd = new Random(2);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (float) rnd.nextGaussian();
    }
    long[] labels = new long[batch];
    List<String> classes = new ArrayList<>();
    for (int c = 0; c < 10; c++) {
      classes.add("class " + c);
    }
    try (ClipModel clip = ClipModel.create(ClipWeights.random(cfg, 0));
        PromptLearner l = coop(clip, tok, classes);
        TrainingStep step = new TrainingStep(l, 0.9, 5e-4);
        NDManager m = NDManager.newBaseManager()) {
      NDArray px = Tensors.owned(m, pixels, new Shape(batch, 3, r, r));
      NDArray lab = m.create(labels);
      double stepOnly = Timing.median(3, steps, () -> step.run(px, lab, 1e-3));
      double full = Timing.median(3, steps, () -> trainerBatch(step, m, pixels, labels, r));
      out.put("step_seconds", stepOnly);
      out.put("full_step_seconds", full);
      out.put("overhead_seconds", full - stepOnly);
      log.printf("loop overhead: training step %.2f ms, with the batch's arrays made from Java %.2f ms, overhead"
          + " %.2f ms (%.1f%%)%n", stepOnly * 1e3, full * 1e3, (full - stepOnly) * 1e3, 100 * (full - stepOnly) / full);
    }
    return out;
  }

  private static PromptLearner coop(ClipModel clip, ClipTokenizer tok, List<String> classes) {
    return PromptLearners.create(clip, tok, classes, MethodConfig.fromOfficial(Method.COOP, Map.of("N_CTX", "4")));
  }

  /** One batch as the trainer runs it: arrays from Java memory, then the training step. */
  private static void trainerBatch(TrainingStep step, NDManager m, float[] pixels, long[] labels, int r) {
    try (NDManager batch = m.newSubManager()) {
      step.run(Tensors.owned(batch, pixels, new Shape(labels.length, 3, r, r)), batch.create(labels), 1e-3);
    }
  }

  /** RSS over {@code steps} full training steps (sampled 11 times). */
  public Map<String, Object> memory(ClipConfig cfg, ClipTokenizer tok, int batch, int steps) {
    int r = cfg.imageSize();
    float[] pixels = new float[batch * 3 * r * r];
    long[] labels = new long[batch];
    List<String> classes = List.of("a", "b", "c", "d");
    long[] rss = new long[11];
    int k = 0;
    try (ClipModel clip = ClipModel.create(ClipWeights.random(cfg, 0));
        PromptLearner l = coop(clip, tok, classes);
        TrainingStep step = new TrainingStep(l, 0.9, 5e-4);
        NDManager m = NDManager.newBaseManager()) {
      for (int i = 0; i <= steps; i++) {
        if (i % (steps / 10) == 0 && k < rss.length) {
          rss[k++] = Timing.rssBytes();
          log.printf("memory: step %d/%d, RSS %.1f MiB%n", i, steps, rss[k - 1] / 1048576.0);
        }
        if (i == steps) {
          break;
        }
        trainerBatch(step, m, pixels, labels, r);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("steps", steps);
    out.put("rss_bytes", rss);
    out.put("growth_after_first_tenth_bytes", rss[rss.length - 1] - rss[1]);
    log.printf("memory: %d steps, RSS growth after the first tenth %.1f MiB%n", steps,
        (rss[rss.length - 1] - rss[1]) / 1048576.0);
    return out;
  }
}
