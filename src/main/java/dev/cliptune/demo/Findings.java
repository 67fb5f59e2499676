package dev.cliptune.demo;

import dev.cliptune.protocol.Aggregate;
import dev.cliptune.protocol.Aggregate.MeanStd;
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
      MeanStd novel = average(zs, "new");
      double chance = newClasses.values().stream().mapToDouble(n -> 100.0 / n).average().orElse(Double.NaN);
      out.add(finding("a", "zero-shot novel accuracy is at least 3× chance on average", novel.mean() - 3 * chance,
          novel, new MeanStd(3 * chance, 0, 1), String.format(Locale.ROOT, "zero-shot new %s vs 3 × chance %.1f", pm(novel),
              3 * chance)));
    }
    if (zs != null && coop != null && !far.isEmpty()) {
      for (String ds : datasets(zs)) {
        if (!far.contains(ds)) {
          continue;
        }
        MeanStd z = perDataset(zs, ds, "base");
        MeanStd c = perDataset(coop, ds, "base");
        out.add(finding("b", "CoOp base ≥ zero-shot base + 10 points on the far dataset " + ds,
            c.mean() - z.mean() - 10, c, z, String.format(Locale.ROOT, "%s: CoOp base %s vs zero-shot base %s", ds, pm(c),
                pm(z))));
      }
    }
    if (zs != null && coop != null) {
      MeanStd z = average(zs, "new");
      MeanStd c = average(coop, "new");
      out.add(finding("c", "CoOp's average novel accuracy is below zero-shot's (the CoOp drop)", z.mean() - c.mean(),
          z, c, String.format(Locale.ROOT, "new: CoOp %s vs zero-shot %s", pm(c), pm(z))));
    }
    if (coop != null && cocoop != null) {
      MeanStd c = average(coop, "new");
      MeanStd cc = average(cocoop, "new");
      out.add(finding("d", "CoCoOp's average novel accuracy is above CoOp's", cc.mean() - c.mean(), cc, c,
          String.format(Locale.ROOT, "new: CoCoOp %s vs CoOp %s", pm(cc), pm(c))));
    }
    if (maple != null && perMethod.size() > 1) {
      MeanStd m = averageHm(maple);
      String best = null;
      MeanStd bestStat = null;
      for (Map.Entry<String, ResultsTable> e : perMethod.entrySet()) {
        if (e.getValue() == maple) {
          continue;
        }
        MeanStd s = averageHm(e.getValue());
        if (bestStat == null || s.mean() > bestStat.mean()) {
          best = e.getKey();
          bestStat = s;
        }
      }
      out.add(finding("e", "MaPLe's average HM is the highest of all methods", m.mean() - bestStat.mean(), m, bestStat,
          String.format(Locale.ROOT, "HM: MaPLe %s vs the best other, %s, %s", pm(m), best, pm(bestStat))));
    }
    return out;
  }

  /** {@code mean ± std} with one decimal. */
  private static String pm(MeanStd m) {
    return String.format(Locale.ROOT, "%.1f ± %.1f", m.mean(), m.std());
  }

  private static Finding finding(String id, String claim, double margin, MeanStd a, MeanStd b, String detail) {
    double noise = 2 * Math.max(a.std(), b.std());
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

  private static MeanStd perDataset(ResultsTable t, String ds, String key) {
    return Aggregate.of(perSeed(t, ds, key));
  }

  /** Per seed, the mean over datasets of {@code key}'s accuracy. */
  private static List<Double> seedAverages(ResultsTable t, String key) {
    List<List<Double>> rows = datasets(t).stream().map(d -> perSeed(t, d, key)).toList();
    List<Double> out = new ArrayList<>();
    for (int s = 0; s < rows.get(0).size(); s++) {
      double sum = 0;
      for (List<Double> row : rows) {
        sum += row.get(s);
      }
      out.add(sum / rows.size());
    }
    return out;
  }

  static MeanStd average(ResultsTable t, String key) {
    return Aggregate.of(seedAverages(t, key));
  }

  static MeanStd averageHm(ResultsTable t) {
    List<Double> b = seedAverages(t, "base");
    List<Double> n = seedAverages(t, "new");
    List<Double> hm = new ArrayList<>();
    for (int i = 0; i < b.size(); i++) {
      hm.add(Aggregate.harmonicMean(b.get(i), n.get(i)));
    }
    return Aggregate.of(hm);
  }
}
