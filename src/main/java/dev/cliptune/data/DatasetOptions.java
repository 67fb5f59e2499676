package dev.cliptune.data;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of {@link DatasetOpener#open} (their names, below) and one dataset's validated options: unknown
 * keys and keys that do not apply to the dataset opened are errors.
 */
public final class DatasetOptions {
  /** Option: the folder split-file paths are relative to. */
  public static final String IMAGE_ROOT = "image_root";
  /** Option: another split file for an official split-file dataset. */
  public static final String SPLIT_FILE = "split_file";
  /** Option: rebuild the official random split with this seed. */
  public static final String REBUILD_SEED = "rebuild_seed";
  /** Option: {@code true}/{@code false}, check that listed images exist (default true). */
  public static final String CHECK_IMAGES = "check_images";
  /** Option: few-shot cache folder, or {@code none}. */
  public static final String FEWSHOT_DIR = "fewshot_dir";
  /** Option: {@code "train,val"} fractions of a custom folder's ratio split (default {@code 0.5,0.2}). */
  public static final String SPLIT_RATIO = "split_ratio";
  /** Option: seed of a custom folder's ratio split (default 1). */
  public static final String SPLIT_SEED = "split_seed";

  /** The few-shot cache folder's name in a dataset folder (as the official code names it). */
  static final String FEWSHOT = "split_fewshot";

  private final Map<String, String> map;
  private final String what;

  DatasetOptions(Map<String, String> map, String what, Set<String> allowed) {
    this.map = map == null ? Map.of() : map;
    this.what = what;
    Set<String> all = Set.of(IMAGE_ROOT, SPLIT_FILE, REBUILD_SEED, CHECK_IMAGES, FEWSHOT_DIR, SPLIT_RATIO,
        SPLIT_SEED);
    for (String k : this.map.keySet()) {
      if (!all.contains(k)) {
        throw new DatasetException("unknown dataset option '" + k + "'; the options are "
            + String.join(", ", new TreeSet<>(all)));
      }
      if (!allowed.contains(k)) {
        throw new DatasetException("dataset option '" + k + "' does not apply to " + what
            + "; it accepts " + String.join(", ", new TreeSet<>(allowed)));
      }
    }
  }

  boolean has(String key) {
    return map.containsKey(key);
  }

  String get(String key) {
    return map.get(key);
  }

  long longValue(String key) {
    try {
      return Long.parseLong(map.get(key).trim());
    } catch (NumberFormatException e) {
      throw new DatasetException("dataset option " + key + " must be an integer, got '" + map.get(key) + "'");
    }
  }

  boolean bool(String key, boolean dflt) {
    String v = map.get(key);
    if (v == null) {
      return dflt;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw new DatasetException("dataset option " + key + " must be true or false, got '" + v + "'");
    };
  }

  /** A path option resolved against {@code base}, or {@code dflt}. */
  Path path(String key, Path base, Path dflt) {
    String v = map.get(key);
    return v == null ? dflt : base.resolve(DataFiles.expandHome(v.trim())).toAbsolutePath().normalize();
  }

  /** The few-shot cache folder: the option ({@code none} = {@code null}) or {@code dflt}. */
  Path fewshotDir(Path base, Path dflt) {
    String v = map.get(FEWSHOT_DIR);
    if (v != null && v.trim().equalsIgnoreCase("none")) {
      return null;
    }
    return path(FEWSHOT_DIR, base, dflt);
  }
}
