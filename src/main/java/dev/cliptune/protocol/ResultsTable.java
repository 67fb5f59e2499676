package dev.cliptune.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cliptune.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A protocol's results in the papers' layout, written as Markdown, CSV and JSON. */
public final class ResultsTable {
  private final String title;
  private final List<String> columns;
  private final List<List<String>> rows = new ArrayList<>();
  private final List<Map<String, Object>> records = new ArrayList<>();

  public ResultsTable(String title, List<String> columns) {
    this.title = title;
    this.columns = List.copyOf(columns);
  }

  /** Adds a row (cells as printed) and its machine-readable record. */
  public void add(List<String> cells, Map<String, Object> record) {
    if (cells.size() != columns.size()) {
      throw new IllegalArgumentException("row has " + cells.size() + " cells, table has " + columns.size() + " columns");
    }
    rows.add(List.copyOf(cells));
    records.add(new LinkedHashMap<>(record));
  }

  public List<Map<String, Object>> records() {
    return records;
  }

  public String markdown() {
    StringBuilder sb = new StringBuilder("### ").append(title).append("\n\n| ");
    sb.append(String.join(" | ", columns)).append(" |\n|");
    for (int i = 0; i < columns.size(); i++) {
      sb.append(i == 0 ? "---|" : "---:|");
    }
    sb.append('\n');
    for (List<String> r : rows) {
      sb.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    return sb.toString();
  }

  public String csv() {
    StringBuilder sb = new StringBuilder(csvLine(columns));
    rows.forEach(r -> sb.append(csvLine(r)));
    return sb.toString();
  }

  private static String csvLine(List<String> cells) {
    List<String> q = new ArrayList<>();
    for (String c : cells) {
      q.add(c.contains(",") || c.contains("\"") ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
    }
    return String.join(",", q) + "\n";
  }

  /** Writes {@code <base>.md}, {@code <base>.csv} and {@code <base>.json} atomically. */
  public void write(Path dir, String base) throws IOException {
    AtomicFiles.writeString(dir.resolve(base + ".md"), markdown());
    AtomicFiles.writeString(dir.resolve(base + ".csv"), csv());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("title", title);
    json.put("rows", records);
    AtomicFiles.writeString(dir.resolve(base + ".json"),
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json) + "\n");
  }
}
