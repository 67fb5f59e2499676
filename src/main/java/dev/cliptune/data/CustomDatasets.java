package dev.cliptune.data;

import static dev.cliptune.data.DatasetOptions.CHECK_IMAGES;
import static dev.cliptune.data.DatasetOptions.FEWSHOT;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The custom dataset formats of {@link DatasetOpener}: a folder of class folders, and a split file. */
final class CustomDatasets {
  /** File name extensions (lower case) taken as images in a custom folder. */
  static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff");

  private static final Logger LOG = LoggerFactory.getLogger(CustomDatasets.class);
  private static final Pattern OFFICIAL_SPLIT = Pattern.compile("split_zhou_(\\w+)\\.json");
  private static final Set<String> SPLIT_DIRS = Set.of("train", "val", "test");

  private CustomDatasets() {}

  // ------------------------------------------------------------------ folder of class folders

  static LoadedDataset folder(Path root, DatasetOptions opts) {
    if (!Files.isDirectory(root)) {
      throw new DatasetException(root + " not found; expected a folder with one folder of images per class");
    }
    Path namesFile = root.resolve("classnames.txt");
    Map<String, String> names = Files.isRegularFile(namesFile)
        ? ImageFolders.readClassnames(namesFile, "expected lines '<folder> <class name>'")
        : null;
    String name = root.getFileName() == null ? root.toString() : root.getFileName().toString();
    if (Files.isDirectory(root.resolve("train"))) {
      if (opts.has(SPLIT_RATIO) || opts.has(SPLIT_SEED)) {
        throw new DatasetException(root + " has train/ (and test/) sub-folders, so the options "
            + SPLIT_RATIO + " and " + SPLIT_SEED + " do not apply");
      }
      Split split = subfolderSplit(root, names, namesFile);
      return new LoadedDataset(name, root, root, split,
          opts.fewshotDir(root, root.resolve(FEWSHOT)), LoadedDataset.Kind.STANDARD,
          "folder " + root + " with sub-folders train/, " + (Files.isDirectory(root.resolve("val")) ? "val/, " : "")
              + "test/");
    }
    for (String s : List.of("val", "test")) {
      if (Files.isDirectory(root.resolve(s))) {
        throw new DatasetException(root + " has " + s + "/ but no train/: either put the splits in train/,"
            + " val/ (optional) and test/, or have only class folders (split by ratio)");
      }
    }
    double[] ratio = ratio(opts.get(SPLIT_RATIO));
    long seed = opts.has(SPLIT_SEED) ? opts.longValue(SPLIT_SEED) : 1;
    if (seed < 0) {
      throw new DatasetException(SPLIT_SEED + " must be >= 0, got " + seed);
    }
    checkClassNames(root, ImageFolders.subdirs(root).stream().filter(c -> !c.equals(FEWSHOT)).toList(),
        names, namesFile);
    Split split = RandomSplits.splitClassFolders(root, ratio[0], ratio[1], Set.of(FEWSHOT),
        c -> names == null ? c : names.get(c), new PyRandom(seed), false, CustomDatasets::images);
    String rule = fmt(ratio[0]) + "/" + fmt(ratio[1]) + "/" + fmt(1 - ratio[0] - ratio[1]);
    String source = "folder " + root + " split per class " + rule + " (train/val/test) from sorted files,"
        + " shuffled with seed " + seed;
    LOG.info("{}: no train/ sub-folder, {} (options {}, {})", name, source, SPLIT_RATIO,
        SPLIT_SEED);
    Path cache = root.resolve(FEWSHOT).resolve("ratio_" + fmt(ratio[0]) + "_" + fmt(ratio[1]) + "-seed_" + seed);
    return new LoadedDataset(name, root, root, split, opts.fewshotDir(root, cache), LoadedDataset.Kind.STANDARD,
        source);
  }

  private static Split subfolderSplit(Path root, Map<String, String> names, Path namesFile) {
    Path trainDir = root.resolve("train");
    Path testDir = root.resolve("test");
    if (!Files.isDirectory(testDir)) {
      throw new DatasetException(testDir + " not found: a folder with train/ needs test/<class>/ too"
          + " (val/<class>/ is optional)");
    }
    List<String> classes = ImageFolders.subdirs(trainDir);
    if (classes.isEmpty()) {
      throw new DatasetException(trainDir + " has no class folders; expected train/<class name>/<images>");
    }
    checkClassNames(trainDir, classes, names, namesFile);
    Map<String, Integer> labels = new HashMap<>();
    for (int i = 0; i < classes.size(); i++) {
      labels.put(classes.get(i), i);
    }
    List<List<Item>> parts = new ArrayList<>();
    for (String part : List.of("train", "val", "test")) { // class folders sorted = label order
      Path dir = root.resolve(part);
      List<Item> items = new ArrayList<>();
      if (Files.isDirectory(dir)) {
        for (String c : ImageFolders.subdirs(dir)) {
          Integer label = labels.get(c);
          if (label == null) {
            throw new DatasetException(dir.resolve(c) + " is a class that " + trainDir
                + " does not have; the classes are the folders of train/");
          }
          List<String> files = images(dir.resolve(c));
          if (files.isEmpty() && part.equals("train")) {
            throw new DatasetException("class folder " + dir.resolve(c) + " has no images ("
                + String.join(" ", IMAGE_EXTENSIONS.stream().sorted().toList()) + ")");
          }
          String cname = names == null ? c : names.get(c);
          for (String f : files) {
            items.add(new Item(dir.resolve(c).resolve(f).toString(), label, cname));
          }
        }
      }
      parts.add(items);
    }
    return new Split(parts.get(0), parts.get(1), parts.get(2));
  }

  private static void checkClassNames(Path dir, List<String> classes, Map<String, String> names, Path namesFile) {
    if (classes.isEmpty()) {
      throw new DatasetException(dir + " has no class folders; expected one folder of images per class");
    }
    if (names == null) {
      return;
    }
    List<String> unnamed = classes.stream().filter(c -> !names.containsKey(c)).toList();
    if (!unnamed.isEmpty()) {
      throw new DatasetException(namesFile + " does not name " + unnamed.size() + " class folders of " + dir + ": "
          + ImageFolders.first(unnamed));
    }
  }

  /** The image files of a folder, sorted by name. */
  static List<String> images(Path dir) {
    return ImageFolders.regularFiles(dir, n -> {
      int dot = n.lastIndexOf('.');
      return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    });
  }

  private static double[] ratio(String v) {
    if (v == null) {
      return new double[] {0.5, 0.2};
    }
    String[] f = v.split(",");
    try {
      if (f.length == 2) {
        double tr = Double.parseDouble(f[0].trim());
        double va = Double.parseDouble(f[1].trim());
        if (tr > 0 && va >= 0 && tr + va < 1) {
          return new double[] {tr, va};
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new DatasetException(SPLIT_RATIO + " must be 'train,val' fractions with train > 0,"
        + " val >= 0 and train + val < 1 (the rest is test), got '" + v + "'");
  }

  private static String fmt(double x) {
    String s = String.format(Locale.ROOT, "%.4f", x).replaceAll("0+$", "");
    return s.endsWith(".") ? s + "0" : s;
  }

  // ------------------------------------------------------------------ split file

  static LoadedDataset splitFile(Path file, DatasetOptions opts) {
    Path dir = file.getParent();
    Matcher m = OFFICIAL_SPLIT.matcher(file.getFileName().toString());
    OfficialDataset official = m.matches() ? OfficialDataset.find(m.group(1)) : null;
    if (official != null && official.splitFileName() == null) {
      official = null;
    }
    Path imageRoot = opts.path(IMAGE_ROOT, dir,
        official != null ? dir.resolve(official.imageRoot()) : dir);
    Split split = SplitFiles.read(file, imageRoot, false);
    if (opts.bool(CHECK_IMAGES, true)) {
      SplitFiles.checkImagesExist(split, imageRoot, file, "the image root (option " + IMAGE_ROOT
          + ", default " + (official != null ? "the " + official.imageRoot() + " folder next to the file"
              : "the file's folder") + ") should hold the listed images");
    }
    String name = official != null ? official.officialName()
        : m.matches() ? m.group(1) : DataFiles.stem(file); // split_zhou_<Name>.json names the dataset
    Path cache = official != null ? dir.resolve(FEWSHOT)
        : dir.resolve(FEWSHOT).resolve(DataFiles.stem(file));
    return new LoadedDataset(name, dir, imageRoot, split, opts.fewshotDir(dir, cache), LoadedDataset.Kind.STANDARD,
        "split file " + file);
  }
}
