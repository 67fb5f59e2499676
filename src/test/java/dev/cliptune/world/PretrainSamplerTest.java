package dev.cliptune.world;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pretraining stream: deterministic, random access, uneven style mix, groups of hard negatives. */
class PretrainSamplerTest {

  @Test
  void sameSeedSamePairsDifferentSeedDifferentPairs() {
    PretrainSampler a = new PretrainSampler(7, 32);
    PretrainSampler b = new PretrainSampler(7, 32);
    PretrainSampler c = new PretrainSampler(8, 32);
    int captionsDiffer = 0;
    for (int i = 0; i < 100; i++) {
      PretrainSampler.Pair x = a.next();
      PretrainSampler.Pair y = b.get(i);
      assertThat(y.image()).isEqualTo(x.image());
      assertThat(y.caption()).isEqualTo(x.caption());
      assertThat(a.caption(i)).isEqualTo(x.caption());
      PretrainSampler.Pair z = c.get(i);
      assertThat(z.image()).isNotEqualTo(x.image());
      captionsDiffer += z.caption().equals(x.caption()) ? 0 : 1;
    }
    assertThat(captionsDiffer).isGreaterThan(90);
    assertThat(new PretrainSampler(7, 32).batch(40, 5).get(2).caption()).isEqualTo(a.caption(42));
  }

  @Test
  void stylesFollowTheUnevenWebLikeMix() {
    PretrainSampler s = new PretrainSampler(1, 32);
    Map<Style, Integer> counts = new EnumMap<>(Style.class);
    int swatches = 0;
    int n = 5000;
    for (int i = 0; i < n; i++) {
      PretrainSampler.Pair p = s.get(i);
      counts.merge(p.style(), 1, Integer::sum);
      swatches += p.scene().kind() == Scene.Kind.SWATCH ? 1 : 0;
    }
    System.out.println("pretraining styles in 5000 pairs: " + counts + ", swatches " + swatches);
    assertThat(counts.get(Style.PHOTO) / (double) n).isBetween(0.45, 0.55);
    assertThat(counts.get(Style.SKETCH) / (double) n).isBetween(0.04, 0.10);
    assertThat(counts.get(Style.PIXEL) / (double) n).isBetween(0.01, 0.05);
    assertThat(counts.get(Style.PHOTO)).isGreaterThan(counts.get(Style.PLAIN));
    assertThat(counts.get(Style.PLAIN)).isGreaterThan(counts.get(Style.RENDITION));
    assertThat(swatches / (double) n).isBetween(0.015, 0.05);
  }

  @Test
  void groupsOfHardNegativesDifferInOneAttributeThatTheirCaptionsName() {
    PretrainSampler s = new PretrainSampler(3, 32, PretrainMix.hardNegatives());
    int groups = 600;
    Map<Attribute, Integer> varied = new EnumMap<>(Attribute.class);
    int independent = 0;
    for (int g = 0; g < groups; g++) {
      java.util.List<PretrainSampler.Pair> m = s.batch(4L * g, 4);
      if (g < 3) {
        m.forEach(p -> System.out.println("a group: " + p.caption()));
      }
      java.util.EnumSet<Attribute> differ = java.util.EnumSet.noneOf(Attribute.class);
      for (PretrainSampler.Pair p : m) {
        assertThat(p.style()).as("one style per group").isEqualTo(m.get(0).style());
        Scene a = p.scene();
        Scene b = m.get(0).scene();
        if (a.kind() != b.kind()) {
          differ.addAll(java.util.EnumSet.allOf(Attribute.class));
        }
        if (a.shape() != b.shape()) {
          differ.add(Attribute.SHAPE);
        }
        if (a.colour() != b.colour()) {
          differ.add(Attribute.COLOUR);
        }
        if (a.pattern() != b.pattern()) {
          differ.add(Attribute.PATTERN);
        }
        if (a.count() != b.count()) {
          differ.add(Attribute.COUNT);
        }
      }
      if (differ.size() > 1) {
        independent++;
        continue;
      }
      assertThat(differ).as("group %d: the members differ", g).hasSize(1);
      Attribute attr = differ.iterator().next();
      varied.merge(attr, 1, Integer::sum);
      java.util.Set<String> captions = new java.util.HashSet<>();
      for (PretrainSampler.Pair p : m) {
        Scene sc = p.scene();
        java.util.List<String> words = java.util.List.of(p.caption().replace(".", " ").replace(",", " ")
            .split(" +"));
        switch (attr) {
          case SHAPE -> assertThat(words).as(p.caption()).containsAnyOf(sc.shape().word(), sc.shape().plural());
          case COLOUR -> assertThat(words).as(p.caption()).contains(sc.colour().word());
          case PATTERN -> {
            if (sc.pattern() == Pattern.SOLID) {
              assertThat(words).as(p.caption()).containsAnyOf("solid", "plain");
            } else {
              String noun = sc.pattern().noun() == null ? sc.pattern().word()
                  : sc.pattern().noun().replace("a ", "");
              assertThat(words).as(p.caption()).containsAnyOf(sc.pattern().word(), noun);
            }
          }
          case COUNT -> {
            if (sc.count() > 1) {
              assertThat(words).as(p.caption()).contains(Captions.NUMBERS.get(sc.count() - 1));
            }
          }
          default -> throw new AssertionError(attr);
        }
        captions.add(p.caption());
      }
      assertThat(captions).as("group %d's captions tell its members apart", g).hasSize(4);
    }
    System.out.println("groups of 4 in " + groups + ": varied " + varied + ", independent " + independent);
    assertThat(varied.get(Attribute.PATTERN) / (double) groups).isBetween(0.33, 0.47);
    assertThat(varied.get(Attribute.SHAPE) / (double) groups).isBetween(0.24, 0.36);
    assertThat(varied.get(Attribute.COLOUR)).isGreaterThan(30);
    assertThat(varied.get(Attribute.COUNT)).isGreaterThan(30);
    assertThat(independent).isBetween(30, 100);
  }

  /** {@code --hard-negatives=WEIGHTS}: a pattern-only stage varies the pattern in every group; bad weights are named. */
  @Test
  void hardNegativeWeightsChooseWhatTheGroupsVary() {
    PretrainSampler s = new PretrainSampler(5, 32, PretrainMix.hardNegatives("pattern=1"));
    for (int g = 0; g < 100; g++) {
      java.util.List<PretrainSampler.Pair> m = s.batch(4L * g, 4);
      java.util.Set<Pattern> patterns = java.util.EnumSet.noneOf(Pattern.class);
      for (PretrainSampler.Pair p : m) {
        patterns.add(p.scene().pattern());
        assertThat(p.scene().colour()).as("group %d: one colour", g).isEqualTo(m.get(0).scene().colour());
        assertThat(p.scene().shape()).as("group %d: one shape", g).isEqualTo(m.get(0).scene().shape());
      }
      assertThat(patterns).as("group %d: four patterns", g).hasSize(4);
    }
    assertThat(PretrainMix.hardNegatives().contrastWeights())
        .isEqualTo(PretrainMix.hardNegatives(PretrainMix.DEFAULT_CONTRAST).contrastWeights());
    for (String bad : List.of("patterns=1", "pattern=-1", "pattern", "pattern=1,pattern=2", "pattern=x")) {
      assertThatThrownBy(() -> PretrainMix.hardNegatives(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not one of")
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> PretrainMix.hardNegatives("none=0")).hasMessageContaining("positive sum");
  }
}
