package dev.cliptune.pretrain;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.clip.weights.HfCheckpointWriter;
import dev.cliptune.io.AtomicFiles;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.SafeTensorsWriter;
import dev.cliptune.io.UserException;
import dev.cliptune.train.Loss;
import dev.cliptune.world.PretrainSampler;
import dev.cliptune.world.WorldTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Contrastive pretraining of a small CLIP on the hermetic world (issue 6): symmetric InfoNCE over a batch of
 * rendered image–caption pairs, learnable temperature clamped at 100, AdamW with warm-up and cosine decay.
 * Every batch is a pure function of (seed, step), so a run killed at any point resumes from its last
 * checkpoint ({@code pretrain-state.safetensors}, written atomically) to the same weights. The result is a
 * HuggingFace {@code CLIPModel} directory with the world's tokenizer files, loadable by every command.
 */
public final class Pretrainer {
  static final String STATE = "pretrain-state.safetensors";
  static final float MAX_LOGIT_SCALE = (float) Math.log(100);

  private final PretrainConfig cfg;
  private final PrintStream log;
  private int stopAfter = Integer.MAX_VALUE;

  public Pretrainer(PretrainConfig cfg, PrintStream log) {
    this.cfg = cfg;
    this.log = log;
  }

  /**
   * Stops after {@code step} steps (a checkpoint is written there) without writing the model: a long run can
   * be split over several sessions and continued with {@code resume}.
   */
  public Pretrainer stopAfter(int step) {
    this.stopAfter = step;
    return this;
  }

  /** One prepared batch: pixels and token ids. */
  private record Batch(float[] pixels, long[] ids) {}

  private Batch prepare(PretrainSampler sampler, ClipTokenizer tok, ClipPreprocessor pre, int step) {
    int b = cfg.batchSize();
    int r = cfg.model().vision().imageSize();
    int ctx = cfg.model().text().contextLength();
    List<PretrainSampler.Pair> pairs = sampler.batch((long) step * b, b);
    float[] px = new float[b * 3 * r * r];
    long[] ids = new long[b * ctx];
    for (int i = 0; i < b; i++) {
      PretrainSampler.Pair p = pairs.get(i);
      float[] chw = p.image().width() == r && p.image().height() == r ? pre.toNormalizedChw(p.image())
          : pre.apply(p.image());
      System.arraycopy(chw, 0, px, i * 3 * r * r, 3 * r * r);
      System.arraycopy(tok.tokenize(p.caption(), ctx, true), 0, ids, i * ctx, ctx);
    }
    return new Batch(px, ids);
  }

  /** Runs (or resumes) pretraining in {@code workDir} and writes the model to {@code modelDir}. */
  public List<double[]> run(Path workDir, Path modelDir, boolean resume, boolean progress) throws IOException {
    Files.createDirectories(workDir);
    WorldTokenizer world = WorldTokenizer.standard();
    ClipTokenizer tok = world.tokenizer();
    if (tok.vocabSize() != cfg.model().text().vocabSize()) {
      throw new IllegalArgumentException("model vocabulary " + cfg.model().text().vocabSize()
          + " differs from the world tokenizer's " + tok.vocabSize());
    }
    int r = cfg.model().vision().imageSize();
    PretrainSampler sampler = new PretrainSampler(cfg.seed(), r,
        cfg.hardNegatives() != null ? dev.cliptune.world.PretrainMix.hardNegatives(cfg.hardNegatives())
            : dev.cliptune.world.PretrainMix.standard());
    ClipPreprocessor pre = ClipPreprocessor.openAi(r);
    ClipWeights init = cfg.init() == null ? ClipWeights.random(cfg.model(), cfg.seed()) : initial(Path.of(cfg.init()));
    List<double[]> curve = new java.util.ArrayList<>();
    try (ClipModel model = ClipModel.create(init); NDManager m = NDManager.newBaseManager()) {
      // the text tower runs over the batch's longest caption (ClipModel's end-of-text shortcut), not the full context
      Map<String, NDArray> params = new LinkedHashMap<>(model.weights());
      float scale0 = cfg.init() == null ? (float) Math.log(1 / 0.07) : init.tensors().get("logit_scale").data()[0];
      NDArray logitScale = m.full(new Shape(), scale0, DataType.FLOAT32);
      params.put("logit_scale", logitScale);
      Set<String> decayed = new LinkedHashSet<>();
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        e.getValue().setRequiresGradient(true);
        String k = e.getKey();
        boolean embedding = k.contains("embedding");
        if (e.getValue().getShape().dimension() >= 2 && !embedding) {
          decayed.add(k);
        }
      }
      try (AdamW opt = new AdamW(params, decayed, cfg.beta1(), cfg.beta2(), cfg.eps(), cfg.weightDecay())) {
        int start = 0;
        Path state = workDir.resolve(STATE);
        if (resume && Files.isRegularFile(state)) {
          start = restore(state, params, opt, curve);
          log.printf("resuming pretraining at step %d of %d from %s%n", start, cfg.steps(), state);
        }
        long t0 = System.nanoTime();
        CompletableFuture<Batch> next = start < cfg.steps()
            ? CompletableFuture.supplyAsync(prepareAt(sampler, tok, pre, start)) : null;
        try (ProgressBar bar = progress ? new ProgressBarBuilder().setTaskName("pretrain").setInitialMax(cfg.steps())
            .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).showSpeed().continuousUpdate().build()
            : null) {
          if (bar != null) {
            bar.stepTo(start);
          }
          double recent = Double.NaN;
          for (int step = start; step < cfg.steps(); step++) {
            Batch batch = next.join();
            next = step + 1 < cfg.steps() ? CompletableFuture.supplyAsync(prepareAt(sampler, tok, pre, step + 1)) : null;
            float loss = step(model, logitScale, m, batch);
            if (!Float.isFinite(loss)) {
              throw new IllegalStateException("pretraining loss is " + loss + " at step " + (step + 1)
                  + "; lower the learning rate or resume from " + state);
            }
            double lr = cfg.lrAt(step);
            opt.step(lr);
            try (NDArray clamped = logitScale.clip(0f, MAX_LOGIT_SCALE)) {
              logitScale.set(new NDIndex("..."), clamped);
            }
            recent = Double.isNaN(recent) ? loss : 0.9 * recent + 0.1 * loss;
            if ((step + 1) % cfg.logEvery() == 0 || step + 1 == cfg.steps()) {
              curve.add(new double[] {step + 1, loss, recent, Math.exp(logitScale.getFloat()), lr});
            }
            if (bar != null) {
              bar.step();
              bar.setExtraMessage(String.format(" loss %.3f temp %.1f lr %.1e", recent, Math.exp(logitScale.getFloat()), lr));
            }
            if ((step + 1) % cfg.checkpointEvery() == 0 || step + 1 == cfg.steps() || step + 1 == stopAfter) {
              save(state, params, opt, step + 1, curve);
            }
            if (step + 1 == stopAfter && step + 1 < cfg.steps()) {
              log.printf("stopped after step %d of %d; continue with --resume%n", step + 1, cfg.steps());
              return curve;
            }
          }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        log.printf("pretraining: %d steps of %d pairs in %.0f s (%.1f pairs/s)%n", cfg.steps() - start,
            cfg.batchSize(), secs, (cfg.steps() - start) * (double) cfg.batchSize() / Math.max(secs, 1e-9));
      }
      ClipWeights trained = model.snapshot(logitScale.getFloat(), "pretrained on the hermetic world, seed " + cfg.seed());
      Map<String, String> md = new LinkedHashMap<>();
      md.put("cliptune_pretrain_steps", Integer.toString(cfg.steps()));
      md.put("cliptune_pretrain_seed", Long.toString(cfg.seed()));
      HfCheckpointWriter.write(trained, modelDir, md);
      world.write(modelDir);
      writeCurve(workDir.resolve("loss.csv"), curve);
    }
    return curve;
  }

  /** The weights of {@code dir} to start from, which must have the configured shape. */
  private ClipWeights initial(Path dir) {
    ClipWeights w = dev.cliptune.clip.weights.ClipLoader.load(dir);
    if (!w.config().equals(cfg.model())) {
      throw new UserException(dir + ": --init expects a model of the pretraining shape " + cfg.model() + ", found "
          + w.config());
    }
    return w;
  }

  private java.util.function.Supplier<Batch> prepareAt(PretrainSampler s, ClipTokenizer tok, ClipPreprocessor pre,
      int step) {
    return () -> prepare(s, tok, pre, step);
  }

  private float step(ClipModel model, NDArray logitScale, NDManager m, Batch batch) {
    int b = cfg.batchSize();
    int r = cfg.model().vision().imageSize();
    int ctx = cfg.model().text().contextLength();
    try (NDManager s = m.newSubManager()) {
      NDArray px = dev.cliptune.clip.Tensors.owned(s, batch.pixels(), new Shape(b, 3, r, r));
      NDArray ids = dev.cliptune.clip.Tensors.owned(s, batch.ids(), new Shape(b, ctx));
      NDArray labels = s.arange(0, b, 1, DataType.INT64);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        // one unchunked call: the same steps on the same machine give the same weights bit for bit
        NDArray fi = ClipModel.l2Normalise(model.encodeImage(dev.cliptune.clip.VisionInput.of(px),
            dev.cliptune.clip.Probe.NONE));
        NDArray ft = ClipModel.l2Normalise(model.encodeText(ids));
        NDArray scale = logitScale.exp();
        scale.attach(s); // logitScale lives in the run's manager
        NDArray logits = fi.matMul(ft.transpose()).mul(scale);
        NDArray li = Loss.crossEntropy(logits, labels);
        NDArray lt = Loss.crossEntropy(logits.transpose(), labels);
        NDArray two = s.full(new Shape(), 2f, DataType.FLOAT32);
        NDArray loss = li.add(lt).div(two);
        gc.backward(loss);
        return loss.getFloat();
      }
    }
  }

  private void save(Path file, Map<String, NDArray> params, AdamW opt, int step, List<double[]> curve)
      throws IOException {
    SafeTensorsWriter w = new SafeTensorsWriter();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      long[] shape = e.getValue().getShape().getShape();
      w.putFloats("param/" + e.getKey(), e.getValue().toFloatArray(), shape);
      w.putFloats("adam_m/" + e.getKey(), opt.firstMoments().get(e.getKey()).toFloatArray(), shape);
      w.putFloats("adam_v/" + e.getKey(), opt.secondMoments().get(e.getKey()).toFloatArray(), shape);
    }
    float[] flat = new float[curve.size() * 5];
    for (int i = 0; i < curve.size(); i++) {
      for (int j = 0; j < 5; j++) {
        flat[i * 5 + j] = (float) curve.get(i)[j];
      }
    }
    w.putFloats("curve", flat, curve.size(), 5);
    w.metadata("step", Integer.toString(step)).metadata("adam_steps", Long.toString(opt.steps()))
        .metadata("seed", Long.toString(cfg.seed())).metadata("config", cfg.toString());
    w.write(file);
  }

  private int restore(Path file, Map<String, NDArray> params, AdamW opt, List<double[]> curve) {
    try (SafeTensors st = SafeTensors.open(file)) {
      if (!cfg.toString().equals(st.metadata().get("config"))) {
        throw new UserException(file + ": the saved run used " + st.metadata().get("config")
            + "; this run asks for " + cfg + " (use another --work-dir or drop --resume)");
      }
      Map<String, float[]> first = new HashMap<>();
      Map<String, float[]> second = new HashMap<>();
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        try (NDArray v = params.get(e.getKey()).getManager().create(st.floats("param/" + e.getKey()),
            e.getValue().getShape())) {
          e.getValue().set(new NDIndex("..."), v);
        }
        first.put(e.getKey(), st.floats("adam_m/" + e.getKey()));
        second.put(e.getKey(), st.floats("adam_v/" + e.getKey()));
      }
      opt.restore(first, second, Long.parseLong(st.metadata().get("adam_steps")));
      float[] c = st.floats("curve");
      for (int i = 0; i < c.length / 5; i++) {
        curve.add(new double[] {c[i * 5], c[i * 5 + 1], c[i * 5 + 2], c[i * 5 + 3], c[i * 5 + 4]});
      }
      return Integer.parseInt(st.metadata().get("step"));
    }
  }

  private static void writeCurve(Path file, List<double[]> curve) throws IOException {
    StringBuilder sb = new StringBuilder("step,loss,loss_ema,temperature,lr\n");
    for (double[] row : curve) {
      sb.append(String.format("%d,%.5f,%.5f,%.3f,%.3e%n", (long) row[0], row[1], row[2], row[3], row[4]));
    }
    AtomicFiles.writeString(file, sb.toString());
  }
}
