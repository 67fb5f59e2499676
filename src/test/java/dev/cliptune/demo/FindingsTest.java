package dev.cliptune.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cliptune.protocol.ResultsTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The findings check: comparisons of per-seed averages with a margin beyond twice the larger std. */
class FindingsTest {

  /** A method's table: per dataset, base and new accuracies of seeds 1–3. */
  private static ResultsTable table(Map<String, double[][]> rows) {
    ResultsTable t = new ResultsTable("t", List.of("dataset"));
    rows.forEach((ds, v) -> {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("dataset", ds);
      r.put("base_per_seed", List.of(v[0][0], v[0][1], v[0][2]));
      r.put("new_per_seed", List.of(v[1][0], v[1][1], v[1][2]));
      t.add(List.of(ds), r);
    });
    return t;
  }

  private static Map<String, double[][]> rows(double[][] near, double[][] far) {
    Map<String, double[][]> m = new LinkedHashMap<>();
    m.put("near", near);
    m.put("far", far);
    return m;
  }

  private static Map<String, Findings.Finding> byId(List<Findings.Finding> list) {
    Map<String, Findings.Finding> m = new LinkedHashMap<>();
    list.forEach(f -> m.put(f.id(), f));
    return m;
  }

  @Test
  void findingsHoldOnlyBeyondTwiceTheLargerStd() {
    Map<String, ResultsTable> perMethod = new LinkedHashMap<>();
    perMethod.put("CLIP", table(rows(new double[][] {{70, 70, 70}, {62, 62, 62}},
        new double[][] {{30, 30, 30}, {40, 40, 40}})));
    // far base +25 (std 0): (b) holds; new average 45 ± 2.0 vs 51: (c) holds (margin 6 > 4.1)
    perMethod.put("CoOp", table(rows(new double[][] {{80, 82, 78}, {52, 55, 50}},
        new double[][] {{55, 55, 55}, {38, 40, 35}})));
    // CoCoOp new average 47 ± 2.9 vs CoOp's 45 ± 2.0: +2 but 2 × std = 5.7: (d) does not hold
    perMethod.put("CoCoOp", table(rows(new double[][] {{75, 75, 75}, {49, 58, 46}},
        new double[][] {{40, 40, 40}, {42, 44, 43}})));
    perMethod.put("MaPLe", table(rows(new double[][] {{80, 80, 80}, {62, 62, 62}},
        new double[][] {{58, 58, 58}, {45, 45, 45}})));
    Map<String, Findings.Finding> f = byId(Findings.check(perMethod, Map.of("near", 6, "far", 6), Set.of("far")));
    f.values().forEach(System.out::println);

    assertThat(f.get("a").holds()).isTrue(); // 51 vs 3 × 16.7
    assertThat(f.get("a").margin()).isCloseTo(51 - 50.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(f.get("b").holds()).isTrue();
    assertThat(f.get("b").margin()).isCloseTo(55 - 30 - 10, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(f.get("c").holds()).isTrue();
    assertThat(f.get("c").margin()).isCloseTo(51 - 45, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(f.get("c").noise()).isCloseTo(2 * Math.sqrt((0 + 6.25 + 6.25) / 3), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(f.get("d").margin()).isCloseTo(47 - 45, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(f.get("d").holds()).as("a +2 margin inside the noise").isFalse();
    assertThat(f.get("e").holds()).isTrue();
    assertThat(f.get("e").detail()).contains("CoOp");
    assertThat(Findings.markdown(List.copyOf(f.values()))).contains("| (d) |").contains("| no |");
  }

  @Test
  void chanceIsTakenPerDatasetAndAFailingFindingSaysNo() {
    Map<String, ResultsTable> perMethod = new LinkedHashMap<>();
    perMethod.put("CLIP", table(rows(new double[][] {{70, 70, 70}, {30, 30, 30}},
        new double[][] {{30, 30, 30}, {20, 20, 20}})));
    perMethod.put("CoOp", table(rows(new double[][] {{80, 80, 80}, {40, 40, 40}},
        new double[][] {{35, 35, 35}, {30, 30, 30}})));
    // 3 × chance with 4 and 6 new classes: 3 × (25 + 16.7) / 2 = 62.5 > 25
    Map<String, Findings.Finding> f = byId(Findings.check(perMethod, Map.of("near", 4, "far", 6), Set.of("far")));
    assertThat(f.get("a").holds()).isFalse();
    assertThat(f.get("a").margin()).isCloseTo(25 - 62.5, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(f.get("b").holds()).as("far base +5 only").isFalse();
    assertThat(f.get("c").holds()).as("CoOp's new is above zero-shot's").isFalse();
    assertThat(f).doesNotContainKeys("d", "e");
  }
}
