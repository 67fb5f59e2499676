package dev.cliptune.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The official random-split rules (PROTOCOL.md §1), driven by {@link PyRandom}:
 *
 * <ul>
 *   <li>{@link #splitClassFolders} — {@code DescribableTextures.read_and_split_data}: class folders sorted,
 *       labels {@code 0..}; per class (in label order) the image list is shuffled with
 *       {@code random.shuffle} and cut into {@code n_train = round(n·p_trn)}, {@code n_val = round(n·p_val)}
 *       and the rest for test ({@code round} = Python's, half to even);
 *   <li>{@link #splitTrainval} — {@code OxfordPets.split_trainval}: per label in order of first appearance,
 *       {@code n_val = round(n·0.2)}, the label's indices shuffled, the first {@code n_val} to val and the
 *       rest to train.
 * </ul>
 *
 * <p>Both consume one generator in the official order, so with a generator freshly seeded with the run's
 * seed (what Dassl's {@code set_random_seed(cfg.SEED)} leaves) and the same input order they make the same
 * choices as the official code. The input order of a folder listing is where they may differ: the official
 * loader shuffles {@code os.listdir} order (file-system dependent, unsorted); here files are sorted by name.
 */
final class RandomSplits {
  private RandomSplits() {}

  /**
   * Splits class folders {@code imageDir/<class>/<image>} per class into train / val / test.
   *
   * @param ignored class folders to leave out
   * @param rename folder name to class name
   * @param official {@code true}: every class needs at least one image in each part (the official assertion);
   *     {@code false}: val may be empty, train and test may not
   * @param files the image file names of a class folder, in the order they are shuffled from
   */
  static Split splitClassFolders(Path imageDir, double pTrn, double pVal, Set<String> ignored,
      UnaryOperator<String> rename, PyRandom rng, boolean official,
      Function<Path, List<String>> files) {
    List<String> categories = ImageFolders.subdirs(imageDir).stream().filter(c -> !ignored.contains(c)).toList();
    if (categories.isEmpty()) {
      throw new DatasetException(imageDir + " has no class folders; expected one folder of images per class");
    }
    List<Item> train = new ArrayList<>();
    List<Item> val = new ArrayList<>();
    List<Item> test = new ArrayList<>();
    for (int label = 0; label < categories.size(); label++) {
      String category = categories.get(label);
      Path dir = imageDir.resolve(category);
      List<String> images = new ArrayList<>();
      for (String f : files.apply(dir)) {
        images.add(dir.resolve(f).toString());
      }
      rng.shuffle(images);
      int n = images.size();
      int nTrain = pyRound(n * pTrn);
      int nVal = pyRound(n * pVal);
      int nTest = n - nTrain - nVal;
      if (nTrain <= 0 || nTest <= 0 || nVal < 0 || (official && nVal <= 0)) {
        throw new DatasetException("class folder " + dir + " has " + n + (n == 1 ? " image" : " images") + ": a " + pTrn + " / " + pVal
            + " split gives " + nTrain + " train, " + nVal + " val and " + nTest + " test images; every class"
            + (official ? " needs at least one of each" : " needs at least one train and one test image"));
      }
      String name = rename.apply(category);
      for (int i = 0; i < n; i++) {
        Item it = new Item(images.get(i), label, name);
        (i < nTrain ? train : i < nTrain + nVal ? val : test).add(it);
      }
    }
    return new Split(train, val, test);
  }

  /**
   * {@code OxfordPets.split_trainval(trainval, p_val=0.2)}: returns {@code [train, val]}.
   *
   * @param source names the list in an error message
   */
  static List<List<Item>> splitTrainval(List<Item> trainval, double pVal, PyRandom rng, String source) {
    Map<Integer, List<Integer>> tracker = new LinkedHashMap<>();
    for (int i = 0; i < trainval.size(); i++) {
      tracker.computeIfAbsent(trainval.get(i).label(), l -> new ArrayList<>()).add(i);
    }
    List<Item> train = new ArrayList<>();
    List<Item> val = new ArrayList<>();
    for (Map.Entry<Integer, List<Integer>> e : tracker.entrySet()) {
      List<Integer> idxs = e.getValue();
      int nVal = pyRound(idxs.size() * pVal);
      if (nVal <= 0) {
        throw new DatasetException(source + ": label " + e.getKey() + " has " + idxs.size()
            + " train+val images, too few for a " + pVal + " validation share (the official rule needs "
            + "round(n * " + pVal + ") >= 1)");
      }
      rng.shuffle(idxs);
      for (int n = 0; n < idxs.size(); n++) {
        (n < nVal ? val : train).add(trainval.get(idxs.get(n)));
      }
    }
    return List.of(train, val);
  }

  /** Python's {@code round(x)} for a float: to the nearest integer, halves to even. */
  static int pyRound(double x) {
    return (int) Math.rint(x);
  }
}
