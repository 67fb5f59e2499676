package dev.cliptune.demo;

import dev.cliptune.Clip;
import dev.cliptune.io.AtomicFiles;
import dev.cliptune.io.UserException;
import dev.cliptune.prompt.Method;
import dev.cliptune.protocol.ProtocolRunner;
import dev.cliptune.protocol.Protocols;
import dev.cliptune.protocol.ResultsTable;
import dev.cliptune.protocol.RunConfig;
import dev.cliptune.report.Report;
import dev.cliptune.world.World;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main job of README's first command: base-to-novel on the hermetic world's datasets with zero-shot CLIP,
 * CoOp, CoCoOp, MaPLe and MIP over three seeds, through the same loaders, trainer, methods and protocol code
 * as a real run, with shortened schedules sized for the tiny CLIP (a Base / New / HM table and a report).
 */
public final class Demo {
  /** The world's datasets the demo runs on, by folder. */
  public static final List<String> DATASETS = List.of("shapes", "objects", "counts", "smoke_colors", "dust_colors");

  /** The demo's methods, by official name, in table order. */
  public static final List<String> METHODS = settings().stream().map(s -> s.method().officialName).toList();

  /**
   * Per method: the shortened schedule and method keys of the demo (official presets are sized for ViT-B/16 and
   * hours). Dassl's first epoch is a constant warm-up at 1e-5, so one-epoch schedules drop the warm-up.
   */
  record Setting(Method method, String preset, Map<String, String> overrides) {}

  /**
   * Dassl's RandomResizedCrop keeps 8–100 % of the image area; on the world's 32-px scenes with small objects most
   * such crops cut the object out (CoOp base accuracy fell below zero-shot on every dataset), so the demo trains with
   * whole-area crops (aspect jitter and flips only): {@code rrcrop_scale=1.0}.
   */
  static final String CROP = "1.0";

  /**
   * CoOp runs as in its paper's main configuration ({@code vit_b16}: 16 context vectors initialised at random, the
   * class token at the end), for 30 epochs of batch 8 at lr 0.002: 16 shots of 6 base classes are 12 steps per epoch,
   * so 360 steps (the papers train CoOp for 200 epochs). KgCoOp keeps its own preset on the same epochs.
   */
  static final String COOP_EPOCHS = "30";

  static List<Setting> settings() {
    return List.of(
        new Setting(Method.ZS_CLIP, null, Map.of()),
        new Setting(Method.COOP, "vit_b16",
            Map.of("epochs", COOP_EPOCHS, "batch_size", "8", "lr", "0.002", "rrcrop_scale", CROP)),
        new Setting(Method.COCOOP, "vit_b16_c4_ep10_batch1_ctxv1",
            Map.of("epochs", "1", "warmup_epochs", "0", "rrcrop_scale", CROP)),
        new Setting(Method.MAPLE, "vit_b16_c2_ep5_batch4_2ctx",
            Map.of("PROMPT_DEPTH", "3", "epochs", "3", "warmup_epochs", "0", "rrcrop_scale", CROP)),
        new Setting(Method.MIP, "vit_b16_c4_ep10_batch1_ctxv1",
            Map.of("epochs", "1", "warmup_epochs", "0", "rrcrop_scale", CROP)));
  }

  /**
   * Methods {@code --methods} accepts beyond the default demo (outside its time budget): PromptSRC at text/vision
   * depth 3 (the tiny model has 4 layers) for 3 epochs, its Gaussian aggregation centred on epoch 2 (the base-to-novel
   * N(15, 1²) of 20 epochs, scaled), and KgCoOp on CoOp's demo schedule.
   */
  static List<Setting> optionalSettings() {
    return List.of(
        new Setting(Method.PROMPTSRC, "vit_b16_c2_ep20_batch4_4+4ctx",
            Map.of("PROMPT_DEPTH_TEXT", "3", "PROMPT_DEPTH_VISION", "3", "epochs", "3", "warmup_epochs", "0",
                "GPA_MEAN", "2", "GPA_STD", "1", "rrcrop_scale", CROP)),
        new Setting(Method.KGCOOP, "vit_b16_ep100_ctxv1",
            Map.of("epochs", COOP_EPOCHS, "batch_size", "8", "lr", "0.002", "rrcrop_scale", CROP)));
  }

  /** Every method {@code --methods} accepts: the default demo's and {@link #optionalSettings()}. */
  public static final List<String> ACCEPTED = java.util.stream.Stream.concat(settings().stream(),
      optionalSettings().stream()).map(s -> s.method().officialName).toList();

  private final Path worldDir;
  private final Path output;
  private final List<Long> seeds;
  private final int shots;
  private final List<String> datasets;
  private final List<Setting> methods;
  private boolean linearProbe = true;
  private String modelSpec = dev.cliptune.Models.BUILTIN_TINY;
  private final PrintStream out;

  public Demo(Path worldDir, Path output, List<Long> seeds, int shots, List<String> datasets, PrintStream out) {
    this(worldDir, output, seeds, shots, datasets, METHODS, out);
  }

  /** A demo over a subset of {@link #METHODS} (by official name, {@code ZeroshotCLIP} for zero-shot). */
  public Demo(Path worldDir, Path output, List<Long> seeds, int shots, List<String> datasets, List<String> methods,
      PrintStream out) {
    this.worldDir = worldDir;
    this.output = output;
    this.seeds = List.copyOf(seeds);
    this.shots = shots;
    this.datasets = List.copyOf(datasets);
    this.methods = new ArrayList<>();
    for (String m : methods) {
      Method method = parseOrNull(m);
      this.methods.add(java.util.stream.Stream.concat(settings().stream(), optionalSettings().stream())
          .filter(s -> s.method() == method).findFirst()
          .orElseThrow(() -> new UserException("unknown demo method '" + m + "'; expected one of " + ACCEPTED)));
    }
    this.out = out;
  }

  private static Method parseOrNull(String name) {
    try {
      return Method.parse(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Whether to add the linear-probe CLIP column (base classes, the same K-shot images): it shows where the frozen
   * image features separate the classes better than the zero-shot prompt, which is where prompt learning can gain.
   */
  public Demo linearProbe(boolean on) {
    this.linearProbe = on;
    return this;
  }

  /** The {@code --model} the runs' config.yaml names (the {@link Clip} passed to {@link #run} is the model used). */
  public Demo model(String spec) {
    this.modelSpec = spec;
    return this;
  }

  /** Writes the world if it is not there yet (deterministic from the seed). */
  public static void ensureWorld(Path dir, long seed, PrintStream out) throws IOException {
    if (Files.isRegularFile(dir.resolve(World.MANIFEST))) {
      return;
    }
    out.println("writing the hermetic world's datasets to " + dir + " ...");
    World.write(dir, seed);
  }

  /** Runs every method and returns the combined table (also written as report.md, and drawn in report.html). */
  public ResultsTable run(Clip clip) throws IOException {
    long t0 = System.nanoTime();
    ProtocolRunner runner = new ProtocolRunner(clip.model(), clip.tokenizer(), clip.preprocessor(),
        new PrintStream(java.io.OutputStream.nullOutputStream()));
    Protocols protocols = new Protocols(runner, new PrintStream(java.io.OutputStream.nullOutputStream()))
        .report(false);
    Map<String, ResultsTable> perMethod = new LinkedHashMap<>();
    for (Setting s : methods) {
      long t = System.nanoTime();
      RunConfig cfg = RunConfig.of(modelSpec, worldDir, datasets, s.method(), s.preset(), shots, seeds, "base",
          output.resolve(s.method().officialName), false).with(withDefaults(s.overrides()));
      String label = s.method() == Method.ZS_CLIP ? "CLIP" : s.method().officialName;
      perMethod.put(label, protocols.baseToNovel(cfg));
      out.printf("%-8s done in %.0f s%n", label, (System.nanoTime() - t) / 1e9);
    }
    ResultsTable probe = null;
    if (linearProbe) {
      long t = System.nanoTime();
      RunConfig cfg = RunConfig.of(modelSpec, worldDir, datasets, Method.LINEAR_PROBE, null, shots, seeds, "base",
          output.resolve(Method.LINEAR_PROBE.officialName), false).with(withDefaults(Map.of()));
      probe = protocols.linearProbe(cfg, dev.cliptune.eval.LinearProbe.DEFAULT_SEARCH_STEPS);
      out.printf("%-8s done in %.0f s%n", "LP", (System.nanoTime() - t) / 1e9);
    }
    ResultsTable table = combine(perMethod, probe);
    List<Findings.Finding> findings = findings(perMethod);
    if (probe != null) {
      perMethod.put("Linear probe", probe);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    out.println();
    out.print(table.markdown());
    out.println();
    out.print(Findings.markdown(findings));
    table.write(output, "demo");
    AtomicFiles.writeString(output.resolve("report.md"), report(table, perMethod, secs) + "\n"
        + Findings.markdown(findings));
    AtomicFiles.writeString(output.resolve(Report.FINDINGS), new com.fasterxml.jackson.databind.ObjectMapper()
        .writerWithDefaultPrettyPrinter().writeValueAsString(findings));
    out.printf("%nwrote %s (%.0f s)%n", output.resolve("report.md"), secs);
    Report.writeAfterRun(output, "cliptune demo: base-to-novel on the hermetic world", "Methods "
        + String.join(", ", perMethod.keySet()) + " on the world's datasets " + datasets + ", " + shots
        + " shots, seeds " + seeds + ", model " + modelSpec + "; the schedules are shortened for the tiny CLIP, the"
        + " same for every dataset (Settings below).", out);
    return table;
  }

  /** The findings of the papers on this run, with the class counts and far flags of the world's manifest. */
  private List<Findings.Finding> findings(Map<String, ResultsTable> perMethod) throws IOException {
    com.fasterxml.jackson.databind.JsonNode manifest = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(worldDir.resolve(World.MANIFEST).toFile());
    Map<String, Integer> newClasses = new LinkedHashMap<>();
    java.util.Set<String> far = new java.util.HashSet<>();
    for (com.fasterxml.jackson.databind.JsonNode d : manifest.path("datasets")) {
      String folder = d.path("folder").asText();
      if (datasets.contains(folder)) {
        newClasses.put(folder, d.path("newClasses").asInt());
        if (d.path("far").asBoolean()) {
          far.add(folder);
        }
      }
    }
    return Findings.check(perMethod, newClasses, far);
  }

  private static Map<String, String> withDefaults(Map<String, String> o) {
    Map<String, String> m = new LinkedHashMap<>(o);
    m.putIfAbsent("progress", "false");
    m.putIfAbsent("test_batch_size", "200");
    return m;
  }

  /** One row per dataset and method: Base, New, HM (means over seeds). */
  static ResultsTable combine(Map<String, ResultsTable> perMethod, ResultsTable probe) {
    List<String> cols = new ArrayList<>(List.of("dataset"));
    perMethod.keySet().forEach(m -> cols.add(m + " Base / New / HM"));
    if (probe != null) {
      cols.add("Linear probe Base");
    }
    ResultsTable t = new ResultsTable("Base-to-novel on the hermetic world (tiny CLIP)", cols);
    List<String> rows = new ArrayList<>();
    for (Map<String, Object> r : perMethod.values().iterator().next().records()) {
      rows.add((String) r.get("dataset"));
    }
    for (String ds : rows) {
      List<String> cells = new ArrayList<>(List.of(ds));
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("dataset", ds);
      for (Map.Entry<String, ResultsTable> e : perMethod.entrySet()) {
        Map<String, Object> r = e.getValue().records().stream().filter(x -> ds.equals(x.get("dataset")))
            .findFirst().orElseThrow();
        cells.add(String.format("%.1f / %.1f / %.1f", num(r.get("base")), num(r.get("new")), num(r.get("hm"))));
        rec.put(e.getKey(), Map.of("base", r.get("base"), "new", r.get("new"), "hm", r.get("hm")));
      }
      if (probe != null) {
        probe.records().stream().filter(x -> ds.equals(x.get("dataset"))).findFirst().ifPresentOrElse(r -> {
          cells.add(String.format("%.1f", num(r.get("accuracy"))));
          rec.put("LinearProbe", Map.of("base", r.get("accuracy")));
        }, () -> cells.add("–"));
      }
      t.add(cells, rec);
    }
    return t;
  }

  private static double num(Object o) {
    return ((Number) o).doubleValue();
  }

  private String report(ResultsTable table, Map<String, ResultsTable> perMethod, double secs) {
    StringBuilder sb = new StringBuilder("# cliptune demo\n\nBase-to-novel on the hermetic world's datasets "
        + datasets + ", " + shots + " shots, seeds " + seeds + ", with the embedded tiny CLIP; "
        + String.format("%.0f", secs) + " s on this machine. Per-run logs, configs, metrics and checkpoints are"
        + " under " + output + ".\n\n" + table.markdown());
    sb.append("\n## Per method (mean ± std over seeds)\n");
    perMethod.values().forEach(t -> sb.append('\n').append(t.markdown()));
    return sb.toString();
  }
}
