package dev.cliptune.data;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a dataset by official name, folder or split file — no code or registration needed.
 *
 * <h2>Official datasets</h2>
 *
 * {@code open("OxfordPets", dataRoot, options)} (any case) reads the CoOp {@code $DATA} layout of CoOp's
 * {@code DATASETS.md} (PROTOCOL.md §1; the names are listed by {@link OfficialDataset#names()}):
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
 * loading fails; {@link #rebuildSplit} (or the option {@value #REBUILD_SEED}) rebuilds one on request.
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
 *       {@value #SPLIT_SEED} (default 1) from its sorted file list, then cut into
 *       {@code round(n·train)} / {@code round(n·val)} / rest (default ratios {@code 0.5,0.2}, the official rule
 *       of DTD/Food101/EuroSAT/Caltech101) — deterministic, and logged.
 *   <li><b>A split file</b> ({@code *.json}) in the {@code split_zhou_*.json} format ({@link SplitFiles}):
 *       paths resolved against the option {@value #IMAGE_ROOT} (default: the file's folder; for a file named
 *       {@code split_zhou_<official name>.json}: that dataset's image folder next to it); {@code "val"} may be
 *       omitted. Every image is checked to exist.
 * </ul>
 *
 * <h2>Options</h2>
 *
 * <ul>
 *   <li>{@value #IMAGE_ROOT}: the folder split-file paths are relative to (split-file datasets and split
 *       files; relative values are resolved against the dataset folder / the split file's folder) — for data
 *       kept in another layout;
 *   <li>{@value #SPLIT_FILE}: another split file for an official split-file dataset;
 *   <li>{@value #REBUILD_SEED}: rebuild the official random split with this seed instead of reading the
 *       split file ({@link #rebuildSplit});
 *   <li>{@value #CHECK_IMAGES}: {@code true} (default) or {@code false} — check that listed images exist;
 *   <li>{@value #FEWSHOT_DIR}: where few-shot subsets are cached ({@code none} = no cache; default
 *       {@code <dataset folder>/split_fewshot}, in a sub-folder for a non-default split);
 *   <li>{@value #SPLIT_RATIO} ({@code "train,val"} fractions) and {@value #SPLIT_SEED}: ratio split of a
 *       custom folder without {@code train/}.
 * </ul>
 *
 * Unknown options, and options that do not apply to the dataset opened, are errors.
 *
 * <p>Not read: the official Python pickles ({@code imagenet/preprocessed.pkl}, {@code split_fewshot/*.pkl});
 * few-shot subsets are cached as JSON by {@link FewShotCache}.
 */
public final class Datasets {
  private static final Logger LOG = LoggerFactory.getLogger(Datasets.class);

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

  /** File name extensions (lower case) taken as images in a custom folder. */
  public static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff");

  static final String FEWSHOT = "split_fewshot";

  private Datasets() {}

  // ------------------------------------------------------------------ entry points

  /**
   * Opens a dataset: an official name (any case; see {@link OfficialDataset}), a folder of class folders, or
   * a split {@code .json} file. A name that is not official is taken as a path, tried as given and then
   * relative to {@code dataRoot}. To open a folder whose name is an official name, write it as a path
   * ({@code ./EuroSAT}).
   *
   * @param dataRoot the {@code $DATA} folder (needed for official names; may be {@code null} for paths)
   * @param options see the class documentation; {@code null} = none
   * @throws DatasetException when files are missing or malformed
   * @throws IllegalArgumentException for an unknown name/path or a bad option
   */
  public static LoadedDataset open(String nameOrPath, Path dataRoot, Map<String, String> options) {
    if (nameOrPath == null || nameOrPath.isBlank()) {
      throw new DatasetException("no dataset given: use an official name ("
          + String.join(", ", OfficialDataset.names()) + "), a folder of class folders or a split .json file");
    }
    Map<String, String> opts = options == null ? Map.of() : options;
    OfficialDataset d = OfficialDataset.find(nameOrPath);
    if (d != null && !nameOrPath.contains("/") && !nameOrPath.contains("\\")) {
      return official(d, dataRoot, opts);
    }
    List<Path> tried = new ArrayList<>();
    Path given = expandHome(nameOrPath);
    tried.add(given.toAbsolutePath().normalize());
    if (!given.isAbsolute() && dataRoot != null) {
      tried.add(expandHome(dataRoot.toString()).resolve(given).toAbsolutePath().normalize());
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
        Map<String, String> o = new java.util.HashMap<>(opts);
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

  /** An official dataset with default options ({@link #open} with a name). */
  public static LoadedDataset official(String name, Path dataRoot) {
    return official(OfficialDataset.byName(name), dataRoot, Map.of());
  }

  /** An official dataset under {@code dataRoot} (see the class documentation for options). */
  public static LoadedDataset official(OfficialDataset d, Path dataRoot, Map<String, String> options) {
    Options opts = new Options(options, d.officialName(), allowedOptions(d));
    Path dir = datasetDir(d, dataRoot);
    LoadedDataset ds;
    if (opts.has(REBUILD_SEED)) {
      if (opts.has(SPLIT_FILE)) {
        throw new DatasetException("options " + REBUILD_SEED + " and " + SPLIT_FILE + " exclude each other");
      }
      ds = rebuild(d, dir, opts.longValue(REBUILD_SEED), opts);
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

  /**
   * Rebuilds an official dataset's random split by the official rule instead of reading its split file
   * (PROTOCOL.md §1), for when the split file cannot be had. The result is <b>not</b> the published split
   * (its seed is not known), so numbers are not comparable with the papers; it is never written to
   * {@code split_zhou_<Name>.json} (save it with {@link SplitFiles#write} under another name if wanted), and
   * its few-shot caches go to {@code split_fewshot/rebuilt-seed_<seed>/}.
   *
   * <ul>
   *   <li>DescribableTextures, Food101, EuroSAT, Caltech101: per class folder of the image folder (Caltech101
   *       without {@code BACKGROUND_Google} and {@code Faces_easy}, renamed classes; EuroSAT renamed
   *       classes), 50 % train / 20 % val / 30 % test ({@link RandomSplits#splitClassFolders}). The official
   *       code shuffles each folder's unsorted {@code os.listdir} order; here the sorted order is shuffled,
   *       so even with the same seed the split is not bit-identical to what the official code makes on a
   *       given machine.
   *   <li>OxfordPets ({@code annotations/trainval.txt}, {@code test.txt}), SUN397 ({@code ClassName.txt},
   *       {@code Training_01.txt}, {@code Testing_01.txt}), UCF101 ({@code ucfTrainTestlist/classInd.txt},
   *       {@code trainlist01.txt}, {@code testlist01.txt}): the official test list, and the trainval list split
   *       80/20 per class ({@link RandomSplits#splitTrainval}). The input order is the text files', so this
   *       is the official code's choice for {@code random.seed(seed)}.
   * </ul>
   *
   * The generator is {@link PyRandom} seeded with {@code seed}, as Dassl's {@code set_random_seed} leaves it
   * before the dataset is built. (The official code's first run then draws its few-shot subset from the
   * generator state after the split; {@link FewShotCache} always draws from a freshly seeded generator, as
   * the official code does on every later run, once the split file exists.) StanfordCars and OxfordFlowers
   * need MATLAB {@code .mat} annotations and are not supported.
   *
   * @throws IllegalArgumentException for a dataset without a rebuild rule
   */
  public static LoadedDataset rebuildSplit(String name, Path dataRoot, long seed) {
    OfficialDataset d = OfficialDataset.byName(name);
    if (!d.canRebuildSplit()) {
      throw new DatasetException("no rule to rebuild the split of " + d.officialName() + "; possible for "
          + String.join(", ", Arrays.stream(OfficialDataset.values())
              .filter(OfficialDataset::canRebuildSplit).map(OfficialDataset::officialName).toList()));
    }
    return official(d, dataRoot, Map.of(REBUILD_SEED, Long.toString(seed)));
  }

  /** A custom folder of class folders (see the class documentation). */
  public static LoadedDataset folder(Path root, Map<String, String> options) {
    Options opts = new Options(options, root.toString(),
        Set.of(CHECK_IMAGES, FEWSHOT_DIR, SPLIT_RATIO, SPLIT_SEED));
    return CustomDatasets.folder(root.toAbsolutePath().normalize(), opts);
  }

  /** A custom split file in the {@code split_zhou_*.json} format (see the class documentation). */
  public static LoadedDataset splitFile(Path file, Map<String, String> options) {
    Options opts = new Options(options, file.toString(), Set.of(IMAGE_ROOT, CHECK_IMAGES, FEWSHOT_DIR));
    return CustomDatasets.splitFile(file.toAbsolutePath().normalize(), opts);
  }

  // ------------------------------------------------------------------ official layouts

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
    Path root = expandHome(dataRoot.toString()).toAbsolutePath().normalize();
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

  private static String contentsHint(OfficialDataset d, Path dir) {
    return "the " + d.officialName() + " folder " + dir + " should contain " + d.contents() + "; see "
        + d.whereToGet();
  }

  private static LoadedDataset loadSplitFile(OfficialDataset d, Path dir, Options opts) {
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
        : dir.resolve(FEWSHOT).resolve(stem(file));
    return new LoadedDataset(d.officialName(), dir, imageRoot, split, opts.fewshotDir(dir, cacheDefault),
        LoadedDataset.Kind.STANDARD, "split file " + file);
  }

  private static LoadedDataset loadFgvc(OfficialDataset d, Path dir, Options opts) {
    Path imageRoot = dir.resolve(d.imageRoot());
    Path variantsFile = dir.resolve("variants.txt");
    List<String> variants = nonBlankLines(variantsFile, contentsHint(d, dir));
    Map<String, Integer> cname2lab = new HashMap<>();
    for (int i = 0; i < variants.size(); i++) {
      cname2lab.putIfAbsent(variants.get(i), i);
    }
    List<List<Item>> parts = new ArrayList<>();
    for (String part : List.of("train", "val", "test")) {
      Path file = dir.resolve("images_variant_" + part + ".txt");
      List<String> raw = readLines(file, contentsHint(d, dir));
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

  private static LoadedDataset loadImageNet(OfficialDataset d, Path dir, Options opts) {
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

  // ------------------------------------------------------------------ rebuilt random splits

  private static LoadedDataset rebuild(OfficialDataset d, Path dir, long seed, Options opts) {
    if (!d.canRebuildSplit()) {
      throw new DatasetException("no rebuild rule for " + d.officialName());
    }
    if (seed < 0) {
      throw new DatasetException(REBUILD_SEED + " must be >= 0, got " + seed);
    }
    Path imageRoot = opts.path(IMAGE_ROOT, dir, dir.resolve(d.imageRoot()));
    if (!Files.isDirectory(imageRoot)) {
      throw new DatasetException("image folder " + imageRoot + " not found; " + contentsHint(d, dir));
    }
    PyRandom rng = new PyRandom(seed);
    Split split = switch (d) {
      case DESCRIBABLE_TEXTURES, FOOD101 -> RandomSplits.splitClassFolders(imageRoot, 0.5, 0.2, Set.of(),
          UnaryOperator.identity(), rng, true, ImageFolders::files);
      case EUROSAT -> RandomSplits.splitClassFolders(imageRoot, 0.5, 0.2, Set.of(), ClassNames::eurosat, rng, true,
          ImageFolders::files);
      case CALTECH101 -> RandomSplits.splitClassFolders(imageRoot, 0.5, 0.2, ClassNames.CALTECH101_IGNORED,
          ClassNames::caltech101, rng, true, ImageFolders::files);
      case OXFORD_PETS -> trainvalSplit(rng, readPets(dir, imageRoot, "trainval.txt"),
          readPets(dir, imageRoot, "test.txt"), dir.resolve("annotations/trainval.txt"));
      case SUN397 -> rebuildSun397(dir, imageRoot, rng);
      case UCF101 -> rebuildUcf101(dir, imageRoot, rng);
      default -> throw new DatasetException("no rebuild rule for " + d.officialName());
    };
    boolean listedInTextFiles = d == OfficialDataset.OXFORD_PETS || d == OfficialDataset.SUN397
        || d == OfficialDataset.UCF101; // the others were listed from the folders themselves
    if (listedInTextFiles && opts.bool(CHECK_IMAGES, true)) {
      SplitFiles.checkImagesExist(split, imageRoot, dir, contentsHint(d, dir));
    }
    String source = "random split rebuilt by the official rule with seed " + seed + " (not the published split)";
    LOG.warn("{}: {}", d.officialName(), source);
    return new LoadedDataset(d.officialName(), dir, imageRoot, split,
        opts.fewshotDir(dir, dir.resolve(FEWSHOT).resolve("rebuilt-seed_" + seed)), LoadedDataset.Kind.STANDARD,
        source);
  }

  private static Split trainvalSplit(PyRandom rng, List<Item> trainval, List<Item> test, Path source) {
    List<List<Item>> tv = RandomSplits.splitTrainval(trainval, 0.2, rng, source.toString());
    return new Split(tv.get(0), tv.get(1), test);
  }

  /** OxfordPets {@code annotations/<file>}: lines {@code <image name> <class id 1..37> <species> <breed id>}. */
  private static List<Item> readPets(Path dir, Path imageRoot, String name) {
    Path file = dir.resolve("annotations").resolve(name);
    List<String> lines = readLines(file, "it comes with annotations.tar.gz; see "
        + OfficialDataset.OXFORD_PETS.whereToGet());
    List<Item> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(" ");
      if (f.length != 4) {
        throw new DatasetException(file + " line " + (i + 1) + " '" + line
            + "': expected '<image name> <class id> <species> <breed id>'");
      }
      int label = parseInt(f[1], file, i) - 1;
      out.add(new Item(imageRoot.resolve(f[0] + ".jpg").toString(), label, ClassNames.oxfordPets(f[0])));
    }
    return out;
  }

  private static Split rebuildSun397(Path dir, Path imageRoot, PyRandom rng) {
    String hint = "it comes with Partitions.zip; see " + OfficialDataset.SUN397.whereToGet();
    Map<String, Integer> cname2lab = new HashMap<>();
    List<String> classes = nonBlankLines(dir.resolve("ClassName.txt"), hint);
    for (int i = 0; i < classes.size(); i++) {
      cname2lab.put(classes.get(i).substring(1), i); // remove the leading /
    }
    List<List<Item>> lists = new ArrayList<>();
    for (String name : List.of("Training_01.txt", "Testing_01.txt")) {
      Path file = dir.resolve(name);
      List<Item> items = new ArrayList<>();
      for (String line : nonBlankLines(file, hint)) {
        String imname = line.substring(1); // remove the leading /
        int slash = imname.lastIndexOf('/');
        String classDir = slash < 0 ? "" : imname.substring(0, slash);
        Integer label = cname2lab.get(classDir);
        if (label == null) {
          throw new DatasetException(file + ": class '" + classDir + "' of " + line + " is not in "
              + dir.resolve("ClassName.txt"));
        }
        items.add(new Item(imageRoot.resolve(imname).toString(), label, ClassNames.sun397(classDir)));
      }
      lists.add(items);
    }
    return trainvalSplit(rng, lists.get(0), lists.get(1), dir.resolve("Training_01.txt"));
  }

  private static Split rebuildUcf101(Path dir, Path imageRoot, PyRandom rng) {
    String hint = "it comes with UCF101TrainTestSplits-RecognitionTask.zip (folder ucfTrainTestlist/); see "
        + OfficialDataset.UCF101.whereToGet();
    Path lists = dir.resolve("ucfTrainTestlist");
    Map<String, Integer> cname2lab = new HashMap<>();
    Path classInd = lists.resolve("classInd.txt");
    List<String> classLines = nonBlankLines(classInd, hint);
    for (int i = 0; i < classLines.size(); i++) {
      String[] f = classLines.get(i).split(" ");
      if (f.length != 2) {
        throw new DatasetException(classInd + " line " + (i + 1) + " '" + classLines.get(i)
            + "': expected '<class id> <action>'");
      }
      cname2lab.put(f[1], parseInt(f[0], classInd, i) - 1);
    }
    List<List<Item>> parts = new ArrayList<>();
    for (String name : List.of("trainlist01.txt", "testlist01.txt")) {
      Path file = lists.resolve(name);
      List<Item> items = new ArrayList<>();
      for (String line : nonBlankLines(file, hint)) {
        String video = line.split(" ")[0]; // trainlist: "<action>/<video>.avi <class id>"
        int slash = video.indexOf('/');
        String action = slash < 0 ? "" : video.substring(0, slash);
        Integer label = cname2lab.get(action);
        if (label == null) {
          throw new DatasetException(file + ": action '" + action + "' of " + line + " is not in " + classInd);
        }
        String renamed = ClassNames.ucf101(action);
        String frame = video.substring(slash + 1).replace(".avi", ".jpg");
        items.add(new Item(imageRoot.resolve(renamed).resolve(frame).toString(), label, renamed));
      }
      parts.add(items);
    }
    return trainvalSplit(rng, parts.get(0), parts.get(1), lists.resolve("trainlist01.txt"));
  }

  // ------------------------------------------------------------------ checks and helpers

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

  private static int parseInt(String s, Path file, int line) {
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

  /** Validated options: unknown keys and keys that do not apply are errors. */
  static final class Options {
    private final Map<String, String> map;
    private final String what;

    Options(Map<String, String> map, String what, Set<String> allowed) {
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
      return v == null ? dflt : base.resolve(expandHome(v.trim())).toAbsolutePath().normalize();
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
}
