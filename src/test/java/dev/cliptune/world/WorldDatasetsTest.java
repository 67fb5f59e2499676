package dev.cliptune.world;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The standard dataset catalogue meets the world's design rules. */
class WorldDatasetsTest {
  private static final List<DatasetSpec> ALL = WorldDatasets.standard();

  @Test
  void everyDatasetHasEnoughClassesAndImagesForSixteenShots() {
    assertThat(ALL.stream().filter(d -> d.role() == DatasetSpec.Role.DOWNSTREAM)).hasSizeGreaterThanOrEqualTo(5);
    for (DatasetSpec d : ALL) {
      assertThat(d.classes().size()).as(d.name()).isGreaterThanOrEqualTo(12);
      assertThat(d.classes().size() - d.baseClasses()).as(d.name() + " new").isGreaterThanOrEqualTo(6);
      assertThat(d.testPerClass()).as(d.name()).isGreaterThanOrEqualTo(20);
      if (!d.trainIsTest()) {
        assertThat(d.trainPerClass()).as(d.name()).isGreaterThanOrEqualTo(16);
        assertThat(d.valPerClass()).as(d.name()).isGreaterThanOrEqualTo(4);
      }
      assertThat(d.classNames()).as(d.name()).isSorted();
      assertThat(d.classNames()).allMatch(c -> c.matches("[a-z]+(_[a-z]+)*"));
    }
  }

  @Test
  void labelSpacesDifferAndTheRolesAreFilled() {
    Set<String> labels = new HashSet<>();
    ALL.stream().filter(d -> d.role() == DatasetSpec.Role.DOWNSTREAM).forEach(d -> labels.add(d.label()));
    assertThat(labels).contains("shape", "color", "pattern", "color_shape", "count_shape", "texture");
    assertThat(ALL).filteredOn(DatasetSpec::far).hasSizeGreaterThanOrEqualTo(1);
    DatasetSpec source = ALL.stream().filter(d -> d.role() == DatasetSpec.Role.SOURCE).findFirst().orElseThrow();
    assertThat(source.classes().size()).isGreaterThan(ALL.stream()
        .filter(d -> d.role() == DatasetSpec.Role.DOWNSTREAM).mapToInt(d -> d.classes().size()).max().orElseThrow());
    List<DatasetSpec> targets = ALL.stream().filter(d -> d.role() == DatasetSpec.Role.DOMAIN_TARGET).toList();
    assertThat(targets).extracting(DatasetSpec::style)
        .contains(Style.PHOTO, Style.SKETCH, Style.RENDITION);
    for (DatasetSpec t : targets) {
      assertThat(t.classNames()).isEqualTo(source.classNames());
      assertThat(t.domainOf()).isEqualTo(source.name());
    }
  }

  /** In every dataset the new half needs names (words) that its base half does not use. */
  @Test
  void newClassesAreNamedDifferentlyFromBaseClasses() {
    for (DatasetSpec d : ALL) {
      List<String> names = d.classNames();
      Set<String> baseWords = new HashSet<>();
      for (String c : names.subList(0, d.baseClasses())) {
        baseWords.addAll(List.of(c.split("_")));
      }
      for (String c : names.subList(d.baseClasses(), names.size())) {
        assertThat(baseWords.containsAll(List.of(c.split("_")))).as(d.name() + " " + c).isFalse();
      }
    }
  }

  @Test
  void scenesOfAClassHaveTheClassAttributesAndVaryInTheRest() {
    for (DatasetSpec d : ALL) {
      for (int label = 0; label < d.classes().size(); label++) {
        ClassTarget target = d.classes().get(label);
        Set<String> variety = new HashSet<>();
        for (int i = 0; i < 20; i++) {
          Scene s = d.space().sample(new Random(i * 31L + label), target);
          assertThat(target.matches(s)).isTrue();
          assertThat(s.background().contrasts(s.colour())).isTrue();
          variety.add(s.colour() + "/" + s.shape() + "/" + s.pattern() + "/" + s.background());
        }
        assertThat(variety).as(d.name() + " " + target.name()).hasSizeGreaterThan(5);
      }
    }
  }
}
