package dev.cliptune.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Tensors;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.world.DatasetSpec;
import dev.cliptune.world.Renderer;
import dev.cliptune.world.World;
import dev.cliptune.world.WorldConfig;
import dev.cliptune.world.WorldDatasets;
import dev.cliptune.zeroshot.ZeroShotClassifier;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench precision}: one CLIP in float32 and in bfloat16 ({@code --precision bf16}) side by side — image
 * encoder at batch 8 and text encoder on 100 prompts, timed alternately so that a drifting host affects both
 * alike; and their agreement in zero-shot classification of the world's images (standard datasets' classes
 * with its template, {@code perClass} scenes per class rendered from a held-out seed): top-1 agreement and the
 * largest difference of a softmax probability.
 */
public final class PrecisionBench {
  /** Not the demo world's seed nor pretraining's (as the tests' images). */
  static final long SEED = 20261205L;

  /** Agreement of bf16 with fp32 over {@code images} images. */
  public record Agreement(int images, int top1Agree, double maxProbabilityDifference, String where) {
    public String line() {
      return String.format("agreement        %d world images: top-1 %d/%d (%.1f %%), largest probability difference"
          + " %.4f (%s)", images, top1Agree, images, 100.0 * top1Agree / images, maxProbabilityDifference, where);
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("images", images);
      m.put("top1_agree", top1Agree);
      m.put("max_probability_difference", maxProbabilityDifference);
      m.put("where", where);
      return m;
    }
  }

  private final ClipModel fp32;
  private final ClipModel bf16;
  private final ClipTokenizer tokenizer;
  private final ClipPreprocessor preprocessor;

  /** Two models of the same weights, fp32 and bf16; the tokenizer and preprocessing of both. */
  public PrecisionBench(ClipModel fp32, ClipModel bf16, ClipTokenizer tokenizer, ClipPreprocessor preprocessor) {
    this.fp32 = fp32;
    this.bf16 = bf16;
    this.tokenizer = tokenizer;
    this.preprocessor = preprocessor;
  }

  /**
   * Rows {@code image_b8_fp32}, {@code image_b8_bf16}, {@code text100_fp32}, {@code text100_bf16}: {@code rounds}
   * alternations of {@code repeats} timed calls each (after {@code warmup}), the median over all of a row's calls.
   */
  public List<BenchRow> speed(int warmup, int repeats, int rounds, PrintStream log, double matmulGflops) {
    var config = fp32.config();
    int r = config.imageSize();
    int ctx = config.text().contextLength();
    double imgGflop = Flops.image(config, 0) / 1e9;
    long[] ids = ClipBench.promptIds(ClipBench.ZS_CLASSES, ctx, config.text().vocabSize(), 1);
    double txtGflop = Flops.text(config, Flops.textTokens(ids, ctx)) / 1e9;
    List<BenchRow> rows = new ArrayList<>();
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray px = m.randomNormal(new Shape(ClipBench.ZS_IMAGE_BATCH, 3, r, r));
      NDArray tok = m.create(ids, new Shape(ClipBench.ZS_CLASSES, ctx));
      ClipModel[] models = {fp32, bf16};
      double[][] image = new double[2][];
      double[][] text = new double[2][];
      for (int round = 0; round < rounds; round++) {
        for (int p = 0; p < 2; p++) {
          ClipModel model = models[p];
          image[p] = concat(image[p], Timing.sortedTimes(round == 0 ? warmup : 0, repeats, () -> {
            try (NDManager step = m.newSubManager()) {
              px.tempAttach(step);
              model.encodeImage(px).toFloatArray();
            }
          }));
          text[p] = concat(text[p], Timing.sortedTimes(round == 0 ? warmup : 0, repeats, () -> {
            try (NDManager step = m.newSubManager()) {
              tok.tempAttach(step);
              model.encodeText(tok).toFloatArray();
            }
          }));
        }
      }
      for (int p = 0; p < 2; p++) {
        String id = models[p].precision().toString();
        double s = Timing.median(image[p]);
        rows.add(new BenchRow("image_b8_" + id, "image encoder, batch 8, " + id, s, 8 / s, 8 * imgGflop));
        log.println(rows.get(rows.size() - 1).line(matmulGflops));
      }
      for (int p = 0; p < 2; p++) {
        String id = models[p].precision().toString();
        double s = Timing.median(text[p]);
        rows.add(new BenchRow("text100_" + id, "text encoder, " + ClipBench.ZS_CLASSES + " prompts, " + id, s, null,
            ClipBench.ZS_CLASSES * txtGflop));
        log.println(rows.get(rows.size() - 1).line(matmulGflops));
      }
    }
    log.printf("speed-up         image encoder %.2fx, text encoder %.2fx (bf16 over fp32, medians)%n",
        rows.get(0).seconds() / rows.get(1).seconds(), rows.get(2).seconds() / rows.get(3).seconds());
    return rows;
  }

  private static double[] concat(double[] a, double[] b) {
    if (a == null) {
      return b;
    }
    double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    java.util.Arrays.sort(out);
    return out;
  }

  /**
   * Zero-shot on {@code perClass} world images of every class of the standard world datasets named in
   * {@code datasets} (all of them when empty).
   */
  public Agreement agreement(int perClass, List<String> datasets, PrintStream log) {
    int images = 0;
    int agree = 0;
    double worst = 0;
    String where = "";
    WorldConfig world = WorldConfig.standard(SEED);
    int r = preprocessor.resolution();
    List<DatasetSpec> specs = datasets.isEmpty() ? WorldDatasets.standard()
        : datasets.stream().map(WorldDatasets::byName).toList();
    for (DatasetSpec d : specs) {
      List<String> classes = d.classNames();
      int n = classes.size() * perClass;
      float[] flat = new float[n * 3 * r * r];
      for (int c = 0; c < classes.size(); c++) {
        for (int i = 0; i < perClass; i++) {
          float[] px = preprocessor.apply(Renderer.render(World.scene(world, d, c, i), d.style(), world.imageSize()));
          System.arraycopy(px, 0, flat, (c * perClass + i) * 3 * r * r, 3 * r * r);
        }
      }
      float[][] probs = new float[2][];
      ClipModel[] models = {fp32, bf16};
      for (int p = 0; p < 2; p++) {
        try (ZeroShotClassifier zs = ZeroShotClassifier.build(models[p], tokenizer, classes, List.of(d.template()));
            NDManager m = NDManager.newBaseManager()) {
          NDArray px = Tensors.owned(m, flat, new Shape(n, 3, r, r));
          probs[p] = zs.logits(px).softmax(-1).toFloatArray();
        }
      }
      int c = classes.size();
      for (int i = 0; i < n; i++) {
        images++;
        agree += argMax(probs[0], i * c, c) == argMax(probs[1], i * c, c) ? 1 : 0;
        for (int k = 0; k < c; k++) {
          double diff = Math.abs(probs[0][i * c + k] - probs[1][i * c + k]);
          if (diff > worst) {
            worst = diff;
            where = d.name() + " image " + i + ", label " + classes.get(k);
          }
        }
      }
    }
    Agreement a = new Agreement(images, agree, worst, where);
    log.println(a.line());
    return a;
  }

  private static int argMax(float[] v, int from, int n) {
    int best = 0;
    for (int k = 1; k < n; k++) {
      if (v[from + k] > v[from + best]) {
        best = k;
      }
    }
    return best;
  }
}
