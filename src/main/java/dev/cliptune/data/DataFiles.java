package dev.cliptune.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Small file and path helpers of the dataset readers; failures are {@link DatasetException}s naming the file. */
final class DataFiles {
  private DataFiles() {}

  static List<String> readLines(Path file, String hint) {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file + " not found; " + hint);
    }
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The stripped non-blank lines of a text file. */
  static List<String> nonBlankLines(Path file, String hint) {
    List<String> out = new ArrayList<>();
    for (String line : readLines(file, hint)) {
      String s = line.strip();
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    if (out.isEmpty()) {
      throw new DatasetException(file + " is empty; " + hint);
    }
    return out;
  }

  static int parseInt(String s, Path file, int line) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new DatasetException(file + " line " + (line + 1) + ": '" + s + "' is not an integer");
    }
  }

  static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  static Path expandHome(String p) {
    if (p.equals("~") || p.startsWith("~/")) {
      return Path.of(System.getProperty("user.home") + p.substring(1));
    }
    return Path.of(p);
  }
}
