package dev.cliptune.data;

import static dev.cliptune.data.DatasetOptions.CHECK_IMAGES;
import static dev.cliptune.data.DatasetOptions.FEWSHOT;
import static dev.cliptune.data.DatasetOptions.FEWSHOT_DIR;
import static dev.cliptune.data.DatasetOptions.IMAGE_ROOT;
import static dev.cliptune.data.DatasetOptions.REBUILD_SEED;
import static dev.cliptune.data.DatasetOptions.SPLIT_FILE;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 15 official datasets in the CoOp {@code $DATA} layout of CoOp's {@code DATASETS.md} (PROTOCOL.md §1; the
 * names are listed by {@link OfficialDataset#names()}), opened by {@link DatasetOpener#open} with their name (any
 * case) or by {@link #open} directly.
 *
 * <ul>
 *   <li>split-file datasets (Caltech101, OxfordPets, StanfordCars, OxfordFlowers, Food101, SUN397,
 *       DescribableTextures, EuroSAT, UCF101): {@code $DATA/<folder>/split_zhou_<Name>.json}, paths resolved
 *       against the dataset's image folder (StanfordCars: the dataset folder). Every listed image is checked
 *       to exist up front; missing ones are reported with their count and the first few paths. Class names
 *       come from the file.
 *   <li>FGVCAircraft: {@code variants.txt} (class {@code i} = line {@code i}) and
 *       {@code images_variant_{train,val,test}.txt} (lines {@code <image id> <variant>}, image
 *       {@code images/<id>.jpg}); every variant must be listed in {@code variants.txt}, every image must exist.
 *   <li>ImageNet: {@code images/train/<wnid>/} and {@code images/val/<wnid>/} with {@code classnames.txt};
 *       labels = position of the wnid folder in sorted order; val is used as test, and the returned
 *       {@link Split#val()} is the test list ({@link LoadedDataset.Kind#VAL_IS_TEST}). Both folders must hold
 *       exactly the classes of {@code classnames.txt}, none empty; files are not checked one by one (1.28 M).
 *   <li>ImageNetV2 (folders {@code 0..n-1}, label {@code i} = line {@code i} of {@code classnames.txt}),
 *       ImageNetSketch (all wnid folders), ImageNetA / ImageNetR (the wnid folders present, sorted, labels
 *       {@code 0..}, names looked up by wnid): evaluation only ({@link LoadedDataset.Kind#TEST_ONLY}: train =
 *       test = all images, val empty, as in Dassl).
 * </ul>
 *
 * A missing folder or file is reported by name with what it should contain and where CoOp documents how to
 * get it. Sizes that differ from the official ones are logged as a warning (the numbers would not be
 * comparable with published results). A random split is never generated silently: without the split file
 * loading fails; {@link SplitRebuilds#rebuild} (or the option {@value DatasetOptions#REBUILD_SEED}) rebuilds one
 * on request.
 */
public final class OfficialLayouts {
  private static final Logger LOG = LoggerFactory.getLogger(OfficialLayouts.class);

  private OfficialLayouts() {}

  /** An official dataset with default options ({@link DatasetOpener#open} with its name). */
  public static LoadedDataset open(String name, Path dataRoot) {
    return open(OfficialDataset.byName(name), dataRoot, Map.of());
  }

  /** An official dataset under {@code dataRoot} (see the class documentation for options). */
  public static LoadedDataset open(OfficialDataset d, Path dataRoot, Map<String, String> options) {
    DatasetOptions opts = new DatasetOptions(options, d.officialName(), allowedOptions(d));
    Path dir = datasetDir(d, dataRoot);
    LoadedDataset ds;
    if (opts.has(REBUILD_SEED)) {
      if (opts.has(SPLIT_FILE)) {
        throw new DatasetException("options " + REBUILD_SEED + " and " + SPLIT_FILE + " exclude each other");
      }
      ds = SplitRebuilds.rebuild(d, dir, opts.longValue(REBUILD_SEED), opts);
    } else {
      ds = switch (d.layout()) {
        case SPLIT_FILE -> loadSplitFile(d, dir, opts);
        case FGVC_VARIANTS -> loadFgvc(d, dir, opts);
        case IMAGENET -> loadImageNet(d, dir, opts);
        case NUMBERED_FOLDERS, WNID_FOLDERS_ALL, WNID_FOLDERS_PRESENT -> loadTestOnly(d, dir);
      };
    }
    warnIfNotOfficialSize(d, ds);
    return ds;
  }

  private static Set<String> allowedOptions(OfficialDataset d) {
    Set<String> s = new TreeSet<>(List.of(CHECK_IMAGES, FEWSHOT_DIR));
    if (d.layout() == OfficialDataset.Layout.SPLIT_FILE) {
      s.add(IMAGE_ROOT);
      s.add(SPLIT_FILE);
    }
    if (d.canRebuildSplit()) {
      s.add(REBUILD_SEED);
    }
    return s;
  }

  private static Path datasetDir(OfficialDataset d, Path dataRoot) {
    if (dataRoot == null) {
      throw new DatasetException("no data root given for " + d.officialName()
          + ": the official datasets live in one folder ($DATA), " + d.officialName() + " in $DATA/" + d.folder());
    }
    Path root = DataFiles.expandHome(dataRoot.toString()).toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new DatasetException("data root " + root + " not found; it should hold one folder per dataset ("
          + d.officialName() + ": " + d.folder() + "/)");
    }
    Path dir = root.resolve(d.folder());
    if (!Files.isDirectory(dir)) {
      throw new DatasetException(dir + " not found: the " + d.officialName() + " folder should contain "
          + d.contents() + "; see " + d.whereToGet());
    }
    return dir;
  }

  static String contentsHint(OfficialDataset d, Path dir) {
    return "the " + d.officialName() + " folder " + dir + " should contain " + d.contents() + "; see "
        + d.whereToGet();
  }

  private static LoadedDataset loadSplitFile(OfficialDataset d, Path dir, DatasetOptions opts) {
    Path imageRoot = opts.path(IMAGE_ROOT, dir, dir.resolve(d.imageRoot()));
    Path defaultFile = dir.resolve(d.splitFileName());
    Path file = opts.path(SPLIT_FILE, dir, defaultFile);
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file + " not found: download " + d.splitFileName() + " from " + d.whereToGet()
          + " and put it in " + dir + "; " + SplitFiles.FORMAT + ". (Without it the official code builds a"
          + " random split whose numbers are not comparable; cliptune does not do that silently"
          + (d.canRebuildSplit() ? " — to rebuild one by the official rule on purpose, use the option "
              + REBUILD_SEED + "=<seed>)" : ")"));
    }
    Split split = SplitFiles.read(file, imageRoot, true);
    if (opts.bool(CHECK_IMAGES, true)) {
      SplitFiles.checkImagesExist(split, imageRoot, file, contentsHint(d, dir));
    }
    Path cacheDefault = file.equals(defaultFile) ? dir.resolve(FEWSHOT)
        : dir.resolve(FEWSHOT).resolve(DataFiles.stem(file));
    return new LoadedDataset(d.officialName(), dir, imageRoot, split, opts.fewshotDir(dir, cacheDefault),
        LoadedDataset.Kind.STANDARD, "split file " + file);
  }

  private static LoadedDataset loadFgvc(OfficialDataset d, Path dir, DatasetOptions opts) {
    Path imageRoot = dir.resolve(d.imageRoot());
    Path variantsFile = dir.resolve("variants.txt");
    List<String> variants = DataFiles.nonBlankLines(variantsFile, contentsHint(d, dir));
    Map<String, Integer> cname2lab = new HashMap<>();
    for (int i = 0; i < variants.size(); i++) {
      cname2lab.putIfAbsent(variants.get(i), i);
    }
    List<List<Item>> parts = new ArrayList<>();
    for (String part : List.of("train", "val", "test")) {
      Path file = dir.resolve("images_variant_" + part + ".txt");
      List<String> raw = DataFiles.readLines(file, contentsHint(d, dir));
      List<Item> items = new ArrayList<>();
      for (int i = 0; i < raw.size(); i++) {
        String line = raw.get(i).strip();
        if (line.isEmpty()) {
          continue;
        }
        int sp = line.indexOf(' ');
        if (sp < 0) {
          throw new DatasetException(file + " line " + (i + 1) + " '" + line
              + "': expected '<image id> <variant name>'");
        }
        String variant = line.substring(sp + 1);
        Integer label = cname2lab.get(variant);
        if (label == null) {
          throw new DatasetException(file + " line " + (i + 1) + ": variant '" + variant + "' is not in "
              + variantsFile);
        }
        items.add(new Item(imageRoot.resolve(line.substring(0, sp) + ".jpg").toString(), label, variants.get(label)));
      }
      parts.add(items);
    }
    Split split = new Split(parts.get(0), parts.get(1), parts.get(2));
    if (opts.bool(CHECK_IMAGES, true)) {
      SplitFiles.checkImagesExist(split, imageRoot, dir.resolve("images_variant_{train,val,test}.txt"),
          contentsHint(d, dir));
    }
    return new LoadedDataset(d.officialName(), dir, imageRoot, split, opts.fewshotDir(dir, dir.resolve(FEWSHOT)),
        LoadedDataset.Kind.STANDARD, "variants.txt and images_variant_{train,val,test}.txt in " + dir);
  }

  private static LoadedDataset loadImageNet(OfficialDataset d, Path dir, DatasetOptions opts) {
    LinkedHashMap<String, String> classnames = readClassnamesOf(d, dir);
    Path imageRoot = dir.resolve(d.imageRoot());
    List<List<Item>> parts = new ArrayList<>();
    for (String part : List.of("train", "val")) {
      Path splitDir = imageRoot.resolve(part);
      if (!Files.isDirectory(splitDir)) {
        throw new DatasetException(splitDir + " not found; " + contentsHint(d, dir));
      }
      List<String> folders = ImageFolders.subdirs(splitDir);
      ImageFolders.requireSameFolders(splitDir, folders, classnames.keySet(), dir.resolve("classnames.txt"));
      parts.add(ImageFolders.readFolders(splitDir, folders, classnames));
    }
    Split split = new Split(parts.get(0), parts.get(1), parts.get(1));
    return new LoadedDataset(d.officialName(), dir, imageRoot, split, opts.fewshotDir(dir, dir.resolve(FEWSHOT)),
        LoadedDataset.Kind.VAL_IS_TEST, "folders " + imageRoot + "/{train,val} and " + dir.resolve("classnames.txt"));
  }

  private static LoadedDataset loadTestOnly(OfficialDataset d, Path dir) {
    LinkedHashMap<String, String> classnames = readClassnamesOf(d, dir);
    Path imageRoot = dir.resolve(d.imageRoot());
    if (!Files.isDirectory(imageRoot)) {
      throw new DatasetException(imageRoot + " not found; " + contentsHint(d, dir));
    }
    Path classFile = dir.resolve("classnames.txt");
    List<String> found = ImageFolders.subdirs(imageRoot);
    List<String> folders;
    Map<String, String> names;
    switch (d.layout()) {
      case NUMBERED_FOLDERS -> {
        List<String> wnids = new ArrayList<>(classnames.keySet());
        folders = new ArrayList<>();
        names = new HashMap<>();
        for (int i = 0; i < wnids.size(); i++) {
          folders.add(Integer.toString(i));
          names.put(Integer.toString(i), classnames.get(wnids.get(i)));
        }
        List<String> missing = folders.stream().filter(f -> !Files.isDirectory(imageRoot.resolve(f))).toList();
        if (!missing.isEmpty()) {
          throw new DatasetException(imageRoot + " lacks " + missing.size() + " of the class folders 0 ... "
              + (folders.size() - 1) + " (one per line of " + classFile + "): " + ImageFolders.first(missing)
              + "; " + contentsHint(d, dir));
        }
        List<String> extra = found.stream().filter(f -> !names.containsKey(f)).toList();
        if (!extra.isEmpty()) {
          LOG.warn("{}: ignoring {} folders that are not a class number 0 ... {}: {}", imageRoot, extra.size(),
              folders.size() - 1, ImageFolders.first(extra));
        }
      }
      case WNID_FOLDERS_ALL -> {
        ImageFolders.requireSameFolders(imageRoot, found, classnames.keySet(), classFile);
        folders = found;
        names = classnames;
      }
      default -> { // WNID_FOLDERS_PRESENT: the folders present, a subset of classnames.txt
        List<String> unknown = found.stream().filter(f -> !classnames.containsKey(f)).toList();
        if (!unknown.isEmpty()) {
          throw new DatasetException(imageRoot + ": " + unknown.size() + " folders are not wnids of " + classFile
              + ": " + ImageFolders.first(unknown) + "; " + contentsHint(d, dir));
        }
        if (found.isEmpty()) {
          throw new DatasetException(imageRoot + " has no class folders; " + contentsHint(d, dir));
        }
        folders = found;
        names = classnames;
      }
    }
    List<Item> all = ImageFolders.readFolders(imageRoot, folders, names);
    return new LoadedDataset(d.officialName(), dir, imageRoot, new Split(all, List.of(), all), null,
        LoadedDataset.Kind.TEST_ONLY, "folders of " + imageRoot + " and " + classFile);
  }

  private static LinkedHashMap<String, String> readClassnamesOf(OfficialDataset d, Path dir) {
    String what = d == OfficialDataset.IMAGENET
        ? "download classnames.txt from " + d.whereToGet() + "; expected lines '<wnid> <class name>'"
        : "copy classnames.txt from $DATA/imagenet/ (see " + d.whereToGet() + "); expected lines '<wnid> <class name>'";
    return ImageFolders.readClassnames(dir.resolve("classnames.txt"), what);
  }

  private static void warnIfNotOfficialSize(OfficialDataset d, LoadedDataset ds) {
    Split s = ds.split();
    int[] want = d.officialCounts();
    int classes = s.numClasses();
    int[] got = {s.train().size(), d.testOnly() ? 0 : s.val().size(), s.test().size()};
    if (classes != d.officialClasses() || got[0] != want[0] || got[1] != want[1] || got[2] != want[2]) {
      LOG.warn("{}: {} classes, {} / {} / {} train / val / test images; the official dataset has {} classes,"
          + " {} / {} / {} — results will not be comparable with published numbers", d.officialName(), classes,
          got[0], got[1], got[2], d.officialClasses(), want[0], want[1], want[2]);
    }
  }
}
