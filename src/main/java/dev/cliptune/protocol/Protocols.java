package dev.cliptune.protocol;

import dev.cliptune.prompt.Method;
import dev.cliptune.report.Report;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The papers' protocols (PROTOCOL.md §11), each one call over {@link ProtocolRunner}: base-to-novel,
 * cross-dataset transfer, domain generalisation and few-shot. Aggregation as {@code parse_test_res.py}: the
 * accuracies as the logs print them (one decimal), mean and population std over seeds, HM of the means.
 */
public final class Protocols {
  private final ProtocolRunner runner;
  private final PrintStream out;
  private boolean report = true;

  /** Protocols over {@code runner}, whose per-run reports it turns off: it writes one report over all its runs. */
  public Protocols(ProtocolRunner runner, PrintStream out) {
    this.runner = runner.reportEachRun(false);
    this.out = out;
  }

  /**
   * Whether each protocol writes {@code report.html} into its output folder when its table is written (default on;
   * the demo turns it off and writes one report over all its methods).
   */
  public Protocols report(boolean on) {
    this.report = on;
    return this;
  }

  private static String methodLabel(RunConfig cfg) {
    return cfg.method() == Method.ZS_CLIP ? "CLIP" : cfg.method().officialName;
  }

  /**
   * The one layout of run folders, the official scripts' {@code output/base2new/train_base/<dataset>/shots_<K>/
   * <trainer>/<config>/seed<S>}: {@code <output>/<phase>/<dataset>/shots_<K>/<method>/<preset>/seed<S>}. The
   * protocols name their phases ({@code base2new/train_base}, {@code evaluation}, {@code fewshot}, ...), the
   * single-run commands {@code <command>/<subsample>} ({@code train/base}, {@code eval/new}, {@code zeroshot/all}).
   */
  public static Path runDir(RunConfig cfg, String phase, String dataset, long seed) {
    String method = cfg.method() == Method.ZS_CLIP ? "ZeroshotCLIP" : cfg.method().officialName;
    return cfg.output().resolve(phase).resolve(dirName(dataset)).resolve("shots_" + cfg.shots()).resolve(method)
        .resolve(cfg.preset()).resolve("seed" + seed);
  }

  /**
   * The folder name of a {@code --dataset} value under the output folder: an official name as it is, a dataset
   * folder or split file by its last path element (resolving the path itself would put the runs inside it).
   */
  public static String dirName(String dataset) {
    Path p = Path.of(dataset);
    return p.isAbsolute() || p.getNameCount() > 1 ? p.getFileName().toString() : dataset;
  }

  /** Base-to-novel: train on base classes, test base and new; seeds; Base / New / HM per dataset. */
  public ResultsTable baseToNovel(RunConfig cfg) {
    String label = methodLabel(cfg);
    ResultsTable table = new ResultsTable("Base-to-novel, " + label + " (" + cfg.preset() + ", " + cfg.shots()
        + " shots, seeds " + cfg.seeds() + ")", List.of("dataset", "Base", "New", "HM", "published Base / New / HM"));
    List<Double> allBase = new ArrayList<>();
    List<Double> allNew = new ArrayList<>();
    for (String ds : cfg.datasets()) {
      List<Double> base = new ArrayList<>();
      List<Double> novel = new ArrayList<>();
      for (long seed : cfg.seeds()) {
        ProtocolRunner.RunResult b;
        ProtocolRunner.RunResult n;
        if (cfg.method() == Method.ZS_CLIP) {
          b = runner.zeroShot(cfg, ds, seed, "base", runDir(cfg, "base2new/test_base", ds, seed));
          n = runner.zeroShot(cfg, ds, seed, "new", runDir(cfg, "base2new/test_new", ds, seed));
        } else {
          b = runner.trainAndTest(cfg, ds, seed, "base", runDir(cfg, "base2new/train_base", ds, seed));
          n = runner.testCheckpoint(cfg, b.checkpoint(), ds, seed, "new", runDir(cfg, "base2new/test_new", ds, seed));
        }
        base.add(Aggregate.oneDecimal(b.accuracy()));
        novel.add(Aggregate.oneDecimal(n.accuracy()));
      }
      Aggregate.MeanStd mb = Aggregate.of(base);
      Aggregate.MeanStd mn = Aggregate.of(novel);
      allBase.add(mb.mean());
      allNew.add(mn.mean());
      double hm = Aggregate.harmonicMean(mb.mean(), mn.mean());
      Map<String, Object> rec = record(ds, "base", mb, "new", mn, hm, base, novel);
      putPublished(rec, label, ds);
      table.add(List.of(ds, mb.toString(), mn.toString(), String.format("%.2f", hm), published(label, ds)), rec);
      out.printf("%s: base %s, new %s, HM %.2f%n", ds, mb, mn, hm);
    }
    if (cfg.datasets().size() > 1) {
      double b = Aggregate.of(allBase).mean();
      double n = Aggregate.of(allNew).mean();
      double hm = Aggregate.harmonicMean(b, n);
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("dataset", "Average");
      rec.put("base", b);
      rec.put("new", n);
      rec.put("hm", hm);
      putPublished(rec, label, "Average");
      table.add(List.of("Average", String.format("%.2f", b), String.format("%.2f", n), String.format("%.2f", hm),
          published(label, "Average")), rec);
    }
    write(cfg, table, "base2new_" + label);
    return table;
  }

  private static String published(String method, String dataset) {
    var m = PublishedResults.BASE_TO_NOVEL.get(method);
    var r = m == null ? null : m.get(dataset);
    return r == null ? "–" : String.format("%.2f / %.2f / %.2f", r.base(), r.novel(), r.hm());
  }

  /** The published Base / New / HM of a row, when there is one, for the HTML report's bars. */
  private static void putPublished(Map<String, Object> rec, String method, String dataset) {
    var m = PublishedResults.BASE_TO_NOVEL.get(method);
    var r = m == null ? null : m.get(dataset);
    if (r != null) {
      rec.put("published", Map.of("base", r.base(), "new", r.novel(), "hm", r.hm()));
    }
  }

  private static Map<String, Object> record(String ds, String k1, Aggregate.MeanStd a, String k2,
      Aggregate.MeanStd b, double hm, List<Double> v1, List<Double> v2) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("dataset", ds);
    r.put(k1, a.mean());
    r.put(k1 + "_std", a.std());
    r.put(k1 + "_per_seed", v1);
    r.put(k2, b.mean());
    r.put(k2 + "_std", b.std());
    r.put(k2 + "_per_seed", v2);
    r.put("hm", hm);
    return r;
  }

  /**
   * Train once per seed on {@code source} (all classes), test on the source and every target, all classes
   * (cross-dataset transfer and domain generalisation share this).
   */
  public ResultsTable transfer(RunConfig cfg, String source, List<String> targets, String title, String file,
      Map<String, Map<String, Double>> publishedTable) {
    String label = methodLabel(cfg);
    Map<String, List<Double>> acc = new LinkedHashMap<>();
    acc.put(source, new ArrayList<>());
    targets.forEach(t -> acc.put(t, new ArrayList<>()));
    for (long seed : cfg.seeds()) {
      if (cfg.method() == Method.ZS_CLIP) {
        for (String ds : acc.keySet()) {
          acc.get(ds).add(Aggregate.oneDecimal(runner.zeroShot(cfg, ds, seed, "all",
              runDir(cfg, "evaluation", ds, seed)).accuracy()));
        }
        continue;
      }
      ProtocolRunner.RunResult src = runner.trainAndTest(cfg, source, seed, "all", runDir(cfg, "train", source, seed));
      acc.get(source).add(Aggregate.oneDecimal(src.accuracy()));
      for (String t : targets) {
        acc.get(t).add(Aggregate.oneDecimal(runner.testCheckpoint(cfg, src.checkpoint(), t, seed, "all",
            runDir(cfg, "evaluation", t, seed)).accuracy()));
      }
    }
    ResultsTable table = new ResultsTable(title + ", " + label + " (" + cfg.preset() + ", seeds " + cfg.seeds() + ")",
        List.of("dataset", "role", "accuracy", "published"));
    List<Double> targetMeans = new ArrayList<>();
    for (Map.Entry<String, List<Double>> e : acc.entrySet()) {
      Aggregate.MeanStd m = Aggregate.of(e.getValue());
      boolean isSource = e.getKey().equals(source);
      if (!isSource) {
        targetMeans.add(m.mean());
      }
      Map<String, Double> pub = publishedTable.get(label);
      Double p = pub == null ? null : pub.get(e.getKey());
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("dataset", e.getKey());
      rec.put("role", isSource ? "source" : "target");
      rec.put("accuracy", m.mean());
      rec.put("std", m.std());
      rec.put("per_seed", e.getValue());
      if (p != null) {
        rec.put("published", p);
      }
      table.add(List.of(e.getKey(), isSource ? "source" : "target", m.toString(),
          p == null ? "–" : String.format("%.2f", p)), rec);
    }
    if (targets.size() > 1) {
      double avg = Aggregate.of(targetMeans).mean();
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("dataset", "Average (targets)");
      rec.put("accuracy", avg);
      Map<String, Double> pub = publishedTable.get(label);
      Double p = pub == null ? null : pub.get("Average");
      if (p != null) {
        rec.put("published", p);
      }
      table.add(List.of("Average (targets)", "", String.format("%.2f", avg), p == null ? "–" : String.format("%.2f", p)),
          rec);
    }
    write(cfg, table, file + "_" + label);
    return table;
  }

  /** Few-shot: all classes, K in {@code shots}, accuracy per K. */
  public ResultsTable fewShot(RunConfig cfg, List<Integer> shots) {
    String label = methodLabel(cfg);
    List<String> cols = new ArrayList<>(List.of("dataset"));
    shots.forEach(k -> cols.add(k + " shots"));
    ResultsTable table = new ResultsTable("Few-shot, " + label + " (" + cfg.preset() + ", seeds " + cfg.seeds() + ")",
        cols);
    for (String ds : cfg.datasets()) {
      List<String> cells = new ArrayList<>(List.of(ds));
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("dataset", ds);
      for (int k : shots) {
        RunConfig ck = new RunConfig(cfg.model(), cfg.dataRoot(), cfg.datasets(), cfg.method(), cfg.preset(),
            cfg.methodConfig(), k, cfg.seeds(), "all", cfg.train(), cfg.zeroShotTemplates(), cfg.output(),
            cfg.resume());
        List<Double> acc = new ArrayList<>();
        for (long seed : cfg.seeds()) {
          acc.add(Aggregate.oneDecimal(runner.trainAndTest(ck, ds, seed, "all", runDir(ck, "fewshot", ds, seed))
              .accuracy()));
        }
        Aggregate.MeanStd m = Aggregate.of(acc);
        cells.add(m.toString());
        rec.put(k + "_shots", m.mean());
        rec.put(k + "_shots_std", m.std());
      }
      table.add(cells, rec);
    }
    write(cfg, table, "fewshot_" + label);
    return table;
  }

  /**
   * Linear-probe CLIP on every dataset of {@code cfg} ({@code cfg.subsample()} classes, {@code cfg.shots()} shots,
   * each seed): chosen C per seed and test accuracy mean ± std over seeds, as lpclip reports it. With
   * {@code subsample = base} the accuracy is comparable with base-to-novel's Base column.
   */
  public ResultsTable linearProbe(RunConfig cfg, int searchSteps) {
    String sub = cfg.subsample();
    ResultsTable table = new ResultsTable("Linear-probe CLIP (" + sub + " classes, " + cfg.shots() + " shots, seeds "
        + cfg.seeds() + ", " + searchSteps + " search steps)", List.of("dataset", "shots", "seeds", "C per seed",
            "accuracy"));
    for (String ds : cfg.datasets()) {
      List<Double> acc = new ArrayList<>();
      List<Double> cs = new ArrayList<>();
      for (long seed : cfg.seeds()) {
        ProtocolRunner.LinearProbeResult r = runner.linearProbe(cfg, ds, seed, sub, searchSteps,
            runDir(cfg, "linear_probe/" + sub, ds, seed));
        acc.add(Aggregate.oneDecimal(r.accuracy()));
        cs.add(r.c());
      }
      Aggregate.MeanStd m = Aggregate.of(acc);
      List<String> cText = cs.stream().map(c -> String.format("%.3g", c)).toList();
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("dataset", ds);
      rec.put("subsample", sub);
      rec.put("shots", cfg.shots());
      rec.put("seeds", cfg.seeds());
      rec.put("C_per_seed", cs);
      rec.put("accuracy", m.mean());
      rec.put("std", m.std());
      rec.put("per_seed", acc);
      table.add(List.of(ds, Integer.toString(cfg.shots()), cfg.seeds().toString(), String.join(" / ", cText),
          m.toString()), rec);
      out.printf("%s: %d shots, seeds %s, C %s, test accuracy %s%n", ds, cfg.shots(), cfg.seeds(),
          String.join(" / ", cText), m);
    }
    write(cfg, table, "linear_probe_" + sub + "_" + cfg.shots() + "shots");
    return table;
  }

  private void write(RunConfig cfg, ResultsTable table, String base) {
    try {
      table.write(cfg.output(), base);
      out.println();
      out.print(table.markdown());
      out.println("\nwrote " + cfg.output().resolve(base + ".{md,csv,json}"));
      if (report) {
        Report.writeAfterRun(cfg.output(), "cliptune report: " + cfg.output().toAbsolutePath().normalize()
            .getFileName(), "", out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
