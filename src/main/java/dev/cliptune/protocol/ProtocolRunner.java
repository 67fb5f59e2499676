package dev.cliptune.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.data.DatasetOpener;
import dev.cliptune.data.FewShot;
import dev.cliptune.data.FewShotCache;
import dev.cliptune.data.Item;
import dev.cliptune.data.LoadedDataset;
import dev.cliptune.data.PyRandom;
import dev.cliptune.data.RunData;
import dev.cliptune.data.RunSplitFile;
import dev.cliptune.eval.Evaluation;
import dev.cliptune.eval.ImageFeatures;
import dev.cliptune.eval.Lbfgs;
import dev.cliptune.eval.LinearProbe;
import dev.cliptune.eval.Metrics;
import dev.cliptune.interpret.PromptInterpreter;
import dev.cliptune.io.AtomicFiles;
import dev.cliptune.prompt.KgCoOp;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.checkpoint.PromptCheckpoint;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptLearners;
import dev.cliptune.report.Report;
import dev.cliptune.train.Trainer;
import dev.cliptune.zeroshot.Templates;
import dev.cliptune.zeroshot.ZeroShotClassifier;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one training / evaluation job of a protocol on a loaded model: the same loaders, few-shot sampling,
 * trainer, methods and metrics for every protocol and for the embedded demo. Each run directory gets
 * {@code config.yaml}, {@code log.txt} (with Dassl's result lines, so {@code parse_test_res.py}-style tools
 * work), {@code metrics.json}, {@code split.json} and, for training runs, {@code checkpoints/}.
 */
public final class ProtocolRunner {
  private final ClipModel model;
  private final ClipTokenizer tokenizer;
  private final ClipPreprocessor pre;
  private final PrintStream console;
  private ImageFeatures.Cache featureCache;
  private Path featureCacheRoot;
  private boolean reportEachRun = true;

  public ProtocolRunner(ClipModel model, ClipTokenizer tokenizer, ClipPreprocessor pre, PrintStream console) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.pre = pre;
    this.console = console;
  }

  /**
   * Whether every run writes {@code report.html} into its own folder (on by default: {@code train}, {@code eval},
   * {@code zeroshot}); {@link Protocols} turns it off and writes one report over all its runs instead.
   */
  public ProtocolRunner reportEachRun(boolean on) {
    this.reportEachRun = on;
    return this;
  }

  private void report(Path runDir, RunLog log) {
    if (reportEachRun) {
      Report.writeAfterRun(runDir, "cliptune run " + runDir, "", log.out());
    }
  }

  /** The result of one run. */
  public record RunResult(String dataset, long seed, String subsample, Metrics metrics, List<String> classNames,
      Path runDir, Path checkpoint) {
    public double accuracy() {
      return metrics.accuracy();
    }
  }

  /** Loads a dataset by official name, folder or split file under the config's data root. */
  public LoadedDataset dataset(RunConfig cfg, String name) {
    return DatasetOpener.open(name, cfg.dataRoot(), Map.of());
  }

  /**
   * Trains on {@code subsample} of {@code dataset} (K shots, seed) and tests on the same classes. With
   * {@code resume}, an interrupted run in {@code runDir} continues.
   */
  public RunResult trainAndTest(RunConfig cfg, String datasetName, long seed, String subsample, Path runDir) {
    RunConfig c0 = cfg.forSeed(seed);
    RunConfig c = c0.withMethodConfig(methodConfig(c0, datasetName));
    try (RunLog log = RunLog.open(runDir, console)) {
      RunData data = fewShotRun(c, datasetName, seed, subsample, runDir, log);
      LoadedDataset ds = data.dataset();
      List<String> classes = data.classnames();
      log.out().printf("dataset %s (%s): %d classes, %d train / %d test images, seed %d, %d shots%n", ds.name(),
          subsample, classes.size(), data.split().train().size(), data.split().test().size(), seed, c.shots());
      try (PromptLearner learner = PromptLearners.create(model, tokenizer, classes, c.methodConfig())) {
        log.out().printf("%s: %,d trainable parameters%n", c.method().officialName, learner.trainableCount());
        Trainer trainer = new Trainer(learner, pre, c.train(), runDir, log.out());
        trainer.fit(data.split().train(), c.resume());
        log.out().println("Finished training");
        Evaluation.Result r = Evaluation.run(learner, data.split().test(), pre, c.train().testBatchSize(),
            c.train().threads(), c.train().skipCorrupt());
        writeResult(runDir, log, r, classes, ds.name(), subsample, seed);
        writeNearestWords(runDir, log, trainer.latestCheckpoint());
        report(runDir, log);
        return new RunResult(ds.name(), seed, subsample, r.metrics(), classes, runDir, trainer.latestCheckpoint());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Nearest vocabulary words per learned context vector written to {@code interpret.json} (the report shows them). */
  public static final String NEAREST_WORDS = "interpret.json";
  private static final int NEAREST_WORDS_TOP = 3;

  /**
   * {@code interpret}'s nearest words of the learned text context vectors (as {@code cliptune interpret --top 3}),
   * saved beside the metrics; methods without text vectors (VPT) get a log line instead.
   */
  private void writeNearestWords(Path runDir, RunLog log, Path checkpoint) throws IOException {
    if (checkpoint == null) {
      return;
    }
    List<PromptInterpreter.Group> groups;
    try {
      groups = PromptInterpreter.interpret(PromptCheckpoint.read(checkpoint), model, tokenizer, NEAREST_WORDS_TOP);
    } catch (IllegalArgumentException e) { // CheckpointException and the other user errors among them
      log.out().println("nearest words: none (" + e.getMessage() + ")");
      return;
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (PromptInterpreter.Group g : groups) {
      List<List<Map<String, Object>>> rows = new ArrayList<>();
      for (List<PromptInterpreter.Neighbour> row : g.rows()) {
        rows.add(row.stream().map(n -> Map.<String, Object>of("token", n.token(), "id", n.tokenId(), "distance",
            n.distance())).toList());
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("tensor", g.tensor());
      m.put("class", g.className());
      m.put("rows", rows);
      out.add(m);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("checkpoint", runDir.relativize(checkpoint).toString());
    doc.put("top", NEAREST_WORDS_TOP);
    doc.put("metric", "Euclidean distance in the token embedding table");
    doc.put("groups", out);
    AtomicFiles.writeString(runDir.resolve(NEAREST_WORDS),
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc) + "\n");
  }

  /**
   * The run's method configuration for {@code dataset}: KgCoOp without {@code TEMPLATES} takes the dataset's
   * hand-crafted template, as the official trainer picks it by {@code DATASET.NAME}.
   */
  static MethodConfig methodConfig(RunConfig c, String dataset) {
    MethodConfig m = c.methodConfig();
    if (m.method() == Method.KGCOOP && m.templateList().isEmpty()) {
      return m.toBuilder().templates(KgCoOp.template(dataset)).build();
    }
    return m;
  }

  /** Writes the run's config, loads the dataset and draws its K-shot data for the seed, recorded in split.json. */
  private RunData fewShotRun(RunConfig c, String datasetName, long seed, String subsample, Path runDir, RunLog log)
      throws IOException {
    writeConfig(runDir, c, log);
    RunData data = FewShotCache.prepare(dataset(c, datasetName), seed, c.shots(), subsample);
    RunSplitFile.write(runDir.resolve(RunSplitFile.NAME), data);
    return data;
  }

  /** Tests prompts from a checkpoint on another class set ({@code new} half, another dataset, a shifted domain). */
  public RunResult testCheckpoint(RunConfig cfg, Path checkpoint, String datasetName, long seed, String subsample,
      Path runDir) {
    RunConfig c = cfg.forSeed(seed);
    try (RunLog log = RunLog.open(runDir, console)) {
      writeConfig(runDir, c, log);
      LoadedDataset ds = dataset(c, datasetName);
      RunData data = FewShotCache.prepare(ds, seed, -1, subsample);
      List<String> classes = data.classnames();
      log.out().printf("evaluating %s on %s (%s): %d classes, %d test images%n", checkpoint, ds.name(), subsample,
          classes.size(), data.split().test().size());
      try (PromptLearner learner = PromptCheckpoint.load(PromptCheckpoint.read(checkpoint), model, tokenizer,
          classes, c.method())) {
        Evaluation.Result r = Evaluation.run(learner, data.split().test(), pre, c.train().testBatchSize(),
            c.train().threads(), c.train().skipCorrupt());
        writeResult(runDir, log, r, classes, ds.name(), subsample, seed);
        report(runDir, log);
        return new RunResult(ds.name(), seed, subsample, r.metrics(), classes, runDir, checkpoint);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Zero-shot CLIP on {@code subsample} of a dataset's test split (METHODS.md §1). */
  public RunResult zeroShot(RunConfig cfg, String datasetName, long seed, String subsample, Path runDir) {
    RunConfig c = cfg.forSeed(seed);
    try (RunLog log = RunLog.open(runDir, console)) {
      writeConfig(runDir, c, log);
      LoadedDataset ds = dataset(c, datasetName);
      RunData data = FewShotCache.prepare(ds, seed, -1, subsample);
      List<String> classes = data.classnames();
      List<String> templates = switch (c.zeroShotTemplates()) {
        case "ensemble7" -> Templates.ensemble7(ds.name());
        case "ensemble80" -> Templates.IMAGENET_80;
        default -> List.of(templateFor(ds));
      };
      log.out().printf("zero-shot CLIP on %s (%s): %d classes, %d test images, templates %s%n", ds.name(),
          subsample, classes.size(), data.split().test().size(), templates.size() == 1 ? templates.get(0)
              : templates.size() + " (ensemble)");
      try (ZeroShotClassifier zs = ZeroShotClassifier.build(model, tokenizer, classes, templates)) {
        Evaluation.Result r = Evaluation.run(zs::logits, classes.size(), data.split().test(), pre,
            c.train().testBatchSize(), c.train().threads(), c.train().skipCorrupt());
        writeResult(runDir, log, r, classes, ds.name(), subsample, seed);
        report(runDir, log);
        return new RunResult(ds.name(), seed, subsample, r.metrics(), classes, runDir, null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A linear-probe run: the test result and the search for C behind it. */
  public record LinearProbeResult(RunResult run, LinearProbe.Search search) {
    public double accuracy() {
      return run.accuracy();
    }

    /** The regularisation chosen on the validation images. */
    public double c() {
      return search.c();
    }
  }

  /**
   * Linear-probe CLIP ({@link LinearProbe}) on {@code subsample} of a dataset: image features of the run's K-shot
   * train and val images (the same few-shot subsets as every other method, {@link FewShotCache}) and of the
   * test split; C searched on val ({@code searchSteps} interval steps after lpclip's initial values); test
   * metrics of the chosen classifier. Features are cached by image path for the runs of one dataset.
   */
  public LinearProbeResult linearProbe(RunConfig cfg, String datasetName, long seed, String subsample,
      int searchSteps, Path runDir) {
    RunConfig c = cfg.forSeed(seed);
    try (RunLog log = RunLog.open(runDir, console)) {
      RunData data = fewShotRun(c, datasetName, seed, subsample, runDir, log);
      LoadedDataset ds = data.dataset();
      List<String> classes = data.classnames();
      List<Item> val = probeValidation(ds, data);
      log.out().printf("linear-probe CLIP on %s (%s): %d classes, %d train / %d val / %d test images, seed %d, "
          + "%d shots%n", ds.name(), subsample, classes.size(), data.split().train().size(), val.size(),
          data.split().test().size(), seed, c.shots());
      LinearProbe.Outcome o = LinearProbe.evaluate(featureCache(ds), data.split().train(), val,
          data.split().test(), classes.size(), searchSteps, c.train().testBatchSize(), c.train().threads(),
          c.train().skipCorrupt(), ds.name() + " (" + subsample + ", " + c.shots() + " shots, seed " + seed + ")");
      LinearProbe.Search s = o.search();
      logSearch(log.out(), s);
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("C", s.c());
      extra.put("val_accuracy", s.chosen().accuracy());
      extra.put("search", searchRecord(s, searchSteps));
      extra.put("skipped_train_val_images", o.skippedTrainVal());
      writeResult(runDir, log, new Evaluation.Result(o.test(), o.skippedTest()), classes, ds.name(), subsample,
          seed, extra);
      report(runDir, log);
      return new LinearProbeResult(new RunResult(ds.name(), seed, subsample, o.test(), classes, runDir, null), s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The images C is chosen on: the run's val list (K-shot datasets: {@code min(K, 4)} per class). ImageNet's
   * val is its test list; lpclip samples {@code min(K, 4)} per class of it (4 with all shots), and so does
   * this, with Dassl's sampler seeded by the run seed, rather than choosing C on the whole test set.
   */
  static List<Item> probeValidation(LoadedDataset ds, RunData data) {
    List<Item> val = data.split().val();
    if (ds.kind() == LoadedDataset.Kind.VAL_IS_TEST) {
      int k = data.numShots() < 1 ? 4 : Math.min(data.numShots(), 4);
      val = FewShot.fewshot(val, k, new PyRandom(data.seed()));
    }
    if (val.isEmpty()) {
      throw new dev.cliptune.data.DatasetException(ds.name() + ": no validation images (" + ds.source() + "); the linear probe"
          + " chooses C on them: give the dataset a val split (a val/ folder, a \"val\" list or a split ratio)");
    }
    return val;
  }

  private ImageFeatures.Cache featureCache(LoadedDataset ds) {
    if (featureCache == null || !ds.imageRoot().equals(featureCacheRoot)) {
      featureCache = new ImageFeatures.Cache(model, pre);
      featureCacheRoot = ds.imageRoot();
    }
    return featureCache;
  }

  private static void logSearch(PrintStream out, LinearProbe.Search s) {
    StringBuilder sb = new StringBuilder("search for C (val accuracy):");
    for (LinearProbe.Trial t : s.initial()) {
      sb.append(String.format(" %.0e: %.2f", t.c(), t.accuracy()));
    }
    out.println(sb);
    int i = 0;
    for (LinearProbe.Step st : s.steps()) {
      out.printf("step %d: C %.4g -> %.2f, C %.4g -> %.2f, keep %.4g%n", i++, st.left().c(), st.left().accuracy(),
          st.right().c(), st.right().accuracy(), st.chosen().c());
    }
    Lbfgs.Result f = s.classifier().fit();
    out.printf("chosen C %.6g (val accuracy %.2f%%); %d distinct fits; final fit: %s after %d iterations, "
        + "objective %.6g, max |gradient| %.2e%n", s.c(), s.chosen().accuracy(), s.fits(), f.status(),
        f.iterations(), f.value(), f.gradientMaxNorm());
  }

  private static Map<String, Object> searchRecord(LinearProbe.Search s, int steps) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("initial_C", LinearProbe.INITIAL_C);
    List<Double> acc = new ArrayList<>();
    s.initial().forEach(t -> acc.add(t.accuracy()));
    r.put("initial_val_accuracy", acc);
    r.put("steps", steps);
    List<Map<String, Object>> st = new ArrayList<>();
    for (LinearProbe.Step step : s.steps()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("C_left", step.left().c());
      m.put("val_accuracy_left", step.left().accuracy());
      m.put("C_right", step.right().c());
      m.put("val_accuracy_right", step.right().accuracy());
      m.put("C_kept", step.chosen().c());
      st.add(m);
    }
    r.put("interval_steps", st);
    Lbfgs.Result f = s.classifier().fit();
    r.put("final_fit", Map.of("status", f.status().name(), "iterations", f.iterations(), "objective", f.value(),
        "max_abs_gradient", f.gradientMaxNorm()));
    r.put("solver", "L-BFGS, max_iter 1000, tol 1e-4 (scikit-learn lbfgs settings)");
    return r;
  }

  /** The dataset's own template: a {@code template.txt} beside a custom dataset, else the official table. */
  static String templateFor(LoadedDataset ds) {
    Path t = ds.datasetDir() == null ? null : ds.datasetDir().resolve("template.txt");
    if (t != null && Files.isRegularFile(t)) {
      try {
        String s = Files.readString(t).trim();
        if (s.contains("{}")) {
          return s;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Templates.forDataset(ds.name());
  }

  /** The run's config; a run whose encoders are not the official float32 says so ({@code precision: "bf16"}). */
  private void writeConfig(Path runDir, RunConfig c, RunLog log) throws IOException {
    String yaml = c.toYaml();
    dev.cliptune.clip.Precision precision = model.precision();
    if (precision != dev.cliptune.clip.Precision.FP32) {
      yaml = yaml + (yaml.endsWith("\n") ? "" : "\n") + "precision: \"" + precision.name().toLowerCase(
          java.util.Locale.ROOT) + "\"\n";
    }
    log.out().println("config:");
    yaml.lines().forEach(l -> log.out().println("  " + l));
    AtomicFiles.writeString(runDir.resolve("config.yaml"), yaml);
  }

  private static void writeResult(Path runDir, RunLog log, Evaluation.Result r, List<String> classes,
      String dataset, String subsample, long seed) throws IOException {
    writeResult(runDir, log, r, classes, dataset, subsample, seed, Map.of());
  }

  private static void writeResult(Path runDir, RunLog log, Evaluation.Result r, List<String> classes,
      String dataset, String subsample, long seed, Map<String, Object> extra) throws IOException {
    Metrics m = r.metrics();
    log.out().println("=> result");
    log.out().printf("* total: %d%n* correct: %d%n* accuracy: %.1f%%%n* error: %.1f%%%n* macro_f1: %.1f%%%n",
        m.total(), Math.round(m.accuracy() * m.total() / 100), m.accuracy(), 100 - m.accuracy(), m.macroF1());
    if (r.skipped() > 0) {
      log.out().printf("* skipped (undecodable images): %d%n", r.skipped());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("dataset", dataset);
    out.put("subsample", subsample);
    out.put("seed", seed);
    out.putAll(m.toMap(classes));
    out.put("skipped_images", r.skipped());
    out.putAll(extra);
    AtomicFiles.writeString(runDir.resolve("metrics.json"),
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out) + "\n");
  }

  /** Console + {@code log.txt}. */
  static final class RunLog implements AutoCloseable {
    private final PrintStream out;
    private final OutputStream file;

    private RunLog(PrintStream out, OutputStream file) {
      this.out = out;
      this.file = file;
    }

    static RunLog open(Path runDir, PrintStream console) throws IOException {
      Files.createDirectories(runDir);
      OutputStream f = Files.newOutputStream(runDir.resolve("log.txt"), java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      OutputStream tee = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          console.write(b);
          f.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          console.write(b, off, len);
          f.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
          console.flush();
          f.flush();
        }
      };
      return new RunLog(new PrintStream(tee, true, StandardCharsets.UTF_8), f);
    }

    PrintStream out() {
      return out;
    }

    @Override
    public void close() throws IOException {
      out.flush();
      file.close();
    }
  }

  static boolean isZeroShot(RunConfig c) {
    return c.method() == Method.ZS_CLIP;
  }
}
