package dev.cliptune.world;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Caption phrasing, noise and vocabulary coverage of the pretraining stream. */
class CaptionsTest {

  private static final Scene RED_STRIPED_CIRCLE = new Scene(Scene.Kind.OBJECTS, Shape.CIRCLE,
      Colour.RED, Pattern.STRIPED, ObjectSize.SMALL, 1, Position.LEFT, Background.GRASS,
      Scene.Nuisance.none(1));

  private static List<String> captions(Scene scene, Style style, int n, long seed) {
    Random rnd = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Captions.caption(scene, style, rnd));
    }
    return out;
  }

  private static double share(List<String> captions, String word) {
    return captions.stream().filter(c -> Vocabulary.pieces(c).contains(word)).count()
        / (double) captions.size();
  }

  @Test
  void oneSceneGetsManyPhrasingsWithOccasionalMissingOrGenericWords() {
    List<String> caps = captions(RED_STRIPED_CIRCLE, Style.PHOTO, 1000, 1);
    assertThat(new HashSet<>(caps)).hasSizeGreaterThan(200);
    Set<String> firstWords = new HashSet<>();
    caps.forEach(c -> firstWords.add(Vocabulary.pieces(c).get(0)));
    assertThat(firstWords).contains("a", "red", "the", "there", "this");
    assertThat(share(caps, "red")).isBetween(0.8, 0.97);
    assertThat(share(caps, "striped")).isBetween(0.6, 0.95);
    assertThat(share(caps, "circle")).isBetween(0.8, 0.97);
    assertThat(share(caps, "thing") + share(caps, "object") + share(caps, "shape"))
        .isGreaterThan(0.02);
    assertThat(share(caps, "grass") + share(caps, "lawn")).isBetween(0.2, 0.7);
    assertThat(share(caps, "left")).isBetween(0.2, 0.7);
    // word orders: colour before and after the shape
    assertThat(caps).anyMatch(c -> c.contains("red striped circle"))
        .anyMatch(c -> c.contains("striped red circle"))
        .anyMatch(c -> c.contains("circle in red"))
        .anyMatch(c -> c.contains("circle with stripes"));
  }

  @Test
  void styleWordsFollowTheStyleAndPluralsFollowTheCount() {
    List<String> sketch = captions(RED_STRIPED_CIRCLE, Style.SKETCH, 500, 2);
    List<String> photo = captions(RED_STRIPED_CIRCLE, Style.PHOTO, 500, 2);
    assertThat(share(sketch, "sketch") + share(sketch, "drawing") + share(sketch, "doodle"))
        .isGreaterThan(0.4);
    assertThat(share(photo, "sketch") + share(photo, "drawing")).isZero();
    List<String> three = captions(RED_STRIPED_CIRCLE.withCount(3), null, 500, 3);
    assertThat(share(three, "circles")).isGreaterThan(0.8);
    assertThat(share(three, "circle")).isZero();
    assertThat(share(three, "three")).isGreaterThan(0.4);
    assertThat(share(three, "left")).isZero();
  }

  @Test
  void swatchCaptionsTalkAboutTextures() {
    Scene swatch = new Scene(Scene.Kind.SWATCH, Shape.CIRCLE, Colour.BLUE, Pattern.PLAID,
        ObjectSize.LARGE, 1, Position.CENTER, Background.LIGHT, Scene.Nuisance.none(2));
    List<String> caps = captions(swatch, Style.PHOTO, 300, 4);
    assertThat(share(caps, "plaid")).isEqualTo(1.0);
    assertThat(share(caps, "texture")).isBetween(0.3, 0.8);
    assertThat(share(caps, "circle")).isZero();
  }

  @Test
  void captionsAreDeterministic() {
    assertThat(captions(RED_STRIPED_CIRCLE, Style.RENDITION, 50, 9))
        .isEqualTo(captions(RED_STRIPED_CIRCLE, Style.RENDITION, 50, 9))
        .isNotEqualTo(captions(RED_STRIPED_CIRCLE, Style.RENDITION, 50, 10));
  }

  /**
   * Every word of every class name (base and new) appears in pretraining captions, and every
   * template word at least once; captions use no word outside the vocabulary.
   */
  @Test
  void pretrainingCaptionsCoverEveryClassNameAndTemplateWord() {
    PretrainSampler sampler = new PretrainSampler(1, 32);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 20000; i++) {
      for (String w : Vocabulary.pieces(sampler.caption(i))) {
        counts.merge(w, 1, Integer::sum);
      }
    }
    Set<String> vocabulary = new TreeSet<>(Vocabulary.words());
    assertThat(vocabulary).containsAll(counts.keySet());
    for (DatasetSpec d : WorldDatasets.standard()) {
      for (String c : d.classNames()) {
        for (String w : c.split("_")) {
          assertThat(counts.getOrDefault(w, 0)).as(d.name() + " class word " + w)
              .isGreaterThanOrEqualTo(20);
        }
      }
      for (String w : Vocabulary.pieces(d.template().replace("{}", " "))) {
        assertThat(counts.getOrDefault(w, 0)).as(d.name() + " template word " + w).isPositive();
      }
    }
    System.out.printf("20000 captions: 'texture' %d times, 'type' %d, 'pixel' %d, 'sketch' %d%n",
        counts.getOrDefault("texture", 0), counts.getOrDefault("type", 0),
        counts.getOrDefault("pixel", 0), counts.getOrDefault("sketch", 0));
  }
}
