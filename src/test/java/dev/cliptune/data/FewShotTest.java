package dev.cliptune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link FewShot} against Dassl's {@code generate_fewshot_dataset} and CoOp's {@code subsample_classes} run
 * under CPython 3.11 on the same small lists (expected paths printed by that script).
 */
class FewShotTest {
  /** Train labels interleaved, so first appearance (2, 0, 1) is not label order. */
  private static final int[] TRAIN_LABELS = {2, 0, 2, 1, 0, 2, 1, 2, 0, 2};
  /** Val without label 1. */
  private static final int[] VAL_LABELS = {0, 2, 0, 2, 2, 0};

  private static List<Item> items(String prefix, int[] labels) {
    List<Item> out = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      out.add(new Item(prefix + i, labels[i], "c" + labels[i]));
    }
    return out;
  }

  private static List<String> paths(List<Item> items) {
    return items.stream().map(Item::impath).toList();
  }

  @Test
  void interleavedLabelsAreVisitedInOrderOfFirstAppearance() {
    // random.seed(5); fewshot(train, 2); fewshot(val, 2); random.getrandbits(32)
    PyRandom rng = new PyRandom(5);
    List<Item> train = FewShot.fewshot(items("t", TRAIN_LABELS), 2, rng);
    List<Item> val = FewShot.fewshot(items("v", VAL_LABELS), 2, rng);
    assertThat(paths(train)).containsExactly("t9", "t5", "t8", "t4", "t3", "t6");
    assertThat(paths(val)).containsExactly("v0", "v5", "v1", "v4");
    assertThat(rng.nextUInt32()).isEqualTo(1596840319L);
  }

  @Test
  void classWithFewerThanKItemsIsTakenWholeWithoutDrawing() {
    // random.seed(5); fewshot(train, 3); fewshot(val, 3); random.getrandbits(32)
    // label 1 has 2 < 3 items: both, in list order; label 1 missing from val entirely.
    PyRandom rng = new PyRandom(5);
    List<Item> train = FewShot.fewshot(items("t", TRAIN_LABELS), 3, rng);
    List<Item> val = FewShot.fewshot(items("v", VAL_LABELS), 3, rng);
    assertThat(paths(train)).containsExactly("t9", "t5", "t7", "t4", "t1", "t8", "t3", "t6");
    assertThat(paths(val)).containsExactly("v0", "v5", "v2", "v1", "v3", "v4");
    assertThat(rng.nextUInt32()).isEqualTo(3729944832L);
  }

  @Test
  void prepareReplaysTheOfficialOrder() {
    Split full = new Split(items("t", TRAIN_LABELS), items("v", VAL_LABELS), items("x", TRAIN_LABELS));
    Split all = FewShot.prepare(full, 5, 3, "all");
    assertThat(paths(all.train())).containsExactly("t9", "t5", "t7", "t4", "t1", "t8", "t3", "t6");
    assertThat(paths(all.val())).containsExactly("v0", "v5", "v2", "v1", "v3", "v4");
    assertThat(all.test()).isEqualTo(full.test());
    assertThat(all.classnames()).containsExactly("c0", "c1", "c2");
  }

  @Test
  void nonPositiveShotsReturnTheInputAndDrawNothing() {
    List<Item> train = items("t", TRAIN_LABELS);
    PyRandom rng = new PyRandom(5);
    assertThat(FewShot.fewshot(train, 0, rng)).isSameAs(train);
    assertThat(FewShot.fewshot(train, -1, rng)).isSameAs(train);
    assertThat(rng.nextUInt32()).isEqualTo(2675342405L); // random.seed(5); random.getrandbits(32)
    Split full = new Split(train, items("v", VAL_LABELS), List.of());
    assertThat(FewShot.prepare(full, 5, -1, "all")).isEqualTo(full);
  }

  @Test
  void subsampleSplitsSortedTrainLabelsAndRelabels() {
    List<Item> train = items("t", TRAIN_LABELS); // labels {0, 1, 2}: n = 3, m = 2
    List<Item> val = items("v", VAL_LABELS);
    List<Item> test = items("x", new int[] {3, 2, 1, 0}); // 3 is not a train label: dropped in both halves

    Split base = FewShot.subsample(train, val, test, "base");
    assertThat(base.classnames()).containsExactly("c0", "c1");
    assertThat(base.train()).extracting(Item::label).containsOnly(0, 1);
    assertThat(base.test()).containsExactly(new Item("x2", 1, "c1"), new Item("x3", 0, "c0"));
    assertThat(paths(base.val())).containsExactly("v0", "v2", "v5");

    Split nu = FewShot.subsample(train, val, test, "new");
    assertThat(nu.classnames()).containsExactly("c2");
    assertThat(paths(nu.train())).containsExactly("t0", "t2", "t5", "t7", "t9");
    assertThat(nu.train()).extracting(Item::label).containsOnly(0);
    assertThat(nu.test()).containsExactly(new Item("x1", 0, "c2"));
    assertThat(nu.numClasses()).isEqualTo(1);

    Split all = FewShot.subsample(train, val, test, "all");
    assertThat(all.train()).isEqualTo(train);
    assertThat(all.test()).isEqualTo(test);

    assertThatThrownBy(() -> FewShot.subsample(train, val, test, "novel"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void subsampleWithGapsInLabels() {
    // labels {1, 4, 7, 9}: base = {1, 4} -> 0, 1; new = {7, 9} -> 0, 1
    List<Item> train = items("t", new int[] {9, 1, 7, 4});
    Split base = FewShot.subsample(train, List.of(), List.of(), FewShot.Subsample.BASE);
    assertThat(base.train()).containsExactly(new Item("t1", 0, "c1"), new Item("t3", 1, "c4"));
    Split nu = FewShot.subsample(train, List.of(), List.of(), FewShot.Subsample.NEW);
    assertThat(nu.train()).containsExactly(new Item("t0", 1, "c9"), new Item("t2", 0, "c7"));
    assertThat(nu.classnames()).containsExactly("c7", "c9");
  }

  @Test
  void emptyTrainGivesEmptyHalves() {
    Split s = FewShot.subsample(List.of(), items("v", VAL_LABELS), List.of(), "base");
    assertThat(s.train()).isEmpty();
    assertThat(s.val()).isEmpty();
    assertThat(s.numClasses()).isZero();
  }
}
