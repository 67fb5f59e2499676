package dev.cliptune.data;


import com.fasterxml.jackson.databind.JsonNode;
import dev.cliptune.io.AtomicFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Few-shot subsets, cached per dataset as the official loaders do (PROTOCOL.md §2): the subset for
 * (K, seed) is stored in {@code <dataset>/split_fewshot/shot_<K>-seed_<S>.json} (the official cache is
 * {@code shot_<K>-seed_<S>.pkl}) and reused by every later run with the same K and seed — every method and
 * both base/new runs see the same images.
 *
 * <p>File format: a JSON object with {@code "train"} and {@code "val"} lists of split-file triples
 * {@code [path relative to the image root, label, class name]} in sampled order (ImageNet: {@code "train"}
 * only, its val being the test list), plus informative {@code "dataset"}, {@code "num_shots"} and
 * {@code "seed"}. A file holding just {@code "train"}/{@code "val"} (exported from the reference code, say)
 * is accepted too: that is the way to use the official subsets of ImageNet, whose official per-class order
 * comes from an unsorted directory listing and cannot be reproduced by sampling here.
 *
 * <p>A cache file is used only if it is valid: parseable, in the triple format, every item present in the
 * dataset's full list with the same label and class name, no item twice, at most K (val: min(K, 4)) items per
 * class, and {@code num_shots}/{@code seed} (when present) matching its name. Otherwise loading fails with a
 * {@link DatasetException} naming the file and the problem; <b>it is not rebuilt silently</b>, because it may
 * hold subsets that cannot be re-drawn (see above) — delete it to sample again. Files are written atomically
 * ({@link AtomicFiles}), so concurrent runs never see half a file; a cache folder that cannot be written is
 * logged as a warning and the run continues with the freshly drawn subset.
 */
public final class FewShotCache {
  private static final Logger LOG = LoggerFactory.getLogger(FewShotCache.class);

  private FewShotCache() {}

  /** {@code shot_<K>-seed_<S>.json}. */
  public static String fileName(int numShots, long seed) {
    return "shot_" + numShots + "-seed_" + seed + ".json";
  }

  /** The few-shot subset of one run and where it came from. */
  public record Shots(Split split, Path file, boolean fromCache) {}

  /**
   * The few-shot step of the official loaders, cached: train with K per class and (standard datasets) val
   * with {@code min(K, 4)} per class, drawn with {@link FewShot#sampleShots} from a {@link PyRandom} seeded
   * with {@code seed} — identical to {@link FewShot#prepare}'s few-shot step. ImageNet draws train only and
   * keeps val = test. Test is the full list. For {@code numShots < 1} the full split is returned and nothing
   * is cached.
   *
   * @throws IllegalArgumentException for an evaluation-only dataset or a negative seed (with K >= 1)
   * @throws DatasetException for an invalid cache file
   */
  public static Shots sampleShots(LoadedDataset ds, long seed, int numShots) {
    if (numShots < 1) {
      return new Shots(ds.split(), null, false);
    }
    if (ds.kind() == LoadedDataset.Kind.TEST_ONLY) {
      throw new DatasetException(ds.name() + " is an evaluation-only dataset; few-shot sampling (K = "
          + numShots + ") does not apply");
    }
    if (seed < 0) {
      throw new DatasetException("few-shot sampling needs a seed >= 0, got " + seed
          + " (the official code leaves the generator unseeded then, which cannot be reproduced)");
    }
    Path file = ds.fewshotDir() == null ? null : ds.fewshotDir().resolve(fileName(numShots, seed));
    if (file != null && Files.exists(file)) {
      LOG.info("Loading preprocessed few-shot data from {}", file);
      return new Shots(read(file, ds, seed, numShots), file, true);
    }
    Split shots = draw(ds, seed, numShots);
    if (file != null) {
      try {
        AtomicFiles.writeString(file, toJson(ds, seed, numShots, shots));
        LOG.info("Saving preprocessed few-shot data to {}", file);
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not write the few-shot cache {} ({}); continuing with the subset just drawn", file,
            e.toString());
      }
    }
    return new Shots(shots, file, false);
  }

  /**
   * One run's data: {@link #sampleShots} (cached), then the class half of {@link FewShot#subsample}. For a
   * standard dataset the result equals {@code FewShot.prepare(ds.split(), seed, numShots, subsample)}.
   *
   * @param subsample {@code all}, {@code base} or {@code new}
   */
  public static RunData prepare(LoadedDataset ds, long seed, int numShots, String subsample) {
    FewShot.Subsample which = FewShot.Subsample.parse(subsample);
    Shots shots = sampleShots(ds, seed, numShots);
    Split s = shots.split();
    Split half = FewShot.subsample(s.train(), s.val(), s.test(), which);
    return new RunData(ds, seed, numShots, which, half, shots.file(), shots.fromCache());
  }

  /** Draws the subset without any cache. */
  static Split draw(LoadedDataset ds, long seed, int numShots) {
    PyRandom rng = new PyRandom(BigInteger.valueOf(seed));
    if (ds.kind() == LoadedDataset.Kind.VAL_IS_TEST) {
      return new Split(FewShot.fewshot(ds.split().train(), numShots, rng), ds.split().val(), ds.split().test());
    }
    return FewShot.sampleShots(ds.split(), rng, numShots);
  }

  // ------------------------------------------------------------------ file format

  static String toJson(LoadedDataset ds, long seed, int numShots, Split shots) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("dataset", ds.name());
    header.put("num_shots", numShots);
    header.put("seed", seed);
    Map<String, List<Item>> lists = new LinkedHashMap<>();
    lists.put("train", shots.train());
    if (ds.kind() == LoadedDataset.Kind.STANDARD) {
      lists.put("val", shots.val());
    }
    return SplitFiles.toJson(header, lists, ds::relativePath);
  }

  static Split read(Path file, LoadedDataset ds, long seed, int numShots) {
    String fix = " — delete it to sample again";
    String expected = "expected a few-shot cache: a JSON object with \"train\""
        + (ds.kind() == LoadedDataset.Kind.STANDARD ? " and \"val\"" : "")
        + " lists of [relative image path, label, class name]";
    JsonNode root;
    try {
      root = SplitFiles.parse(file, expected);
    } catch (DatasetException e) {
      throw new DatasetException(e.getMessage() + fix, e);
    }
    if (!root.isObject()) {
      throw new DatasetException(file + " is " + SplitFiles.kind(root) + "; " + expected + fix);
    }
    checkNumber(file, root, "num_shots", numShots, fix);
    checkNumber(file, root, "seed", seed, fix);
    List<Item> train;
    List<Item> val;
    try {
      train = SplitFiles.triples(file, root, "train", true);
      val = ds.kind() == LoadedDataset.Kind.STANDARD ? SplitFiles.triples(file, root, "val", true) : null;
    } catch (DatasetException e) {
      throw new DatasetException(e.getMessage() + fix, e);
    }
    List<Item> trainItems = match(file, "train", train, ds.split().train(), ds, numShots, fix);
    List<Item> valItems = val == null ? ds.split().val()
        : match(file, "val", val, ds.split().val(), ds, Math.min(numShots, 4), fix);
    return new Split(trainItems, valItems, ds.split().test());
  }

  private static void checkNumber(Path file, JsonNode root, String key, long want, String fix) {
    JsonNode n = root.get(key);
    if (n != null && !(n.isIntegralNumber() && n.asLong() == want)) {
      throw new DatasetException(file + ": \"" + key + "\" is " + n + " but the file name says " + want + fix);
    }
  }

  /** The dataset's items for the cached triples, checked (present, same label/name, unique, <= k per class). */
  private static List<Item> match(Path file, String key, List<Item> cached, List<Item> full, LoadedDataset ds,
      int k, String fix) {
    Map<String, Item> byPath = new HashMap<>(full.size() * 2);
    for (Item it : full) {
      byPath.putIfAbsent(it.impath(), it);
    }
    Set<String> seen = new HashSet<>();
    Map<Integer, Integer> perLabel = new HashMap<>();
    List<Item> out = new ArrayList<>(cached.size());
    for (int i = 0; i < cached.size(); i++) {
      Item c = cached.get(i);
      String where = file + ": " + key + "[" + i + "] " + c.impath();
      Item it = byPath.get(ds.imageRoot().resolve(c.impath()).toString());
      if (it == null) {
        throw new DatasetException(where + " is not in the dataset's " + key + " list (" + ds.source()
            + "); the cache belongs to another split" + fix);
      }
      if (it.label() != c.label() || !it.classname().equals(c.classname())) {
        throw new DatasetException(where + " has label " + c.label() + " '" + c.classname() + "' but the dataset"
            + " says " + it.label() + " '" + it.classname() + "'" + fix);
      }
      if (!seen.add(it.impath())) {
        throw new DatasetException(where + " appears twice" + fix);
      }
      if (perLabel.merge(it.label(), 1, Integer::sum) > k) {
        throw new DatasetException(file + ": " + key + " has more than " + k + " items of label " + it.label()
            + " ('" + it.classname() + "')" + fix);
      }
      out.add(it);
    }
    return out;
  }
}
