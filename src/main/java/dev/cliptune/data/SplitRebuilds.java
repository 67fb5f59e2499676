package dev.cliptune.data;

import static dev.cliptune.data.DatasetOptions.CHECK_IMAGES;
import static dev.cliptune.data.DatasetOptions.FEWSHOT;
import static dev.cliptune.data.DatasetOptions.IMAGE_ROOT;
import static dev.cliptune.data.DatasetOptions.REBUILD_SEED;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Official random splits rebuilt by the official rule, on request only ({@link #rebuild}, or the dataset option
 * {@value DatasetOptions#REBUILD_SEED}), for when a split file cannot be had; never silently.
 */
public final class SplitRebuilds {
  private static final Logger LOG = LoggerFactory.getLogger(SplitRebuilds.class);

  private SplitRebuilds() {}

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
   * @throws DatasetException for a dataset without a rebuild rule
   */
  public static LoadedDataset rebuild(String name, Path dataRoot, long seed) {
    OfficialDataset d = OfficialDataset.byName(name);
    if (!d.canRebuildSplit()) {
      throw new DatasetException("no rule to rebuild the split of " + d.officialName() + "; possible for "
          + String.join(", ", Arrays.stream(OfficialDataset.values())
              .filter(OfficialDataset::canRebuildSplit).map(OfficialDataset::officialName).toList()));
    }
    return OfficialLayouts.open(d, dataRoot, Map.of(REBUILD_SEED, Long.toString(seed)));
  }

  /** The rebuilt split of {@code d} in {@code dir}: {@link OfficialLayouts#open} with the option {@value REBUILD_SEED}. */
  static LoadedDataset rebuild(OfficialDataset d, Path dir, long seed, DatasetOptions opts) {
    if (!d.canRebuildSplit()) {
      throw new DatasetException("no rebuild rule for " + d.officialName());
    }
    if (seed < 0) {
      throw new DatasetException(REBUILD_SEED + " must be >= 0, got " + seed);
    }
    Path imageRoot = opts.path(IMAGE_ROOT, dir, dir.resolve(d.imageRoot()));
    if (!Files.isDirectory(imageRoot)) {
      throw new DatasetException("image folder " + imageRoot + " not found; " + OfficialLayouts.contentsHint(d, dir));
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
      SplitFiles.checkImagesExist(split, imageRoot, dir, OfficialLayouts.contentsHint(d, dir));
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
    List<String> lines = DataFiles.readLines(file, "it comes with annotations.tar.gz; see "
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
      int label = DataFiles.parseInt(f[1], file, i) - 1;
      out.add(new Item(imageRoot.resolve(f[0] + ".jpg").toString(), label, ClassNames.oxfordPets(f[0])));
    }
    return out;
  }

  private static Split rebuildSun397(Path dir, Path imageRoot, PyRandom rng) {
    String hint = "it comes with Partitions.zip; see " + OfficialDataset.SUN397.whereToGet();
    Map<String, Integer> cname2lab = new HashMap<>();
    List<String> classes = DataFiles.nonBlankLines(dir.resolve("ClassName.txt"), hint);
    for (int i = 0; i < classes.size(); i++) {
      cname2lab.put(classes.get(i).substring(1), i); // remove the leading /
    }
    List<List<Item>> lists = new ArrayList<>();
    for (String name : List.of("Training_01.txt", "Testing_01.txt")) {
      Path file = dir.resolve(name);
      List<Item> items = new ArrayList<>();
      for (String line : DataFiles.nonBlankLines(file, hint)) {
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
    List<String> classLines = DataFiles.nonBlankLines(classInd, hint);
    for (int i = 0; i < classLines.size(); i++) {
      String[] f = classLines.get(i).split(" ");
      if (f.length != 2) {
        throw new DatasetException(classInd + " line " + (i + 1) + " '" + classLines.get(i)
            + "': expected '<class id> <action>'");
      }
      cname2lab.put(f[1], DataFiles.parseInt(f[0], classInd, i) - 1);
    }
    List<List<Item>> parts = new ArrayList<>();
    for (String name : List.of("trainlist01.txt", "testlist01.txt")) {
      Path file = lists.resolve(name);
      List<Item> items = new ArrayList<>();
      for (String line : DataFiles.nonBlankLines(file, hint)) {
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
}
