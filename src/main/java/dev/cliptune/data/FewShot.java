package dev.cliptune.data;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Few-shot sampling and base/new class splits exactly as the official CoOp/Dassl loaders do them, so that a
 * run with the same seed and shot count picks the very same images:
 *
 * <ul>
 *   <li>{@link #fewshot} — Dassl's {@code DatasetBase.generate_fewshot_dataset} (with {@code repeat=False});
 *   <li>{@link #subsample} — CoOp's {@code subsample_classes};
 *   <li>{@link #prepare} — the per-run order of a CoOp dataset constructor (seed, train, val, subsample).
 * </ul>
 *
 * <p>Caveat: ImageNet's loader draws no few-shot val (its val/test is the 50k set) and subsamples only
 * (train, test); for it call {@link #fewshot} on train only and {@link #subsample} with an empty val.
 */
public final class FewShot {
  /** The classes a run keeps: all of them, the first (base) half or the second (new) half. */
  public enum Subsample {
    ALL, BASE, NEW;

    /** Parses {@code all}, {@code base} or {@code new} (case-insensitive), the values of {@code DATASET.SUBSAMPLE_CLASSES}. */
    public static Subsample parse(String which) {
      try {
        return valueOf(which.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException("subsample must be all, base or new, got " + which);
      }
    }
  }

  private FewShot() {}

  /**
   * Dassl's {@code generate_fewshot_dataset(items, num_shots=k)}: items are grouped by label in order of
   * first appearance; for each label in that order, {@code rng.sample(group, k)} if the group has at least
   * {@code k} items, otherwise the whole group in list order (no repetition). For {@code k < 1} the input is
   * returned unchanged and the generator is not touched.
   *
   * @return a new list (or {@code items} itself when {@code k < 1})
   */
  public static List<Item> fewshot(List<Item> items, int k, PyRandom rng) {
    if (k < 1) {
      return items;
    }
    Map<Integer, List<Item>> byLabel = new LinkedHashMap<>(); // insertion order = first appearance
    for (Item it : items) {
      byLabel.computeIfAbsent(it.label(), l -> new ArrayList<>()).add(it);
    }
    List<Item> out = new ArrayList<>();
    for (List<Item> group : byLabel.values()) {
      out.addAll(group.size() >= k ? rng.sample(group, k) : group);
    }
    return out;
  }

  /**
   * CoOp's {@code subsample_classes(train, val, test, subsample=which)}. The labels present in
   * {@code train} are sorted; with {@code n} of them and {@code m = ceil(n / 2)}, base keeps the first
   * {@code m} and new the rest. All three lists keep only items of the chosen labels, in their order,
   * relabelled {@code 0..} by ascending original label. {@code all} returns the lists unchanged.
   *
   * @param which {@code all}, {@code base} or {@code new}
   */
  public static Split subsample(List<Item> train, List<Item> val, List<Item> test, String which) {
    return subsample(train, val, test, Subsample.parse(which));
  }

  /** {@link #subsample(List, List, List, String)} with a parsed choice. */
  public static Split subsample(List<Item> train, List<Item> val, List<Item> test, Subsample which) {
    if (which == Subsample.ALL) {
      return new Split(train, val, test);
    }
    List<Integer> labels = new ArrayList<>(new TreeSet<>(train.stream().map(Item::label).toList()));
    int n = labels.size();
    int m = (n + 1) / 2; // ceil(n / 2)
    List<Integer> selected = which == Subsample.BASE ? labels.subList(0, m) : labels.subList(m, n);
    Map<Integer, Integer> relabel = new TreeMap<>();
    for (int i = 0; i < selected.size(); i++) {
      relabel.put(selected.get(i), i);
    }
    return new Split(keep(train, relabel), keep(val, relabel), keep(test, relabel));
  }

  private static List<Item> keep(List<Item> items, Map<Integer, Integer> relabel) {
    List<Item> out = new ArrayList<>();
    for (Item it : items) {
      Integer y = relabel.get(it.label());
      if (y != null) {
        out.add(it.withLabel(y));
      }
    }
    return out;
  }

  /**
   * One official run's data, in the official order: {@code random.seed(seed)}; then (only when
   * {@code numShots >= 1}) {@code train = fewshot(train, K)} and right after it
   * {@code val = fewshot(val, min(K, 4))} from the same generator; then {@code subsample_classes}.
   *
   * <p>The few-shot subsets depend only on (split, seed, K): both base and new runs of a seed, and every
   * method, see the same images (the official loaders cache them per {@code shot_K-seed_S}).
   */
  public static Split prepare(Split full, long seed, int numShots, String subsample) {
    return prepare(full, BigInteger.valueOf(seed), numShots, subsample);
  }

  /** {@link #prepare(Split, long, int, String)} for a seed of any size. */
  public static Split prepare(Split full, BigInteger seed, int numShots, String subsample) {
    Split shots = sampleShots(full, new PyRandom(seed), numShots);
    return subsample(shots.train(), shots.val(), shots.test(), subsample);
  }

  /**
   * The few-shot step alone with a given (already seeded) generator: train with {@code numShots}, then val
   * with {@code min(numShots, 4)}; test unchanged. Nothing is drawn when {@code numShots < 1}.
   */
  public static Split sampleShots(Split full, PyRandom rng, int numShots) {
    if (numShots < 1) {
      return full;
    }
    List<Item> train = fewshot(full.train(), numShots, rng);
    List<Item> val = fewshot(full.val(), Math.min(numShots, 4), rng);
    return new Split(train, val, full.test());
  }

  /**
   * The class names by ascending label, one per label present (Dassl's {@code get_lab2cname}); for a
   * relabelled base/new half this is the class list in new-label order. Should a label carry several class
   * names, the first one met is used (Dassl's choice is then arbitrary).
   */
  public static List<String> classnames(List<Item> items) {
    Map<Integer, String> byLabel = new TreeMap<>();
    for (Item it : items) {
      byLabel.putIfAbsent(it.label(), it.classname());
    }
    return List.copyOf(byLabel.values());
  }
}
