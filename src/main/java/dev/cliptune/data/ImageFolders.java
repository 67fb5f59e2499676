package dev.cliptune.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Folder listings and the ImageNet-family {@code classnames.txt}, shared by the ImageNet loaders and the
 * custom folder datasets. Hidden entries (names starting with {@code .}) are skipped, as Dassl's
 * {@code listdir_nohidden} does; names are sorted by code point (Python's {@code sorted}).
 */
final class ImageFolders {
  private ImageFolders() {}

  /** Entries shown by name in an error message, at most. */
  static final int SHOW = 5;

  /**
   * {@code classnames.txt}: one line per class, {@code <wnid> <class name words...>} (the name is the rest of
   * the line after the first space). Blank lines are skipped.
   *
   * @return wnid to class name, in file order
   */
  static LinkedHashMap<String, String> readClassnames(Path file, String whatItIs) {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file + " not found; " + whatItIs);
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
    }
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      int sp = line.indexOf(' ');
      String wnid = sp < 0 ? line : line.substring(0, sp);
      String name = sp < 0 ? "" : line.substring(sp + 1);
      if (name.isBlank()) {
        throw new DatasetException(file + " line " + (i + 1) + " '" + line
            + "' has no class name; expected '<folder name> <class name>'");
      }
      if (out.putIfAbsent(wnid, name) != null) {
        throw new DatasetException(file + " line " + (i + 1) + ": folder name '" + wnid + "' appears twice");
      }
    }
    if (out.isEmpty()) {
      throw new DatasetException(file + " is empty; " + whatItIs);
    }
    return out;
  }

  /** The sorted non-hidden sub-directories of {@code dir}. */
  static List<String> subdirs(Path dir) {
    return list(dir, Files::isDirectory);
  }

  /**
   * The sorted non-hidden entries of a class folder. Entries are not stat-ed (a class folder of ImageNet
   * holds ~1,300 files, 1.28 M in all), as the official loader takes every non-hidden name.
   */
  static List<String> files(Path dir) {
    return list(dir, p -> true);
  }

  /** The sorted non-hidden regular files of {@code dir} accepted by {@code keep} (by name). */
  static List<String> regularFiles(Path dir, Predicate<String> keep) {
    return list(dir, p -> Files.isRegularFile(p) && keep.test(p.getFileName().toString()));
  }

  private static List<String> list(Path dir, Predicate<Path> keep) {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (!name.startsWith(".") && keep.test(p)) {
          out.add(name);
        }
      }
    } catch (IOException e) {
      throw new DatasetException("cannot list " + dir + ": " + e, e);
    }
    Collections.sort(out);
    return out;
  }

  /**
   * Checks that the class folders under {@code dir} are exactly the expected ones (a missing folder would
   * shift every later label in the official loader).
   */
  static void requireSameFolders(Path dir, List<String> found, Iterable<String> expected, Path expectedFrom) {
    Set<String> have = new HashSet<>(found);
    List<String> missing = new ArrayList<>();
    Set<String> want = new HashSet<>();
    for (String e : expected) {
      want.add(e);
      if (!have.contains(e)) {
        missing.add(e);
      }
    }
    List<String> extra = found.stream().filter(f -> !want.contains(f)).toList();
    if (missing.isEmpty() && extra.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder(dir.toString()).append(" does not have one folder per class of ")
        .append(expectedFrom).append(" (").append(want.size()).append(" classes, ").append(found.size())
        .append(" folders)");
    if (!missing.isEmpty()) {
      sb.append("; ").append(missing.size()).append(" missing: ").append(first(missing));
    }
    if (!extra.isEmpty()) {
      sb.append("; ").append(extra.size()).append(" not in the class list: ").append(first(extra));
    }
    throw new DatasetException(sb.toString());
  }

  /**
   * Items of class folders: folder {@code folders.get(i)} under {@code dir} gets label {@code i} and class
   * name {@code names.get(folder)}; files within a folder are in sorted order.
   *
   * @throws DatasetException when a class folder is empty (its class would vanish from the class list)
   */
  static List<Item> readFolders(Path dir, List<String> folders, Map<String, String> names) {
    List<Item> out = new ArrayList<>();
    for (int label = 0; label < folders.size(); label++) {
      String folder = folders.get(label);
      Path classDir = dir.resolve(folder);
      List<String> files = files(classDir);
      if (files.isEmpty()) {
        throw new DatasetException("class folder " + classDir + " is empty; every class needs its images");
      }
      String name = names.get(folder);
      for (String f : files) {
        out.add(new Item(classDir.resolve(f).toString(), label, name));
      }
    }
    return out;
  }

  static String first(List<String> names) {
    return String.join(", ", names.subList(0, Math.min(SHOW, names.size())))
        + (names.size() > SHOW ? ", ..." : "");
  }
}
