package dev.cliptune.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cliptune.io.AtomicFiles;
import dev.cliptune.io.UserException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code report.html}: one self-contained page (inline SVG charts, inline CSS, no script, nothing fetched) built
 * from run folders alone — the protocol tables as grouped bars (Base / New / HM per dataset and method, with the
 * papers' numbers beside where they exist), few-shot curves, per-domain bars, then per run group (the seeds of one
 * dataset, method and class half) the training curves, per-class accuracy, confusion matrix and the nearest words
 * of the learned prompts. Several folders side by side: their methods share the charts, labelled by folder.
 */
public final class Report {
  public static final String FILE = "report.html";
  /** Method order in charts and run lists; others follow alphabetically. */
  private static final List<String> METHOD_ORDER = List.of("CLIP", "CoOp", "CoCoOp", "MaPLe", "MaPLeShared", "MIP",
      "IVLP", "VPT", "Linear probe");

  private final List<RunFiles.Found> found = new ArrayList<>();
  private final List<Path> dirs = new ArrayList<>();
  private String title = "cliptune report";
  private String intro = "";
  private final Charts charts = new Charts();
  private final StringBuilder html = new StringBuilder();

  private Report() {}

  /** A report of the run folders and protocol tables under {@code dirs} (each a labelled source). */
  public static Report of(List<Path> dirs) {
    if (dirs.isEmpty()) {
      throw new UserException("report: no folder given");
    }
    Report r = new Report();
    Set<String> labels = new LinkedHashSet<>();
    for (Path d : dirs) {
      Path abs = d.toAbsolutePath().normalize();
      String label = abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
      for (int i = 2; !labels.add(label); i++) {
        label = (abs.getFileName() == null ? abs.toString() : abs.getFileName().toString()) + " #" + i;
      }
      r.found.add(RunFiles.scan(d, label));
      r.dirs.add(d);
    }
    return r;
  }

  public Report title(String t) {
    this.title = t;
    return this;
  }

  /** A paragraph under the title (plain text). */
  public Report intro(String text) {
    this.intro = text;
    return this;
  }

  /**
   * Takes the title and intro of an earlier page at {@code file}, if there is one (a rebuilt demo report stays the
   * demo's report).
   */
  public Report titleOf(Path file) {
    if (!java.nio.file.Files.isRegularFile(file)) {
      return this;
    }
    String page;
    try {
      page = java.nio.file.Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    java.util.regex.Matcher t = java.util.regex.Pattern.compile("<title>([^<]*)</title>").matcher(page);
    if (t.find()) {
      title = Html.unescape(t.group(1));
    }
    java.util.regex.Matcher i = java.util.regex.Pattern.compile("<p class=\"intro\">([^<]*)</p>").matcher(page);
    if (i.find()) {
      intro = Html.unescape(i.group(1));
    }
    return this;
  }

  /** Builds the page and writes it atomically. */
  public Path write(Path file) {
    try {
      AtomicFiles.writeString(file, html());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Writes {@code <dir>/report.html} at the end of a run, whose results are already saved: a report that cannot be
   * built is a warning naming the reason and the command that rebuilds it, not a failed run.
   */
  public static void writeAfterRun(Path dir, String title, String intro, PrintStream out) {
    Path file = dir.resolve(FILE);
    try {
      of(List.of(dir)).title(title).intro(intro).write(file);
      out.println("wrote " + file);
    } catch (RuntimeException | Error e) { // e.g. AWT without fonts: "No fonts found", a fontconfig failure
      if (e instanceof OutOfMemoryError oom) {
        throw oom;
      }
      out.println("report: could not write " + file + " (" + e + "); the run's files are saved, rebuild it with "
          + "`cliptune report " + dir + "`");
    }
  }

  /** The page. */
  public String html() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    html.setLength(0);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(Html.esc(title))
        .append("</title>\n<style>").append(CSS).append("</style></head>\n<body>\n<h1>").append(Html.esc(title))
        .append("</h1>\n");
    if (!intro.isBlank()) {
      html.append("<p class=\"intro\">").append(Html.esc(intro)).append("</p>\n");
    }
    html.append("<p class=\"sources\">Built from ");
    for (int i = 0; i < dirs.size(); i++) {
      html.append(i == 0 ? "" : ", ").append("<code>").append(Html.esc(dirs.get(i).toString())).append("</code>");
    }
    html.append(" — rebuild with <code>cliptune report FOLDER...</code>.</p>\n");
    findings();
    baseToNovel();
    fewShot();
    transfer(RunFiles.Kind.DG, "dg", "Domain generalisation (per domain)");
    transfer(RunFiles.Kind.XDATA, "xdata", "Cross-dataset transfer");
    linearProbeAlone();
    settings();
    runs();
    html.append("</body></html>\n");
    return html.toString();
  }

  private static final String CSS = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;"
      + "max-width:1280px;padding:0 16px;color:#222}h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;"
      + "padding-bottom:4px;margin-top:2em}code{background:#f4f4f4;padding:1px 4px}"
      + ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:12px;align-items:start}"
      + "figure{margin:0}figure svg,figure img{max-width:100%;height:auto}figure.wide{grid-column:1/-1}"
      + "table{border-collapse:collapse;margin:8px 0;font-size:0.9em}td,th{border:1px solid #ddd;padding:3px 8px;"
      + "text-align:right}td:first-child,th:first-child{text-align:left}.paper{color:#777;font-size:0.85em}"
      + "details{margin:6px 0;border:1px solid #e3e3e3;border-radius:4px;padding:4px 10px}"
      + "summary{cursor:pointer;font-weight:600}table.settings td,table.settings th,table.findings td,table.findings th{text-align:left}"
      + ".path{color:#777;font-size:0.85em}.note{color:#555}";

  /** The file in which the demo states which of the papers' findings its run reproduces. */
  public static final String FINDINGS = "findings.json";

  /**
   * The findings a folder's {@value #FINDINGS} lists (the demo writes it: id, claim, holds, margin, noise, detail),
   * as a table per folder.
   */
  private void findings() {
    for (Path d : dirs) {
      Path f = d.resolve(FINDINGS);
      if (!java.nio.file.Files.isRegularFile(f)) {
        continue;
      }
      JsonNode list = RunFiles.read(f);
      html.append("<h2>The papers' findings on this run</h2>\n<p class=\"note\">Each holds only if its margin exceeds"
          + " twice the larger per-seed standard deviation of the two numbers compared.</p>\n"
          + "<table class=\"findings\" data-table=\"findings\"><tr><th></th><th>finding</th><th>holds</th><th>margin</th>"
          + "<th>2 × std</th><th>numbers (mean ± std over seeds)</th></tr>\n");
      for (JsonNode r : list) {
        html.append("<tr data-holds=\"").append(r.path("holds").asBoolean()).append("\"><td>(")
            .append(Html.esc(r.path("id").asText())).append(")</td><td>").append(Html.esc(r.path("claim").asText()))
            .append("</td><td>").append(r.path("holds").asBoolean() ? "yes" : "<b>no</b>").append("</td><td>")
            .append(String.format(Locale.ROOT, "%+.1f", r.path("margin").asDouble())).append("</td><td>")
            .append(String.format(Locale.ROOT, "%.1f", r.path("noise").asDouble())).append("</td><td>")
            .append(Html.esc(r.path("detail").asText())).append("</td></tr>\n");
      }
      html.append("</table>\n");
    }
  }

  // ---- protocol tables -------------------------------------------------------------------------------------------

  private List<RunFiles.Table> tables(RunFiles.Kind kind) {
    List<RunFiles.Table> out = new ArrayList<>();
    for (RunFiles.Found f : found) {
      f.tables().stream().filter(t -> t.kind() == kind).forEach(out::add);
    }
    out.sort(Comparator.comparingInt((RunFiles.Table t) -> sourceIndex(t.source()))
        .thenComparingInt(t -> methodRank(t.method())));
    return out;
  }

  private int sourceIndex(String source) {
    for (int i = 0; i < found.size(); i++) {
      if (found.get(i).source().equals(source)) {
        return i;
      }
    }
    return found.size();
  }

  private static int methodRank(String m) {
    int i = METHOD_ORDER.indexOf(m);
    return i < 0 ? METHOD_ORDER.size() : i;
  }

  /** A method's label in charts: the method, prefixed with its folder when several folders share the page. */
  private String column(RunFiles.Table t) {
    return found.size() > 1 ? t.source() + ": " + t.method() : t.method();
  }

  private static Double value(JsonNode n) {
    return n != null && n.isNumber() ? n.asDouble() : null;
  }

  private static String fmt(Double v) {
    return v == null ? "–" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String fmt2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static List<String> datasets(List<RunFiles.Table> tables) {
    Set<String> ds = new LinkedHashSet<>();
    tables.forEach(t -> t.rows().forEach(r -> ds.add(r.path("dataset").asText())));
    List<String> out = new ArrayList<>(ds);
    out.sort(Comparator.comparing((String d) -> d.startsWith("Average")));
    return out;
  }

  private static JsonNode row(RunFiles.Table t, String dataset) {
    for (JsonNode r : t.rows()) {
      if (dataset.equals(r.path("dataset").asText())) {
        return r;
      }
    }
    return null;
  }

  private void baseToNovel() {
    List<RunFiles.Table> tables = tables(RunFiles.Kind.BASE2NEW);
    if (tables.isEmpty()) {
      return;
    }
    List<RunFiles.Table> probes = tables(RunFiles.Kind.LINEAR_PROBE).stream()
        .filter(t -> !t.rows().isEmpty() && "base".equals(t.rows().get(0).path("subsample").asText())).toList();
    List<RunFiles.Table> columns = new ArrayList<>(tables);
    columns.addAll(probes);
    html.append("<section id=\"base2new\"><h2>Base-to-novel: Base / New / HM</h2>\n<p class=\"note\">Accuracy (%) on"
        + " the base classes (trained on), the new classes (unseen) and their harmonic mean, mean over seeds. Light"
        + " bars: the papers' numbers (ViT-B/16, 16 shots) where the dataset has a published row (beside the"
        + " Average: the papers' average over their 11 datasets, a reference for the pattern, not the level). The"
        + " linear probe is"
        + " trained on the same K-shot base images and has a Base bar only.</p>\n<div class=\"grid\">\n");
    List<String> datasets = datasets(tables);
    for (String ds : datasets) {
      List<String> cats = new ArrayList<>();
      List<List<Double>> ours = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      List<List<Double>> paper = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      boolean anyPaper = false;
      for (RunFiles.Table t : columns) {
        JsonNode r = row(t, ds);
        if (r == null) {
          continue;
        }
        cats.add(column(t));
        boolean probe = t.kind() == RunFiles.Kind.LINEAR_PROBE;
        ours.get(0).add(value(r.get(probe ? "accuracy" : "base")));
        ours.get(1).add(probe ? null : value(r.get("new")));
        ours.get(2).add(probe ? null : value(r.get("hm")));
        JsonNode p = r.get("published");
        anyPaper |= p != null;
        paper.get(0).add(p == null ? null : value(p.get("base")));
        paper.get(1).add(p == null ? null : value(p.get("new")));
        paper.get(2).add(p == null ? null : value(p.get("hm")));
      }
      String[] names = {"Base", "New", "HM"};
      List<Charts.BarSeries> series = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        series.add(new Charts.BarSeries(names[k], ours.get(k), Charts.PALETTE.get(k)));
      }
      if (anyPaper) {
        for (int k = 0; k < 3; k++) {
          series.add(new Charts.BarSeries(names[k] + " (paper)", paper.get(k), Charts.light(Charts.PALETTE.get(k))));
        }
      }
      int width = Math.max(460, 90 + cats.size() * (anyPaper ? 150 : 80));
      figure("base2new", ds, charts.bars(ds, "accuracy (%)", cats, series, 115, width, 340), width > 640);
    }
    html.append("</div>\n<table class=\"numbers\" data-table=\"base2new\"><thead><tr><th>dataset</th>");
    columns.forEach(t -> html.append("<th>").append(Html.esc(column(t)))
        .append(t.kind() == RunFiles.Kind.LINEAR_PROBE ? " Base" : " Base / New / HM").append("</th>"));
    html.append("</tr></thead><tbody>\n");
    for (String ds : datasets) {
      html.append("<tr><td>").append(Html.esc(ds)).append("</td>");
      for (RunFiles.Table t : columns) {
        JsonNode r = row(t, ds);
        html.append("<td>");
        if (r != null && t.kind() == RunFiles.Kind.LINEAR_PROBE) {
          html.append(fmt(value(r.get("accuracy"))));
        } else if (r != null) {
          html.append(fmt(value(r.get("base")))).append(" / ").append(fmt(value(r.get("new")))).append(" / ")
              .append(fmt(value(r.get("hm"))));
          JsonNode p = r.get("published");
          if (p != null) {
            html.append("<br><span class=\"paper\">paper ").append(fmt(value(p.get("base")))).append(" / ")
                .append(fmt(value(p.get("new")))).append(" / ").append(fmt(value(p.get("hm")))).append("</span>");
          }
        } else {
          html.append("–");
        }
        html.append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</tbody></table>\n</section>\n");
  }

  private void fewShot() {
    List<RunFiles.Table> tables = tables(RunFiles.Kind.FEWSHOT);
    if (tables.isEmpty()) {
      return;
    }
    html.append("<section id=\"fewshot\"><h2>Few-shot: accuracy against shots per class</h2>\n<div class=\"grid\">\n");
    for (String ds : datasets(tables)) {
      Map<String, List<double[]>> series = new LinkedHashMap<>();
      for (RunFiles.Table t : tables) {
        JsonNode r = row(t, ds);
        if (r == null) {
          continue;
        }
        List<double[]> pts = new ArrayList<>();
        r.fieldNames().forEachRemaining(f -> {
          if (f.matches("\\d+_shots")) {
            pts.add(new double[] {Integer.parseInt(f.substring(0, f.indexOf('_'))), r.get(f).asDouble()});
          }
        });
        series.put(column(t), pts);
      }
      figure("fewshot", ds, charts.lines(ds, "shots per class", "accuracy (%)", series, true, 520, 320));
    }
    html.append("</div>\n");
    numbersTable("fewshot", tables, "_shots");
    html.append("</section>\n");
  }

  /** A table of every numeric column with {@code suffix} (few-shot: K_shots) per method and dataset. */
  private void numbersTable(String id, List<RunFiles.Table> tables, String suffix) {
    Set<String> cols = new LinkedHashSet<>();
    tables.forEach(t -> t.rows().forEach(r -> r.fieldNames().forEachRemaining(f -> {
      if (f.endsWith(suffix)) {
        cols.add(f);
      }
    })));
    html.append("<table class=\"numbers\" data-table=\"").append(id)
        .append("\"><thead><tr><th>method</th><th>dataset</th>");
    cols.forEach(c -> html.append("<th>").append(Html.esc(c.replace('_', ' '))).append("</th>"));
    html.append("</tr></thead><tbody>\n");
    for (RunFiles.Table t : tables) {
      for (JsonNode r : t.rows()) {
        html.append("<tr><td>").append(Html.esc(column(t))).append("</td><td>")
            .append(Html.esc(r.path("dataset").asText())).append("</td>");
        cols.forEach(c -> html.append("<td>").append(fmt(value(r.get(c)))).append("</td>"));
        html.append("</tr>\n");
      }
    }
    html.append("</tbody></table>\n");
  }

  /** Source and targets (cross-dataset, domain generalisation): one bar per dataset and method, papers' beside. */
  private void transfer(RunFiles.Kind kind, String id, String heading) {
    List<RunFiles.Table> tables = tables(kind);
    if (tables.isEmpty()) {
      return;
    }
    html.append("<section id=\"").append(id).append("\"><h2>").append(Html.esc(heading)).append("</h2>\n")
        .append("<p class=\"note\">Accuracy (%), all classes; trained on the source only. Light bars: the papers'"
            + " numbers where published.</p>\n");
    List<String> datasets = datasets(tables);
    List<Charts.BarSeries> series = new ArrayList<>();
    int i = 0;
    for (RunFiles.Table t : tables) {
      List<Double> ours = new ArrayList<>();
      List<Double> paper = new ArrayList<>();
      for (String ds : datasets) {
        JsonNode r = row(t, ds);
        ours.add(r == null ? null : value(r.get("accuracy")));
        paper.add(r == null ? null : value(r.get("published")));
      }
      java.awt.Color colour = Charts.PALETTE.get(i++ % Charts.PALETTE.size());
      series.add(new Charts.BarSeries(column(t), ours, colour));
      if (paper.stream().anyMatch(v -> v != null)) {
        series.add(new Charts.BarSeries(column(t) + " (paper)", paper, Charts.light(colour)));
      }
    }
    html.append("<div class=\"grid\">\n");
    int width = Math.max(560, 80 + datasets.size() * series.size() * 34);
    figure(id, heading, charts.bars(heading, "accuracy (%)", datasets, series, 115, width, 360), width > 640);
    html.append("</div>\n<table class=\"numbers\" data-table=\"").append(id)
        .append("\"><thead><tr><th>dataset</th><th>role</th>");
    tables.forEach(t -> html.append("<th>").append(Html.esc(column(t))).append("</th>"));
    html.append("</tr></thead><tbody>\n");
    for (String ds : datasets) {
      JsonNode first = tables.stream().map(t -> row(t, ds)).filter(r -> r != null).findFirst().orElse(null);
      html.append("<tr><td>").append(Html.esc(ds)).append("</td><td>")
          .append(Html.esc(first == null ? "" : first.path("role").asText(""))).append("</td>");
      for (RunFiles.Table t : tables) {
        JsonNode r = row(t, ds);
        html.append("<td>").append(r == null ? "–" : fmt(value(r.get("accuracy"))));
        if (r != null && r.get("published") != null) {
          html.append("<br><span class=\"paper\">paper ").append(fmt(value(r.get("published")))).append("</span>");
        }
        html.append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</tbody></table>\n</section>\n");
  }

  private void linearProbeAlone() {
    List<RunFiles.Table> tables = tables(RunFiles.Kind.LINEAR_PROBE);
    if (tables.isEmpty() || !tables(RunFiles.Kind.BASE2NEW).isEmpty()) {
      return;
    }
    html.append("<section id=\"linear-probe\"><h2>Linear-probe CLIP</h2>\n<div class=\"grid\">\n");
    List<String> datasets = datasets(tables);
    List<Charts.BarSeries> series = new ArrayList<>();
    for (int i = 0; i < tables.size(); i++) {
      RunFiles.Table t = tables.get(i);
      List<Double> v = datasets.stream().map(ds -> {
        JsonNode r = row(t, ds);
        return r == null ? null : value(r.get("accuracy"));
      }).toList();
      String label = (found.size() > 1 ? t.source() + ": " : "") + t.title().replaceFirst("^Linear-probe CLIP ", "");
      series.add(new Charts.BarSeries(label, v, Charts.PALETTE.get(i % Charts.PALETTE.size())));
    }
    figure("linear-probe", "linear probe", charts.bars("Linear-probe CLIP", "accuracy (%)", datasets, series, 115,
        Math.max(460, 80 + datasets.size() * series.size() * 40), 320));
    html.append("</div>\n</section>\n");
  }

  private void figure(String kind, String key, String chart) {
    figure(kind, key, chart, false);
  }

  /** A chart in the grid; a wide one (many bars) takes a whole row. */
  private void figure(String kind, String key, String chart, boolean wide) {
    html.append("<figure class=\"chart").append(wide ? " wide" : "").append("\" data-chart=\"").append(kind)
        .append("\" data-key=\"").append(Html.esc(key)).append("\">").append(chart).append("</figure>\n");
  }

  // ---- settings and runs -----------------------------------------------------------------------------------------

  private List<RunFiles.Run> allRuns() {
    List<RunFiles.Run> out = new ArrayList<>();
    found.forEach(f -> out.addAll(f.runs()));
    return out;
  }

  private void settings() {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    List<RunFiles.Run> runs = new ArrayList<>(allRuns());
    runs.sort(Comparator.comparingInt((RunFiles.Run r) -> methodRank(RunFiles.methodLabel(r.method()))));
    Set<String> trained = new LinkedHashSet<>();
    runs.stream().filter(r -> !r.history().isEmpty()).forEach(r -> trained.add(r.source() + r.method() + r.preset()));
    for (RunFiles.Run r : runs) {
      JsonNode c = r.config();
      boolean trains = !r.history().isEmpty();
      if (c.isMissingNode() || !trains && trained.contains(r.source() + r.method() + r.preset())) {
        continue; // the evaluation of a trained method's prompts: its training run has the settings
      }
      List<String> cells = new ArrayList<>(List.of(RunFiles.methodLabel(r.method()), r.preset(),
          c.path("data").path("shots").asText("–"),
          trains ? c.path("optim").path("epochs").asText() : "–",
          trains ? c.path("optim").path("batch_size").asText() : "–",
          trains ? c.path("optim").path("lr").asText() : "–",
          trains ? c.path("optim").path("warmup_epochs").asText() : "–",
          trains ? c.path("run").path("rrcrop_scale").toString().replace("\"", "") : "–", methodKeys(r)));
      if (found.size() > 1) {
        cells.add(0, r.source());
      }
      rows.putIfAbsent(String.join("|", cells), cells);
    }
    if (rows.isEmpty()) {
      return;
    }
    html.append("<section id=\"settings\"><h2>Settings</h2>\n<table class=\"settings\" data-table=\"settings\"><thead>"
        + "<tr>" + (found.size() > 1 ? "<th>folder</th>" : "") + "<th>method</th><th>preset</th><th>shots</th>"
        + "<th>epochs</th><th>batch</th><th>lr</th>"
        + "<th>warm-up epochs</th><th>crop scale</th><th>method keys</th></tr></thead><tbody>\n");
    for (List<String> cells : rows.values()) {
      html.append("<tr>");
      cells.forEach(c -> html.append("<td>").append(Html.esc(c)).append("</td>"));
      html.append("</tr>\n");
    }
    html.append("</tbody></table>\n</section>\n");
  }

  /** The method keys that are set (non-zero, non-empty), as {@code KEY=value}; zero-shot: its templates. */
  private static String methodKeys(RunFiles.Run r) {
    List<String> out = new ArrayList<>();
    boolean zeroShot = r.method().equals("ZeroshotCLIP");
    boolean probe = r.method().equals("LinearProbeCLIP");
    r.config().path("method").fields().forEachRemaining(e -> {
      String k = e.getKey();
      String v = e.getValue().asText();
      boolean shown = zeroShot ? k.equals("zero_shot_templates")
          : !probe && !(v.isEmpty() || v.equals("0") || v.equals("false") || k.equals("name") || k.equals("preset")
              || k.equals("zero_shot_templates") || k.equals("CLASS_TOKEN_POSITION") && v.equals("end")
              || k.startsWith("MIP_") && !r.method().equals("MIP"));
      if (shown) {
        out.add(k + "=" + v);
      }
    });
    return String.join(", ", out);
  }

  private void runs() {
    Map<String, List<RunFiles.Run>> groups = new LinkedHashMap<>();
    List<RunFiles.Run> runs = new ArrayList<>(allRuns());
    runs.sort(Comparator.comparing(RunFiles.Run::dataset)
        .thenComparingInt(r -> methodRank(RunFiles.methodLabel(r.method())))
        .thenComparing(RunFiles.Run::subsample).thenComparing(RunFiles.Run::group)
        .thenComparingLong(RunFiles.Run::seed));
    for (RunFiles.Run r : runs) {
      groups.computeIfAbsent(r.source() + "\u0000" + r.group(), k -> new ArrayList<>()).add(r);
    }
    if (groups.isEmpty()) {
      return;
    }
    html.append("<section id=\"runs\"><h2>Runs</h2>\n<p class=\"note\">One entry per dataset, method and class set;"
        + " its seeds side by side. Training curves: loss, training accuracy and learning rate per epoch. Per-class"
        + " accuracy and the confusion matrix: the test split, summed over seeds.</p>\n");
    // the first group that trained is shown open (training curves, nearest words), or the first of all
    List<RunFiles.Run> open = groups.values().stream().filter(g -> g.stream().anyMatch(r -> !r.history().isEmpty()))
        .findFirst().orElse(groups.values().iterator().next());
    String dataset = null;
    for (List<RunFiles.Run> g : groups.values()) {
      RunFiles.Run r0 = g.get(0);
      if (!r0.dataset().equals(dataset)) {
        dataset = r0.dataset();
        html.append("<h3>").append(Html.esc(dataset)).append("</h3>\n");
      }
      group(g, g == open);
    }
    html.append("</section>\n");
  }

  private void group(List<RunFiles.Run> g, boolean open) {
    RunFiles.Run r0 = g.get(0);
    String method = RunFiles.methodLabel(r0.method());
    String classes = switch (r0.subsample()) {
      case "base" -> "base classes";
      case "new" -> "new classes";
      default -> "all classes";
    };
    double mean = g.stream().mapToDouble(RunFiles.Run::accuracy).average().orElse(Double.NaN);
    String name = r0.dataset() + " · " + method + (r0.preset().equals("-") ? "" : " (" + r0.preset() + ")") + " · "
        + classes;
    html.append("<details class=\"run-group\" data-group=\"").append(Html.esc(r0.group())).append("\"")
        .append(open ? " open" : "").append("><summary>").append(Html.esc(name)).append(" — accuracy ")
        .append(fmt2(mean)).append(" %").append(g.size() > 1 ? " (mean of " + g.size() + " seeds)" : "")
        .append("</summary>\n<p class=\"path\">").append(Html.esc((found.size() > 1 ? r0.source() + ": " : "")
            + r0.group())).append("</p>\n");
    html.append("<table class=\"run-metrics\"><thead><tr><th>seed</th><th>accuracy (%)</th><th>macro-F1 (%)</th>"
        + "<th>test images</th><th>skipped</th></tr></thead><tbody>\n");
    for (RunFiles.Run r : g) {
      JsonNode m = r.metrics();
      html.append("<tr data-seed=\"").append(r.seed()).append("\"><td>").append(r.seed())
          .append("</td><td class=\"accuracy\">").append(fmt2(m.path("accuracy").asDouble()))
          .append("</td><td class=\"macro-f1\">").append(fmt2(m.path("macro_f1").asDouble()))
          .append("</td><td class=\"total\">").append(m.path("total").asLong()).append("</td><td>")
          .append(m.path("skipped_images").asLong()).append("</td></tr>\n");
    }
    html.append("</tbody></table>\n<div class=\"grid\">\n");
    Map<String, List<RunFiles.Epoch>> curves = new LinkedHashMap<>();
    g.stream().filter(r -> !r.history().isEmpty()).forEach(r -> curves.put("seed " + r.seed(), r.history()));
    if (!curves.isEmpty()) {
      figure("training", r0.group(), charts.training("Training", curves, 460));
    }
    List<String> names = r0.classNames();
    List<RunFiles.Run> same = g.stream().filter(r -> r.classNames().equals(names)).toList();
    int n = names.size();
    double[] acc = new double[n];
    long[][] confusion = new long[n][n];
    for (int c = 0; c < n; c++) {
      double sum = 0;
      int k = 0;
      for (RunFiles.Run r : same) {
        JsonNode v = r.metrics().path("per_class_accuracy").path(names.get(c));
        if (v.isNumber()) {
          sum += v.asDouble();
          k++;
        }
      }
      acc[c] = k == 0 ? Double.NaN : sum / k;
    }
    for (RunFiles.Run r : same) {
      JsonNode cm = r.metrics().path("confusion");
      for (int t = 0; t < n && t < cm.size(); t++) {
        for (int p = 0; p < n && p < cm.get(t).size(); p++) {
          confusion[t][p] += cm.get(t).get(p).asLong();
        }
      }
    }
    String seeds = same.size() > 1 ? " (mean of " + same.size() + " seeds)" : "";
    figure("per-class", r0.group(), charts.perClass("Per-class accuracy" + seeds, names, acc, 460));
    figure("confusion", r0.group(), charts.confusion("Confusion matrix" + (same.size() > 1 ? " (" + same.size()
        + " seeds)" : ""), names, confusion, 460));
    html.append("</div>\n");
    nearestWords(g);
    html.append("</details>\n");
  }

  /** {@code interpret}'s nearest vocabulary words of each learned context vector, per seed. */
  private void nearestWords(List<RunFiles.Run> g) {
    List<RunFiles.Run> with = g.stream().filter(r -> r.nearestWords().path("groups").isArray()).toList();
    if (with.isEmpty()) {
      return;
    }
    html.append("<p class=\"note\">Nearest words of the learned context vectors (Euclidean distance in the token "
        + "embedding table, as <code>cliptune interpret</code>; <code>&lt;/w&gt;</code> ends a word):</p>\n"
        + "<table class=\"nearest-words\"><thead><tr><th>seed</th><th>tensor</th><th>vector</th><th>nearest words"
        + " (distance)</th></tr></thead><tbody>\n");
    for (RunFiles.Run r : with) {
      for (JsonNode grp : r.nearestWords().path("groups")) {
        String tensor = grp.path("tensor").asText() + (grp.path("class").isTextual() ? " · "
            + grp.path("class").asText() : "");
        int i = 1;
        for (JsonNode row : grp.path("rows")) {
          List<String> words = new ArrayList<>();
          row.forEach(w -> words.add(w.path("token").asText() + " (" + String.format(Locale.ROOT, "%.3f",
              w.path("distance").asDouble()) + ")"));
          html.append("<tr><td>").append(r.seed()).append("</td><td>").append(Html.esc(tensor)).append("</td><td>")
              .append(i++).append("</td><td class=\"words\">").append(Html.esc(String.join(", ", words)))
              .append("</td></tr>\n");
        }
      }
    }
    html.append("</tbody></table>\n");
  }
}
