package dev.cliptune.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The split-file format of the official loaders ({@code split_zhou_<Name>.json}): a JSON object with the
 * keys {@code "train"}, {@code "val"} and {@code "test"}, each a list of triples
 * {@code [relative image path, label, class name]} (label a 0-based integer). Paths are relative to the
 * dataset's image root; an absolute path is kept as it is.
 *
 * <p>The same triple format is used for few-shot caches ({@link FewShotCache}) and a run's
 * {@code split.json} ({@link RunSplitFile}).
 */
public final class SplitFiles {
  static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** What a split file must look like, appended to format errors. */
  public static final String FORMAT =
      "expected a JSON object with \"train\", \"val\" and \"test\" lists of [relative image path, label, class name]";

  /** Images listed as missing in an error message, at most. */
  static final int SHOW_MISSING = 5;

  private SplitFiles() {}

  /**
   * Reads a split file and resolves its paths against {@code imageRoot}.
   *
   * @param requireVal whether a missing {@code "val"} key is an error (official files always have it); when
   *     not required a missing val is an empty list
   * @throws DatasetException when the file is missing, not JSON, not in the triple format, or gives one
   *     label two class names
   */
  public static Split read(Path file, Path imageRoot, boolean requireVal) {
    Split raw = readRaw(file, requireVal);
    return new Split(resolve(raw.train(), imageRoot), resolve(raw.val(), imageRoot), resolve(raw.test(), imageRoot));
  }

  /** Reads a split file with the paths exactly as listed (not resolved). */
  public static Split readRaw(Path file, boolean requireVal) {
    JsonNode root = parse(file, FORMAT);
    if (!root.isObject()) {
      throw new DatasetException(file + " is not a split file: " + FORMAT + ", found " + kind(root));
    }
    List<Item> train = triples(file, root, "train", true);
    List<Item> val = triples(file, root, "val", requireVal);
    List<Item> test = triples(file, root, "test", true);
    checkConsistentNames(file, List.of(train, val, test));
    return new Split(train, val, test);
  }

  /**
   * Writes {@code ds}'s split in the split-file format (paths relative to its image root), atomically. Use it
   * to save a rebuilt split under a name of your choice; it can then be opened as a custom split file.
   */
  public static void write(Path file, LoadedDataset ds) throws IOException {
    Map<String, List<Item>> lists = new LinkedHashMap<>();
    lists.put("train", ds.split().train());
    lists.put("val", ds.split().val());
    lists.put("test", ds.split().test());
    AtomicFiles.writeString(file, toJson(Map.of(), lists, ds::relativePath));
  }

  // ------------------------------------------------------------------ parsing

  static JsonNode parse(Path file, String expected) {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file + " not found; " + expected);
    }
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new DatasetException(file + " is not valid JSON" + where + " (" + e.getOriginalMessage() + "); "
          + expected, e);
    } catch (IOException e) {
      throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode()) {
      throw new DatasetException(file + " is empty; " + expected);
    }
    return root;
  }

  /** The triples under {@code key}, validated; an absent optional key gives an empty list. */
  static List<Item> triples(Path file, JsonNode root, String key, boolean required) {
    JsonNode list = root.get(key);
    if (list == null || list.isNull()) {
      if (required) {
        throw new DatasetException(file + " has no \"" + key + "\" list; " + FORMAT);
      }
      return List.of();
    }
    if (!list.isArray()) {
      throw new DatasetException(file + ": \"" + key + "\" is " + kind(list) + ", not a list; " + FORMAT);
    }
    List<Item> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      out.add(triple(file, key, i, list.get(i)));
    }
    return out;
  }

  private static Item triple(Path file, String key, int i, JsonNode e) {
    String where = file + ": " + key + "[" + i + "] = " + abbreviate(e.toString());
    if (!e.isArray() || e.size() != 3) {
      throw new DatasetException(where + " is not a triple [relative image path, label, class name]");
    }
    if (!e.get(0).isTextual() || e.get(0).asText().isEmpty()) {
      throw new DatasetException(where + ": the image path must be a non-empty string");
    }
    if (!e.get(1).isIntegralNumber() || !e.get(1).canConvertToInt() || e.get(1).asInt() < 0) {
      throw new DatasetException(where + ": the label must be an integer >= 0");
    }
    if (!e.get(2).isTextual()) {
      throw new DatasetException(where + ": the class name must be a string");
    }
    return new Item(e.get(0).asText(), e.get(1).asInt(), e.get(2).asText());
  }

  /** One class name per label over all lists (a label with two names is an error in the file). */
  static void checkConsistentNames(Path file, List<List<Item>> lists) {
    Map<Integer, String> names = new HashMap<>();
    for (List<Item> list : lists) {
      for (Item it : list) {
        String before = names.putIfAbsent(it.label(), it.classname());
        if (before != null && !before.equals(it.classname())) {
          throw new DatasetException(file + ": label " + it.label() + " has two class names, '" + before
              + "' and '" + it.classname() + "' (at " + it.impath() + ")");
        }
      }
    }
  }

  static List<Item> resolve(List<Item> raw, Path imageRoot) {
    List<Item> out = new ArrayList<>(raw.size());
    Map<String, String> names = new HashMap<>(); // one String instance per class name
    for (Item it : raw) {
      String name = names.computeIfAbsent(it.classname(), n -> n);
      out.add(new Item(imageRoot.resolve(it.impath()).toString(), it.label(), name));
    }
    return out;
  }

  // ------------------------------------------------------------------ checks

  /**
   * Checks that every image of {@code split} exists (all files, in parallel). Missing ones are reported
   * with their count and the first few paths.
   *
   * @param listedIn the file that lists them (for the message)
   * @param hint what the image root should contain
   */
  static void checkImagesExist(Split split, Path imageRoot, Path listedIn, String hint) {
    if (!Files.isDirectory(imageRoot)) {
      throw new DatasetException("image folder " + imageRoot + " (the root of the paths in " + listedIn
          + ") not found; " + hint);
    }
    LinkedHashSet<String> unique = new LinkedHashSet<>();
    for (List<Item> list : List.of(split.train(), split.val(), split.test())) {
      for (Item it : list) {
        unique.add(it.impath());
      }
    }
    List<String> missing = new ArrayList<>(unique).parallelStream()
        .filter(p -> !Files.isRegularFile(Path.of(p)))
        .toList();
    if (missing.isEmpty()) {
      return;
    }
    List<String> shown = missing.subList(0, Math.min(SHOW_MISSING, missing.size())).stream()
        .map(p -> LoadedDataset.relativize(imageRoot, p)).toList();
    String what = missing.size() == unique.size()
        ? "none of the " + unique.size() + " images listed in " + listedIn + " exist"
        : missing.size() + " of the " + unique.size() + " images listed in " + listedIn + " do not exist";
    throw new DatasetException(what + " under " + imageRoot + " (first " + shown.size() + ": "
        + String.join(", ", shown) + (missing.size() > shown.size() ? ", ..." : "") + "); " + hint);
  }

  // ------------------------------------------------------------------ writing

  /**
   * A JSON object: the {@code header} entries (strings, numbers, booleans, lists of strings, written with
   * Jackson) followed by the {@code lists} of triples, one triple per line.
   */
  static String toJson(Map<String, ?> header, Map<String, List<Item>> lists, Function<Item, String> path) {
    StringBuilder sb = new StringBuilder("{\n");
    boolean first = true;
    try {
      for (Map.Entry<String, ?> e : header.entrySet()) {
        sb.append(first ? "" : ",\n").append("  ").append(JSON.writeValueAsString(e.getKey())).append(": ")
            .append(JSON.writeValueAsString(e.getValue()));
        first = false;
      }
      for (Map.Entry<String, List<Item>> e : lists.entrySet()) {
        sb.append(first ? "" : ",\n").append("  ").append(JSON.writeValueAsString(e.getKey())).append(": [");
        first = false;
        List<Item> items = e.getValue();
        for (int i = 0; i < items.size(); i++) {
          Item it = items.get(i);
          sb.append(i == 0 ? "\n" : ",\n").append("    [").append(JSON.writeValueAsString(path.apply(it)))
              .append(", ").append(it.label()).append(", ").append(JSON.writeValueAsString(it.classname()))
              .append(']');
        }
        sb.append(items.isEmpty() ? "]" : "\n  ]");
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode JSON", e);
    }
    return sb.append("\n}\n").toString();
  }

  // ------------------------------------------------------------------ helpers

  static String kind(JsonNode n) {
    return n.isArray() ? "a list" : n.isObject() ? "an object" : n.isTextual() ? "a string"
        : n.isNumber() ? "a number" : n.isBoolean() ? "a boolean" : "null";
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
