package dev.cliptune.demo;

import dev.cliptune.protocol.ResultsTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The papers' findings, checked on the demo's results (issue 13): each is a comparison of two numbers that must
 * hold with a margin larger than twice the larger per-seed standard deviation of the two, so that a finding cannot
 * hold by the luck of one seed.
 *
 * <ol type="a">
 *   <li>zero-shot novel accuracy is at least 3× chance on average;
 *   <li>CoOp's base accuracy is at least zero-shot's + 10 points on every far dataset;
 *   <li>CoOp's average novel accuracy is below zero-shot's (the CoOp drop);
 *   <li>CoCoOp's average novel accuracy is above CoOp's;
 *   <li>MaPLe's average HM is the highest of all methods.
 * </ol>
 *
 * <p>An average over datasets is computed per seed (the mean of the datasets' accuracies of that seed; its HM is
 * the HM of the seed's average base and new accuracies), and its standard deviation is taken over the seeds.
 */
public final class Findings {

  /**
   * One checked finding.
   *
   * @param id its letter
   * @param claim what it says
   * @param holds whether the comparison holds beyond the margin
   * @param margin how far the compared numbers are from the claim's threshold (positive: on the claim's side)
   * @param noise twice the larger per-seed std of the two numbers: the margin must exceed it
   * @param detail the numbers compared
   */
  public record Finding(String id, String claim, boolean holds, double margin, double noise, String detail) {}

  /** A mean over seeds and its per-seed std. */
  record Stat(double mean, double std) {
    static Stat of(List<Double> perSeed) {
      double m = perSeed.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double v = 0;
      for (double x : perSeed) {
        v += (x - m) * (x - m);
      }
      // the population std, as Aggregate reports it per dataset
      double std = Math.sqrt(v / perSeed.size());
      return new Stat(m, std);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.1f ± %.1f", mean, std);
    }
  }

  private Findings() {}

  /**
   * Checks the findings whose methods are in {@code perMethod} (keyed as the demo's columns: {@code CLIP},
   * {@code CoOp}, {@code CoCoOp}, {@code MaPLe}, ...; each table holds per-dataset records with
   * {@code base_per_seed} and {@code new_per_seed}).
   *
   * @param newClasses per dataset, the number of new classes (for chance)
   * @param far the far datasets
   */
  public static List<Finding> check(Map<String, ResultsTable> perMethod, Map<String, Integer> newClasses,
      Set<String> far) {
    List<Finding> out = new ArrayList<>();
    ResultsTable zs = perMethod.get("CLIP");
    ResultsTable coop = perMethod.get("CoOp");
    ResultsTable cocoop = perMethod.get("CoCoOp");
    ResultsTable maple = perMethod.get("MaPLe");
    if (zs != null) {
      Stat novel = average(zs, "new");
      double chance = newClasses.values().stream().mapToDouble(n -> 100.0 / n).average().orElse(Double.NaN);
      out.add(finding("a", "zero-shot novel accuracy is at least 3× chance on average", novel.mean - 3 * chance,
          novel, new Stat(3 * chance, 0), String.format(Locale.ROOT, "zero-shot new %s vs 3 × chance %.1f", novel,
              3 * chance)));
    }
    if (zs != null && coop != null && !far.isEmpty()) {
      for (String ds : datasets(zs)) {
        if (!far.contains(ds)) {
          continue;
        }
        Stat z = perDataset(zs, ds, "base");
        Stat c = perDataset(coop, ds, "base");
        out.add(finding("b", "CoOp base ≥ zero-shot base + 10 points on the far dataset " + ds,
            c.mean - z.mean - 10, c, z, String.format(Locale.ROOT, "%s: CoOp base %s vs zero-shot base %s", ds, c,
                z)));
      }
    }
    if (zs != null && coop != null) {
      Stat z = average(zs, "new");
      Stat c = average(coop, "new");
      out.add(finding("c", "CoOp's average novel accuracy is below zero-shot's (the CoOp drop)", z.mean - c.mean,
          z, c, String.format(Locale.ROOT, "new: CoOp %s vs zero-shot %s", c, z)));
    }
    if (coop != null && cocoop != null) {
      Stat c = average(coop, "new");
      Stat cc = average(cocoop, "new");
      out.add(finding("d", "CoCoOp's average novel accuracy is above CoOp's", cc.mean - c.mean, cc, c,
          String.format(Locale.ROOT, "new: CoCoOp %s vs CoOp %s", cc, c)));
    }
    if (maple != null && perMethod.size() > 1) {
      Stat m = averageHm(maple);
      String best = null;
      Stat bestStat = null;
      for (Map.Entry<String, ResultsTable> e : perMethod.entrySet()) {
        if (e.getValue() == maple) {
          continue;
        }
        Stat s = averageHm(e.getValue());
        if (bestStat == null || s.mean > bestStat.mean) {
          best = e.getKey();
          bestStat = s;
        }
      }
      out.add(finding("e", "MaPLe's average HM is the highest of all methods", m.mean - bestStat.mean, m, bestStat,
          String.format(Locale.ROOT, "HM: MaPLe %s vs the best other, %s, %s", m, best, bestStat)));
    }
    return out;
  }

  private static Finding finding(String id, String claim, double margin, Stat a, Stat b, String detail) {
    double noise = 2 * Math.max(a.std, b.std);
    return new Finding(id, claim, margin > 0 && margin > noise, margin, noise, detail);
  }

  /** The findings as a Markdown section. */
  public static String markdown(List<Finding> findings) {
    StringBuilder sb = new StringBuilder("## The papers' findings on this run\n\n"
        + "Each holds only if its margin exceeds twice the larger per-seed std of the two numbers compared.\n\n"
        + "| | finding | holds | margin | 2 × std | numbers (mean ± std over seeds) |\n|---|---|---|---:|---:|---|\n");
    for (Finding f : findings) {
      sb.append(String.format(Locale.ROOT, "| (%s) | %s | %s | %+.1f | %.1f | %s |%n", f.id(), f.claim(),
          f.holds() ? "yes" : "no", f.margin(), f.noise(), f.detail()));
    }
    return sb.toString();
  }

  private static List<String> datasets(ResultsTable t) {
    return t.records().stream().map(r -> (String) r.get("dataset")).filter(d -> !"Average".equals(d)).toList();
  }

  @SuppressWarnings("unchecked")
  private static List<Double> perSeed(ResultsTable t, String ds, String key) {
    Map<String, Object> r = t.records().stream().filter(x -> ds.equals(x.get("dataset"))).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no row " + ds + " in a table of " + datasets(t)));
    return ((List<Number>) r.get(key + "_per_seed")).stream().map(Number::doubleValue).toList();
  }

  private static Stat perDataset(ResultsTable t, String ds, String key) {
    return Stat.of(perSeed(t, ds, key));
  }

  /** Per seed, the mean over datasets of {@code key}'s accuracy. */
  private static List<Double> seedAverages(ResultsTable t, String key) {
    List<String> ds = datasets(t);
    int seeds = perSeed(t, ds.get(0), key).size();
    List<Double> out = new ArrayList<>();
    for (int s = 0; s < seeds; s++) {
      double sum = 0;
      for (String d : ds) {
        sum += perSeed(t, d, key).get(s);
      }
      out.add(sum / ds.size());
    }
    return out;
  }

  static Stat average(ResultsTable t, String key) {
    return Stat.of(seedAverages(t, key));
  }

  static Stat averageHm(ResultsTable t) {
    List<Double> b = seedAverages(t, "base");
    List<Double> n = seedAverages(t, "new");
    List<Double> hm = new ArrayList<>();
    for (int i = 0; i < b.size(); i++) {
      hm.add(2 * b.get(i) * n.get(i) / (b.get(i) + n.get(i)));
    }
    return Stat.of(hm);
  }
}
