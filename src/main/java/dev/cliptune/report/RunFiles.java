package dev.cliptune.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cliptune.io.UserException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads what runs leave on disk: the protocol tables ({@code base2new_*.json}, {@code fewshot_*.json},
 * {@code xdata_*.json}, {@code dg_*.json}, {@code linear_probe_*.json}) and the run folders (a folder with
 * {@code metrics.json}, beside it {@code config.yaml}, {@code history.json} or the epoch lines of {@code log.txt},
 * and {@code interpret.json}). Nothing here knows how the files were made: the report is rebuilt from them alone.
 */
public final class RunFiles {
  private RunFiles() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  /** Run folders sit at most this deep under a protocol's output folder (the demo adds one level per method). */
  private static final int MAX_DEPTH = 12;
  private static final Pattern EPOCH_LINE = Pattern.compile(
      "^epoch \\[(\\d+)/(\\d+)] loss (\\S+) acc (\\S+)% lr (\\S+) ");
  private static final Pattern SEED_DIR = Pattern.compile("(.*)seed(\\d+)");

  /** What kind of protocol table a file holds (by its name, as {@code Protocols} writes them). */
  public enum Kind {
    BASE2NEW("base2new_"), FEWSHOT("fewshot_"), XDATA("xdata_"), DG("dg_"), LINEAR_PROBE("linear_probe_");

    final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }
  }

  /**
   * One protocol table.
   *
   * @param method the method label of the file name ({@code base2new_CoOp.json}: CoOp; linear probe: "Linear probe")
   * @param source the label of the folder given to the report it came from
   */
  public record Table(Path file, Kind kind, String method, String title, List<JsonNode> rows, String source) {}

  /** One epoch of training. */
  public record Epoch(int epoch, double lr, double loss, double accuracy) {}

  /**
   * One run folder.
   *
   * @param group the folder's path under its report folder with the seed folder generalised ({@code .../seed*}):
   *              runs of one group differ only in their seed
   */
  public record Run(Path dir, String source, String group, JsonNode metrics, JsonNode config, List<Epoch> history,
      JsonNode nearestWords) {
    public String dataset() {
      return metrics.path("dataset").asText("?");
    }

    public long seed() {
      return metrics.path("seed").asLong();
    }

    public String subsample() {
      return metrics.path("subsample").asText("all");
    }

    /** The method's official name from config.yaml ({@code ZeroshotCLIP}, {@code CoOp}, ...). */
    public String method() {
      return config.path("method").path("name").asText("?");
    }

    public String preset() {
      return config.path("method").path("preset").asText("-");
    }

    public double accuracy() {
      return metrics.path("accuracy").asDouble();
    }

    /** Class names in label order (the keys of {@code per_class_accuracy}). */
    public List<String> classNames() {
      List<String> names = new ArrayList<>();
      metrics.path("per_class_accuracy").fieldNames().forEachRemaining(names::add);
      return names;
    }
  }

  /** Everything found under one folder. */
  public record Found(String source, List<Table> tables, List<Run> runs) {}

  /** Scans {@code root} (a protocol's output folder, the demo's, or one run folder). */
  public static Found scan(Path root, String source) {
    if (!Files.isDirectory(root)) {
      throw new UserException(root + ": not a folder (expected a run folder or a protocol's output folder)");
    }
    List<Table> tables = new ArrayList<>();
    List<Run> runs = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(root, MAX_DEPTH)) {
      files = s.filter(p -> Files.isRegularFile(p) && !under(root.relativize(p), "checkpoints")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (name.equals("metrics.json")) {
        runs.add(readRun(f.getParent(), root, source));
        continue;
      }
      for (Kind k : Kind.values()) {
        if (name.startsWith(k.prefix) && name.endsWith(".json")) {
          Table t = readTable(f, k, source);
          if (t != null) {
            tables.add(t);
          }
        }
      }
    }
    if (tables.isEmpty() && runs.isEmpty()) {
      throw new UserException(root + ": no run folder (metrics.json) and no protocol table "
          + "(base2new_*.json, fewshot_*.json, xdata_*.json, dg_*.json, linear_probe_*.json) found up to "
          + MAX_DEPTH + " folders deep");
    }
    return new Found(source, tables, runs);
  }

  private static boolean under(Path relative, String folder) {
    for (Path part : relative) {
      if (part.toString().equals(folder)) {
        return true;
      }
    }
    return false;
  }

  /** A protocol table, or null for a JSON file of that name that is not one ({@code {"title", "rows": [...]}}). */
  private static Table readTable(Path f, Kind k, String source) {
    JsonNode doc = read(f);
    JsonNode rows = doc.path("rows");
    if (!rows.isArray()) {
      return null;
    }
    String base = f.getFileName().toString().replaceFirst("\\.json$", "");
    String method = k == Kind.LINEAR_PROBE ? "Linear probe" : base.substring(k.prefix.length());
    List<JsonNode> list = new ArrayList<>();
    rows.forEach(list::add);
    return new Table(f, k, method, doc.path("title").asText(base), list, source);
  }

  private static Run readRun(Path dir, Path root, String source) {
    JsonNode metrics = read(dir.resolve("metrics.json"));
    if (!metrics.has("accuracy") || !metrics.path("per_class_accuracy").isObject()) {
      throw new UserException(dir.resolve("metrics.json") + ": expected a run's metrics with "
          + "\"accuracy\" and \"per_class_accuracy\", found fields " + fieldNames(metrics));
    }
    Path cfg = dir.resolve("config.yaml");
    JsonNode config = MissingNode.getInstance();
    if (Files.isRegularFile(cfg)) {
      try {
        config = YAML.readTree(cfg.toFile());
      } catch (IOException e) {
        throw new UserException(cfg + ": not readable YAML: " + e.getMessage(), e);
      }
    }
    Path ww = dir.resolve("interpret.json");
    JsonNode words = Files.isRegularFile(ww) ? read(ww) : MissingNode.getInstance();
    String rel = root.relativize(dir).toString().replace('\\', '/');
    String group = rel;
    Matcher m = SEED_DIR.matcher(dir.getFileName().toString());
    if (m.matches()) {
      String parent = rel.contains("/") ? rel.substring(0, rel.lastIndexOf('/') + 1) : "";
      group = parent + m.group(1) + "seed*";
    }
    return new Run(dir, source, group, metrics, config, history(dir), words);
  }

  /**
   * The run's epochs: {@code history.json}, or for runs made before it existed the trainer's epoch lines in
   * {@code log.txt} (the last line of an epoch wins, as a resumed run repeats none). Empty for runs that train
   * nothing.
   */
  static List<Epoch> history(Path dir) {
    Path h = dir.resolve("history.json");
    List<Epoch> out = new ArrayList<>();
    if (Files.isRegularFile(h)) {
      for (JsonNode e : read(h).path("epochs")) {
        out.add(new Epoch(e.path("epoch").asInt(), e.path("lr").asDouble(), num(e.path("loss")),
            num(e.path("accuracy"))));
      }
      return out;
    }
    Path log = dir.resolve("log.txt");
    if (!Files.isRegularFile(log)) {
      return out;
    }
    Map<Integer, Epoch> byEpoch = new TreeMap<>();
    try (Stream<String> lines = Files.lines(log)) {
      lines.forEach(l -> {
        Matcher m = EPOCH_LINE.matcher(l);
        if (m.find()) {
          int e = Integer.parseInt(m.group(1));
          byEpoch.put(e, new Epoch(e, parse(m.group(5)), parse(m.group(3)), parse(m.group(4))));
        }
      });
    } catch (IOException | UncheckedIOException e) {
      throw new UserException(log + ": not readable: " + e.getMessage(), e);
    }
    out.addAll(byEpoch.values());
    return out;
  }

  private static double num(JsonNode n) {
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }

  private static double parse(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  static JsonNode read(Path f) {
    try {
      return JSON.readTree(f.toFile());
    } catch (IOException e) {
      throw new UserException(f + ": not readable JSON: " + e.getMessage(), e);
    }
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** A method's display name: {@code ZeroshotCLIP} is "CLIP", {@code LinearProbeCLIP} "Linear probe". */
  public static String methodLabel(String officialName) {
    return switch (officialName.toLowerCase(Locale.ROOT)) {
      case "zeroshotclip" -> "CLIP";
      case "linearprobeclip" -> "Linear probe";
      default -> officialName;
    };
  }
}
