package dev.cliptune.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.Classifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of {@code predict}'s output per image, as CSV ({@code path,label_1,probability_1,...,error}, every field
 * quoted) or JSON lines ({@code {"path", "labels", "probabilities"}} or {@code {"path", "error"}}), and the reverse
 * for resuming and scoring.
 */
enum PredictOutput {
  CSV, JSONL;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A line read back: the path, the top-1 label (null for an error) and whether it parsed. */
  record Row(String path, String top1, String error) {}

  static PredictOutput forFile(String name, String format) {
    if (format != null) {
      try {
        return valueOf(format.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--format " + format + ": expected csv or jsonl");
      }
    }
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".csv")) {
      return CSV;
    }
    if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) {
      return JSONL;
    }
    throw new IllegalArgumentException("--out " + name + ": cannot tell the format from the name; end it in .csv or"
        + " .jsonl, or give --format csv|jsonl");
  }

  String header(int k) {
    if (this == JSONL) {
      return null;
    }
    List<String> h = new ArrayList<>(List.of("path"));
    for (int i = 1; i <= k; i++) {
      h.add("label_" + i);
      h.add("probability_" + i);
    }
    h.add("error");
    return String.join(",", h);
  }

  String line(String path, List<Classifier.Prediction> top, int k) {
    if (this == JSONL) {
      ObjectNode o = JSON.createObjectNode().put("path", path);
      ArrayNode ls = o.putArray("labels");
      ArrayNode ps = o.putArray("probabilities");
      for (Classifier.Prediction p : top) {
        ls.add(p.label());
        ps.add(p.probability());
      }
      return write(o);
    }
    List<String> f = new ArrayList<>(List.of(quote(path)));
    for (int i = 0; i < k; i++) {
      f.add(i < top.size() ? quote(top.get(i).label()) : "\"\"");
      f.add(i < top.size() ? quote(Float.toString(top.get(i).probability())) : "\"\"");
    }
    f.add("\"\"");
    return String.join(",", f);
  }

  String errorLine(String path, String error, int k) {
    if (this == JSONL) {
      return write(JSON.createObjectNode().put("path", path).put("error", error));
    }
    List<String> f = new ArrayList<>(List.of(quote(path)));
    for (int i = 0; i < 2 * k; i++) {
      f.add("\"\"");
    }
    f.add(quote(error));
    return String.join(",", f);
  }

  /** Parses a line this format wrote; null for a header or a line cut short (a killed run's last line). */
  Row parse(String line) {
    if (line.isEmpty()) {
      return null;
    }
    if (this == JSONL) {
      try {
        JsonNode o = JSON.readTree(line);
        if (!o.isObject() || !o.has("path")) {
          return null;
        }
        String err = o.has("error") ? o.get("error").asText() : null;
        JsonNode ls = o.path("labels");
        return new Row(o.get("path").asText(), ls.size() > 0 ? ls.get(0).asText() : null, err);
      } catch (IOException e) {
        return null;
      }
    }
    List<String> f = fields(line);
    if (f == null || f.size() < 2 || f.get(0).equals("path") && !line.startsWith("\"")) {
      return null;
    }
    String err = f.get(f.size() - 1);
    return new Row(f.get(0), f.get(1).isEmpty() ? null : f.get(1), err.isEmpty() ? null : err);
  }

  private static String write(ObjectNode o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\"", "\"\"").replace("\r", " ").replace("\n", " ") + "\"";
  }

  /** The fields of a line of quoted fields; null when a quote is left open (a line cut short). */
  private static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i <= line.length()) {
      if (i == line.length() || line.charAt(i) != '"') {
        int comma = line.indexOf(',', i);
        int end = comma < 0 ? line.length() : comma;
        out.add(line.substring(i, end));
        if (comma < 0) {
          break;
        }
        i = comma + 1;
        continue;
      }
      StringBuilder sb = new StringBuilder();
      int j = i + 1;
      while (true) {
        if (j >= line.length()) {
          return null;
        }
        char c = line.charAt(j);
        if (c == '"') {
          if (j + 1 < line.length() && line.charAt(j + 1) == '"') {
            sb.append('"');
            j += 2;
            continue;
          }
          break;
        }
        sb.append(c);
        j++;
      }
      out.add(sb.toString());
      j++; // closing quote
      if (j >= line.length()) {
        break;
      }
      if (line.charAt(j) != ',') {
        return null;
      }
      i = j + 1;
    }
    return out;
  }
}
