package dev.cliptune.world;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pretraining stream: deterministic, random access, uneven style mix. */
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
}
