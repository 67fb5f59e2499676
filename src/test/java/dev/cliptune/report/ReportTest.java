package dev.cliptune.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.cli.Main;
import dev.cliptune.world.DatasetSpec;
import dev.cliptune.world.World;
import dev.cliptune.world.WorldConfig;
import dev.cliptune.world.WorldDatasets;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html from real run folders: base-to-novel (CoOp and zero-shot CLIP, two seeds, two datasets) with the
 * linear-probe column, few-shot, domain generalisation and a single training run, all through {@code bin/cliptune}'s
 * commands on the embedded tiny CLIP and a small hermetic world. The pages are parsed (jsoup) and every chart is
 * checked against the run files: its series, its number of bars, the values printed on them, the confusion counts.
 */
class ReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> B2N = List.of("shapes", "pixel_shapes");
  private static final int TEST_PER_CLASS = 5;

  @TempDir static Path tmp;
  private static Path out;

  @BeforeAll
  static void runProtocols() throws IOException {
    List<DatasetSpec> specs = Stream.of("Shapes", "PixelShapes", "Source", "SourceSketch", "SourceV2")
        .map(WorldDatasets::byName).toList();
    Path world = tmp.resolve("world");
    World.write(world, new WorldConfig(7, WorldConfig.DEFAULT_IMAGE_SIZE, specs).withCounts(4, 2, TEST_PER_CLASS));
    out = tmp.resolve("out");
    List<String> common = List.of("--model", "builtin:tiny", "--data-root", world.toString(), "--set",
        "progress=false", "--set", "threads=1");
    run(common, "base2new", "--dataset", String.join(",", B2N), "--method", "CoOp", "--shots", "2", "--seeds", "1,2",
        "--set", "epochs=2", "--set", "batch_size=4", "--output", out.resolve("b2n").toString());
    run(common, "base2new", "--dataset", String.join(",", B2N), "--method", "ZeroshotCLIP", "--shots", "2", "--seeds",
        "1,2", "--output", out.resolve("b2n").toString());
    run(common, "linear-probe", "--dataset", String.join(",", B2N), "--subsample", "base", "--shots", "2", "--seeds",
        "1,2", "--search-steps", "1", "--output", out.resolve("b2n").toString());
    run(common, "fewshot", "--dataset", "shapes", "--method", "CoOp", "--shots-list", "1,2", "--seeds", "1", "--set",
        "epochs=1", "--output", out.resolve("fs").toString());
    run(common, "dg", "--source", "source", "--targets", "source_sketch,source_v2", "--method", "CoOp", "--shots",
        "1", "--seeds", "1", "--set", "epochs=1", "--output", out.resolve("dg").toString());
    run(common, "train", "--dataset", "shapes", "--method", "MaPLe", "--shots", "2", "--seeds", "1", "--subsample",
        "base", "--set", "epochs=2", "--set", "batch_size=4", "--set", "PROMPT_DEPTH=2", "--output",
        out.resolve("train").toString());
  }

  private static void run(List<String> common, String command, String... args) {
    List<String> a = new ArrayList<>(List.of(command));
    a.addAll(common);
    a.addAll(List.of(args));
    assertThat(Main.run(a.toArray(String[]::new))).as("cliptune %s", a).isZero();
  }

  private static Document parse(Path html) throws IOException {
    assertThat(html).as("report").isRegularFile();
    return Jsoup.parse(html.toFile(), "UTF-8");
  }

  private static JsonNode metrics(Path runDir) throws IOException {
    return JSON.readTree(runDir.resolve("metrics.json").toFile());
  }

  /** As the protocols aggregate: the logs' one-decimal accuracies, averaged over seeds. */
  private static double seedMean(List<Path> runs) throws IOException {
    double sum = 0;
    for (Path r : runs) {
      sum += Math.round(metrics(r).path("accuracy").asDouble() * 10) / 10.0;
    }
    return sum / runs.size();
  }

  private static List<Path> seeds(Path dir) {
    return List.of(dir.resolve("seed1"), dir.resolve("seed2"));
  }

  private static String one(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** A bar: its series (rowKey), its category (columnKey) and the label printed on it. */
  record Bar(String series, String category, String label) {}

  private static List<Bar> bars(Element figure) throws IOException {
    List<Bar> bars = new ArrayList<>();
    for (Element g : figure.getAllElements()) {
      if (!g.hasAttr("jfreesvg:ref") || !g.attr("jfreesvg:ref").contains("rowKey")) {
        continue;
      }
      JsonNode ref = JSON.readTree(g.attr("jfreesvg:ref"));
      Element label = g.nextElementSibling();
      bars.add(new Bar(ref.path("rowKey").asText(), ref.path("columnKey").asText(), label == null ? "" : label.text()));
    }
    return bars;
  }

  private static Element figure(Document doc, String kind, String key) {
    List<Element> f = doc.select("figure[data-chart=" + kind + "]").stream()
        .filter(e -> e.attr("data-key").equals(key)).toList();
    assertThat(f).as("%s chart for %s", kind, key).hasSize(1);
    return f.get(0);
  }

  private static void selfContained(Document doc) {
    assertThat(doc.select("script, link, iframe, object, embed")).as("no scripts or linked resources").isEmpty();
    for (Element e : doc.getAllElements()) {
      for (String attr : List.of("src", "href", "xlink:href")) {
        if (e.hasAttr(attr)) {
          assertThat(e.attr(attr)).as("%s of <%s>", attr, e.tagName()).matches("(data:|#).*");
        }
      }
      if (e.hasAttr("style")) {
        assertThat(e.attr("style")).as("style of <%s>", e.tagName()).doesNotContain("url(http")
            .doesNotContain("@import");
      }
    }
    assertThat(doc.select("style").html()).doesNotContain("http").doesNotContain("@import")
        .doesNotContain("@font-face");
  }

  @Test
  void baseToNovelBarsShowTheRunsNumbersAndThePapersBeside() throws IOException {
    Document doc = parse(out.resolve("b2n/report.html"));
    selfContained(doc);
    assertThat(doc.select("figure[data-chart=base2new]")).hasSize(3); // two datasets and the average
    Path b2n = out.resolve("b2n/base2new");
    for (String ds : B2N) {
      List<Bar> bars = bars(figure(doc, "base2new", ds));
      double coopBase = seedMean(seeds(b2n.resolve("train_base/" + ds + "/shots_2/CoOp/vit_b16_ctxv1")));
      double coopNew = seedMean(seeds(b2n.resolve("test_new/" + ds + "/shots_2/CoOp/vit_b16_ctxv1")));
      double clipBase = seedMean(seeds(b2n.resolve("test_base/" + ds + "/shots_2/ZeroshotCLIP/-")));
      double clipNew = seedMean(seeds(b2n.resolve("test_new/" + ds + "/shots_2/ZeroshotCLIP/-")));
      double probe = seedMean(seeds(out.resolve("b2n/linear_probe/base/" + ds + "/shots_2/LinearProbeCLIP/lpclip")));
      // no published row for the world's datasets: Base, New, HM for CLIP and CoOp, Base for the linear probe
      assertThat(bars).extracting(Bar::series, Bar::category).containsExactlyInAnyOrder(
          org.assertj.core.groups.Tuple.tuple("Base", "CLIP"), org.assertj.core.groups.Tuple.tuple("New", "CLIP"),
          org.assertj.core.groups.Tuple.tuple("HM", "CLIP"), org.assertj.core.groups.Tuple.tuple("Base", "CoOp"),
          org.assertj.core.groups.Tuple.tuple("New", "CoOp"), org.assertj.core.groups.Tuple.tuple("HM", "CoOp"),
          org.assertj.core.groups.Tuple.tuple("Base", "Linear probe"));
      Map<String, String> label = new LinkedHashMap<>();
      bars.forEach(b -> label.put(b.series() + "/" + b.category(), b.label()));
      assertThat(label.get("Base/CoOp")).isEqualTo(one(coopBase));
      assertThat(label.get("New/CoOp")).isEqualTo(one(coopNew));
      assertThat(label.get("HM/CoOp")).isEqualTo(one(2 * coopBase * coopNew / (coopBase + coopNew)));
      assertThat(label.get("Base/CLIP")).isEqualTo(one(clipBase));
      assertThat(label.get("New/CLIP")).isEqualTo(one(clipNew));
      assertThat(label.get("Base/Linear probe")).isEqualTo(one(probe));
      Element row = doc.select("table[data-table=base2new] tr").stream()
          .filter(tr -> tr.child(0).text().equals(ds)).findFirst().orElseThrow();
      assertThat(row.child(1).text()).isEqualTo(one(clipBase) + " / " + one(clipNew) + " / "
          + one(2 * clipBase * clipNew / (clipBase + clipNew)));
    }
    // the average row has the papers' ViT-B/16 averages for CLIP and CoOp beside ours: three light bars each
    List<Bar> avg = bars(figure(doc, "base2new", "Average"));
    assertThat(avg.stream().filter(b -> b.series().endsWith("(paper)")).map(Bar::category).toList())
        .containsExactlyInAnyOrder("CLIP", "CLIP", "CLIP", "CoOp", "CoOp", "CoOp");
    assertThat(avg).filteredOn(b -> b.series().equals("Base (paper)") && b.category().equals("CoOp"))
        .extracting(Bar::label).containsExactly("82.7"); // CoOp's published average base accuracy, 82.69
  }

  @Test
  void everyRunGroupShowsItsSeedsCurvesClassesConfusionAndNearestWords() throws IOException {
    Document doc = parse(out.resolve("b2n/report.html"));
    // per dataset: CLIP base, CLIP new, CoOp base, CoOp new, linear probe base
    assertThat(doc.select("details.run-group")).hasSize(10);
    Path coopBase = out.resolve("b2n/base2new/train_base/shapes/shots_2/CoOp/vit_b16_ctxv1");
    Element g = doc.select("details.run-group").stream()
        .filter(e -> e.attr("data-group").equals("base2new/train_base/shapes/shots_2/CoOp/vit_b16_ctxv1/seed*"))
        .findFirst().orElseThrow();
    assertThat(doc.select("details.run-group[open]")).as("one group shown open: the first that trained")
        .hasSize(1).allSatisfy(e -> assertThat(e.select("figure[data-chart=training]")).hasSize(1));
    for (long seed : List.of(1L, 2L)) {
      JsonNode m = metrics(coopBase.resolve("seed" + seed));
      Element tr = g.selectFirst("table.run-metrics tr[data-seed=" + seed + "]");
      assertThat(Double.parseDouble(tr.selectFirst("td.accuracy").text())).isCloseTo(m.path("accuracy").asDouble(),
          within(0.005));
      assertThat(Double.parseDouble(tr.selectFirst("td.macro-f1").text())).isCloseTo(m.path("macro_f1").asDouble(),
          within(0.005));
      assertThat(Long.parseLong(tr.selectFirst("td.total").text())).isEqualTo(m.path("total").asLong());
    }
    // training curves: one line per seed in each of the loss / accuracy / learning-rate panels
    Element training = g.selectFirst("figure[data-chart=training]");
    assertThat(training).isNotNull();
    List<String> texts = training.select("text").eachText();
    assertThat(texts).contains("seed 1", "seed 2", "loss", "train accuracy (%)", "learning rate", "epoch");
    assertThat(JSON.readTree(coopBase.resolve("seed1/history.json").toFile()).path("epochs")).hasSize(2);
    // per-class accuracy: one labelled bar per class, the mean of the two seeds
    JsonNode m1 = metrics(coopBase.resolve("seed1"));
    JsonNode m2 = metrics(coopBase.resolve("seed2"));
    List<Bar> perClass = bars(g.selectFirst("figure[data-chart=per-class]"));
    List<String> classes = new ArrayList<>();
    m1.path("per_class_accuracy").fieldNames().forEachRemaining(classes::add);
    assertThat(perClass).extracting(Bar::category).containsExactlyElementsOf(classes);
    for (Bar b : perClass) {
      double mean = (m1.path("per_class_accuracy").path(b.category()).asDouble()
          + m2.path("per_class_accuracy").path(b.category()).asDouble()) / 2;
      assertThat(b.label()).as(b.category()).isEqualTo(one(mean));
    }
    // confusion matrix: a count per cell, summed over the seeds
    Element confusion = g.selectFirst("figure[data-chart=confusion]");
    int n = classes.size();
    int cells = 0;
    for (Element e : confusion.getAllElements()) {
      if (e.hasAttr("jfreesvg:ref") && e.attr("jfreesvg:ref").contains("predicted")) {
        JsonNode ref = JSON.readTree(e.attr("jfreesvg:ref"));
        int t = ref.path("true").asInt();
        int p = ref.path("predicted").asInt();
        long expected = m1.path("confusion").get(t).get(p).asLong() + m2.path("confusion").get(t).get(p).asLong();
        assertThat(Long.parseLong(e.text())).as("confusion[%d][%d]", t, p).isEqualTo(expected);
        cells++;
      }
    }
    assertThat(cells).isEqualTo(n * n);
    assertThat(confusion.select("text").eachText()).containsAll(classes).contains("predicted", "true");
    // nearest words: CoOp's 4 context vectors ("a photo of a") for each seed
    Element words = g.selectFirst("table.nearest-words");
    assertThat(words.select("tbody tr")).hasSize(2 * 4);
    JsonNode interp = JSON.readTree(coopBase.resolve("seed1/interpret.json").toFile());
    String firstWord = interp.path("groups").get(0).path("rows").get(0).get(0).path("token").asText();
    assertThat(words.selectFirst("tbody tr td.words").text()).startsWith(firstWord + " (");
    // zero-shot groups train nothing: no training chart, no nearest words
    Element zs = doc.select("details.run-group").stream()
        .filter(e -> e.attr("data-group").startsWith("base2new/test_base/shapes/")).findFirst().orElseThrow();
    assertThat(zs.select("figure[data-chart=training], table.nearest-words")).isEmpty();
    assertThat(zs.select("figure[data-chart=per-class], figure[data-chart=confusion]")).hasSize(2);
    // the settings name the schedule of the trained runs
    assertThat(doc.select("table[data-table=settings] tr").eachText())
        .anySatisfy(t -> assertThat(t).startsWith("CoOp vit_b16_ctxv1 2 2 4"));
  }

  @Test
  void fewShotCurvesAndPerDomainBars() throws IOException {
    Document fs = parse(out.resolve("fs/report.html"));
    selfContained(fs);
    Element curve = figure(fs, "fewshot", "shapes");
    assertThat(curve.select("text").eachText()).contains("CoOp", "shots per class", "accuracy (%)");
    double k1 = seedMean(List.of(out.resolve("fs/fewshot/shapes/shots_1/CoOp/vit_b16_ctxv1/seed1")));
    double k2 = seedMean(List.of(out.resolve("fs/fewshot/shapes/shots_2/CoOp/vit_b16_ctxv1/seed1")));
    assertThat(fs.select("table[data-table=fewshot] tbody tr").get(0).children().eachText())
        .containsExactly("CoOp", "shapes", one(k1), one(k2));

    Document dg = parse(out.resolve("dg/report.html"));
    selfContained(dg);
    assertThat(dg.select("figure[data-chart=dg]")).hasSize(1);
    List<Bar> bars = bars(dg.selectFirst("figure[data-chart=dg]"));
    assertThat(bars).extracting(Bar::category)
        .containsExactly("source", "source_sketch", "source_v2", "Average (targets)");
    assertThat(bars).extracting(Bar::series).containsOnly("CoOp");
    Path eval = out.resolve("dg/evaluation");
    double sketch = seedMean(List.of(eval.resolve("source_sketch/shots_1/CoOp/vit_b16_ctxv1/seed1")));
    double v2 = seedMean(List.of(eval.resolve("source_v2/shots_1/CoOp/vit_b16_ctxv1/seed1")));
    assertThat(bars.get(1).label()).isEqualTo(one(sketch));
    assertThat(bars.get(3).label()).isEqualTo(one((sketch + v2) / 2));
    // 48 classes: the confusion matrix is an inline PNG, the per-class chart the sorted accuracies
    Element sketchGroup = dg.select("details.run-group").stream()
        .filter(e -> e.attr("data-group").startsWith("evaluation/source_sketch/")).findFirst().orElseThrow();
    Element img = sketchGroup.selectFirst("figure[data-chart=confusion] img");
    assertThat(img.attr("src")).startsWith("data:image/png;base64,");
    BufferedImage png = ImageIO.read(new java.io.ByteArrayInputStream(java.util.Base64.getDecoder()
        .decode(img.attr("src").substring("data:image/png;base64,".length()))));
    assertThat(png.getWidth()).isEqualTo(Integer.parseInt(img.attr("width")));
    assertThat(sketchGroup.selectFirst("figure[data-chart=per-class]").select("text").eachText())
        .contains("classes (sorted by accuracy)");
  }

  @Test
  void aSingleTrainingRunWritesItsOwnReport() throws IOException {
    Path run = out.resolve("train/train/base/shapes/shots_2/MaPLe/vit_b16_c2_ep5_batch4_2ctx/seed1");
    Document doc = parse(run.resolve("report.html"));
    selfContained(doc);
    assertThat(doc.select("details.run-group")).hasSize(1);
    assertThat(doc.select("figure[data-chart=training], figure[data-chart=per-class], figure[data-chart=confusion]"))
        .hasSize(3);
    // MaPLe's nearest words: the first-layer context and the deeper text prompts
    JsonNode interp = JSON.readTree(run.resolve("interpret.json").toFile());
    int vectors = 0;
    for (JsonNode grp : interp.path("groups")) {
      vectors += grp.path("rows").size();
    }
    assertThat(interp.path("groups").size()).isGreaterThan(1);
    assertThat(doc.select("table.nearest-words tbody tr")).hasSize(vectors);
    assertThat(doc.select("section#base2new")).isEmpty();
  }

  @Test
  void theReportCommandPutsFoldersSideBySide() throws IOException {
    Path page = tmp.resolve("side-by-side.html");
    assertThat(Main.run("report", out.resolve("b2n").toString(), out.resolve("fs").toString(),
        out.resolve("dg").toString(), "--out", page.toString())).isZero();
    Document doc = parse(page);
    selfContained(doc);
    assertThat(doc.select("section#base2new, section#fewshot, section#dg")).hasSize(3);
    assertThat(bars(figure(doc, "base2new", "shapes"))).extracting(Bar::category)
        .contains("b2n: CLIP", "b2n: CoOp", "b2n: Linear probe");
    assertThat(doc.select("details.run-group")).hasSize(10 + 2 + 3);
    // rebuilt from the same files, the page is the same
    Path again = tmp.resolve("again.html");
    assertThat(Main.run("report", out.resolve("b2n").toString(), out.resolve("fs").toString(),
        out.resolve("dg").toString(), "-o", again.toString())).isZero();
    assertThat(Files.readString(again)).isEqualTo(Files.readString(page));
  }

  @Test
  void aFolderWithoutRunsIsAClearError() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    try (PrintStream p = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setErr(p);
      assertThat(Main.run("report", empty.toString())).isEqualTo(Main.USER_ERROR);
      assertThat(Main.run("report", tmp.resolve("missing").toString())).isEqualTo(Main.USER_ERROR);
    } finally {
      System.setErr(old);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(empty + ": no run folder (metrics.json)")
        .contains(tmp.resolve("missing") + ": not a folder");
    Path broken = Files.createDirectories(tmp.resolve("broken/seed1"));
    Files.writeString(broken.resolve("metrics.json"), "{\"accuracy\": 50.0, \"per_class");
    assertThatThrownBy(() -> Report.of(List.of(tmp.resolve("broken"))).html())
        .hasMessageContaining(broken.resolve("metrics.json") + ": not readable JSON");
    Files.writeString(broken.resolve("metrics.json"), "{\"accuracy\": 50.0}");
    assertThatThrownBy(() -> Report.of(List.of(tmp.resolve("broken"))).html())
        .hasMessageContaining("expected a run's metrics with \"accuracy\" and \"per_class_accuracy\"");
  }

  /** Runs made before history.json: the trainer's epoch lines in log.txt, the last of a repeated epoch winning. */
  @Test
  void trainingCurvesOfOlderRunsComeFromTheLog() throws IOException {
    Path run = out.resolve("b2n/base2new/train_base/shapes/shots_2/CoOp/vit_b16_ctxv1/seed1");
    List<RunFiles.Epoch> fromJson = RunFiles.history(run);
    Path old = Files.createDirectories(tmp.resolve("old-run"));
    Files.copy(run.resolve("log.txt"), old.resolve("log.txt"));
    List<RunFiles.Epoch> fromLog = RunFiles.history(old);
    assertThat(fromLog).hasSize(fromJson.size());
    for (int i = 0; i < fromJson.size(); i++) {
      assertThat(fromLog.get(i).epoch()).isEqualTo(fromJson.get(i).epoch());
      assertThat(fromLog.get(i).loss()).isCloseTo(fromJson.get(i).loss(), within(5e-5)); // printed with 4 decimals
      assertThat(fromLog.get(i).accuracy()).isCloseTo(fromJson.get(i).accuracy(), within(0.05));
      assertThat(fromLog.get(i).lr()).isCloseTo(fromJson.get(i).lr(), within(fromJson.get(i).lr() * 1e-4));
    }
    Files.writeString(old.resolve("log.txt"), "epoch [2/9] loss 9.0000 acc 1.0% lr 1.0000e-03 (3 steps, 0.1 s)\n",
        java.nio.file.StandardOpenOption.APPEND);
    assertThat(RunFiles.history(old)).hasSize(fromJson.size());
    assertThat(RunFiles.history(old).get(1).loss()).as("epoch 2, repeated: the later line").isEqualTo(9.0);
  }

  /**
   * Debian's chromium renders the page headless: the bars' and the heatmap's colours are on the screenshot. Skips
   * where chromium is not installed ({@code apt-get install chromium}; {@code -Dcliptune.chromium=PATH} elsewhere).
   */
  @Test
  void aRealBrowserDrawsTheCharts() throws Exception {
    Path chromium = chromium();
    assumeTrue(chromium != null, "skipped: no chromium on the PATH (apt-get install chromium, or "
        + "-Dcliptune.chromium=PATH)");
    Path png = tmp.resolve("screenshot.png");
    Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--hide-scrollbars", "--window-size=1280,1400",
        "--screenshot=" + png, out.resolve("b2n/report.html").toUri().toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished (log: %s)", tmp.resolve("chromium.log"))
        .isTrue();
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img).as("screenshot").isNotNull();
    Map<String, Integer> seen = new LinkedHashMap<>();
    Map<String, Integer> colours = Map.of("Base", Charts.BASE.getRGB() & 0xFFFFFF,
        "New", Charts.NEW.getRGB() & 0xFFFFFF, "HM", Charts.HM.getRGB() & 0xFFFFFF);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xFFFFFF;
        colours.forEach((k, c) -> {
          if (rgb == c) {
            seen.merge(k, 1, Integer::sum);
          }
        });
      }
    }
    for (String k : colours.keySet()) {
      assertThat(seen.getOrDefault(k, 0)).as("pixels of the %s bars on the screenshot", k).isGreaterThan(200);
    }
  }

  private static Path chromium() {
    String prop = System.getProperty("cliptune.chromium");
    if (prop != null) {
      return Files.isExecutable(Path.of(prop)) ? Path.of(prop) : null;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        Path c = Path.of(dir, name);
        if (Files.isExecutable(c)) {
          return c;
        }
      }
    }
    return null;
  }
}
