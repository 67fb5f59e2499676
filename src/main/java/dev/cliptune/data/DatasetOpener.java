package dev.cliptune.data;

import static dev.cliptune.data.DatasetOptions.CHECK_IMAGES;
import static dev.cliptune.data.DatasetOptions.FEWSHOT_DIR;
import static dev.cliptune.data.DatasetOptions.IMAGE_ROOT;
import static dev.cliptune.data.DatasetOptions.SPLIT_RATIO;
import static dev.cliptune.data.DatasetOptions.SPLIT_SEED;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Opens a dataset by official name, folder or split file — no code or registration needed.
 *
 * <p>An official name goes to {@link OfficialLayouts} (the CoOp {@code $DATA} layout; {@link SplitRebuilds} when a
 * split is to be rebuilt on purpose); a folder or a {@code .json} file is a custom dataset:
 *
 * <h2>Custom datasets</h2>
 *
 * <ul>
 *   <li><b>A folder of class folders</b>: {@code root/<class name>/<image>} (images: {@code .jpg .jpeg .png
 *       .bmp .gif .tif .tiff}, any case; other files are ignored). Classes are the folder names sorted by code
 *       point (upper case before lower case), labels {@code 0..}; the class name is the folder name unless
 *       an optional {@code root/classnames.txt} (lines {@code <folder> <class name>}) names it. If
 *       {@code root/train/} exists, the splits are its sub-folders {@code train/<class>/}, {@code test/<class>/}
 *       (required) and {@code val/<class>/} (optional, else empty); classes come from {@code train/}.
 *       Otherwise each class is split by ratio — shuffled with {@link PyRandom} seeded with
 *       {@code split_seed} (default 1) from its sorted file list, then cut into
 *       {@code round(n·train)} / {@code round(n·val)} / rest (default ratios {@code 0.5,0.2}, the official rule
 *       of DTD/Food101/EuroSAT/Caltech101) — deterministic, and logged.
 *   <li><b>A split file</b> ({@code *.json}) in the {@code split_zhou_*.json} format ({@link SplitFiles}):
 *       paths resolved against the option {@code image_root} (default: the file's folder; for a file
 *       named {@code split_zhou_<official name>.json}: that dataset's image folder next to it); {@code "val"} may be
 *       omitted. Every image is checked to exist.
 * </ul>
 *
 * <h2>Options</h2>
 *
 * Names in {@link DatasetOptions}:
 *
 * <ul>
 *   <li>{@code image_root}: the folder split-file paths are relative to (split-file datasets and split files;
 *       relative values are resolved against the dataset folder / the split file's folder) — for data kept in
 *       another layout;
 *   <li>{@code split_file}: another split file for an official split-file dataset;
 *   <li>{@code rebuild_seed}: rebuild the official random split with this seed instead of reading the split file
 *       ({@link SplitRebuilds#rebuild});
 *   <li>{@code check_images}: {@code true} (default) or {@code false} — check that listed images exist;
 *   <li>{@code fewshot_dir}: where few-shot subsets are cached ({@code none} = no cache; default
 *       {@code <dataset folder>/split_fewshot}, in a sub-folder for a non-default split);
 *   <li>{@code split_ratio} ({@code "train,val"} fractions) and {@code split_seed}: ratio split of a custom
 *       folder without {@code train/}.
 * </ul>
 *
 * Unknown options, and options that do not apply to the dataset opened, are errors.
 *
 * <p>Not read: the official Python pickles ({@code imagenet/preprocessed.pkl}, {@code split_fewshot/*.pkl});
 * few-shot subsets are cached as JSON by {@link FewShotCache}.
 */
public final class DatasetOpener {
  private DatasetOpener() {}

  /**
   * Opens a dataset: an official name (any case; see {@link OfficialDataset}), a folder of class folders, or
   * a split {@code .json} file. A name that is not official is taken as a path, tried as given and then
   * relative to {@code dataRoot}. To open a folder whose name is an official name, write it as a path
   * ({@code ./EuroSAT}).
   *
   * @param dataRoot the {@code $DATA} folder (needed for official names; may be {@code null} for paths)
   * @param options see the class documentation; {@code null} = none
   * @throws DatasetException when files are missing or malformed, for an unknown name or path and a bad option
   */
  public static LoadedDataset open(String nameOrPath, Path dataRoot, Map<String, String> options) {
    if (nameOrPath == null || nameOrPath.isBlank()) {
      throw new DatasetException("no dataset given: use an official name ("
          + String.join(", ", OfficialDataset.names()) + "), a folder of class folders or a split .json file");
    }
    Map<String, String> opts = options == null ? Map.of() : options;
    OfficialDataset d = OfficialDataset.find(nameOrPath);
    if (d != null && !nameOrPath.contains("/") && !nameOrPath.contains("\\")) {
      return OfficialLayouts.open(d, dataRoot, opts);
    }
    List<Path> tried = new ArrayList<>();
    Path given = DataFiles.expandHome(nameOrPath);
    tried.add(given.toAbsolutePath().normalize());
    if (!given.isAbsolute() && dataRoot != null) {
      Path underRoot = DataFiles.expandHome(dataRoot.toString()).resolve(given).toAbsolutePath().normalize();
      if (!tried.contains(underRoot)) {
        tried.add(underRoot);
      }
    }
    Path found = tried.stream().filter(Files::exists).findFirst().orElse(null);
    boolean json = nameOrPath.toLowerCase(Locale.ROOT).endsWith(".json");
    if (found == null) {
      throw new DatasetException("'" + nameOrPath + "' is not an official dataset ("
          + String.join(", ", OfficialDataset.names()) + ") and no " + (json ? "split file" : "such folder")
          + " exists (tried " + String.join(", ", tried.stream().map(Path::toString).toList()) + ")");
    }
    if (Files.isDirectory(found)) {
      Path split = coopLayoutSplit(found);
      if (split != null) {
        // a dataset folder in the CoOp layout: one split_zhou_<Name>.json beside an images/ folder
        Map<String, String> o = new HashMap<>(opts);
        o.putIfAbsent(IMAGE_ROOT, found.resolve("images").toString());
        return splitFile(split, o);
      }
      return folder(found, opts);
    }
    if (!json) {
      throw new DatasetException(found + " is a file but not a .json split file; give a folder of class"
          + " folders or a split file in the split_zhou_*.json format");
    }
    return splitFile(found, opts);
  }

  /** The split file of a CoOp-layout folder (exactly one {@code split_zhou_*.json} and an {@code images/} folder). */
  static Path coopLayoutSplit(Path dir) {
    if (!Files.isDirectory(dir.resolve("images"))) {
      return null;
    }
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      List<Path> splits = s.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith("split_zhou_") && n.endsWith(".json") && Files.isRegularFile(p);
      }).toList();
      return splits.size() == 1 ? splits.get(0) : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** A custom folder of class folders (see the class documentation). */
  public static LoadedDataset folder(Path root, Map<String, String> options) {
    DatasetOptions opts = new DatasetOptions(options, root.toString(),
        Set.of(CHECK_IMAGES, FEWSHOT_DIR, SPLIT_RATIO, SPLIT_SEED));
    return CustomDatasets.folder(root.toAbsolutePath().normalize(), opts);
  }

  /** A custom split file in the {@code split_zhou_*.json} format (see the class documentation). */
  public static LoadedDataset splitFile(Path file, Map<String, String> options) {
    DatasetOptions opts = new DatasetOptions(options, file.toString(), Set.of(IMAGE_ROOT, CHECK_IMAGES, FEWSHOT_DIR));
    return CustomDatasets.splitFile(file.toAbsolutePath().normalize(), opts);
  }
}
