package dev.cliptune.world;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.clip.image.ImageDecoder;
import dev.cliptune.clip.image.RgbImage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rendering: shapes, patterns and styles are distinguishable, deterministic and fast. */
class RendererTest {

  private static Scene solid(Shape shape, Pattern pattern) {
    return Scene.single(shape, Colour.WHITE, pattern, ObjectSize.LARGE, Background.DARK);
  }

  /** Pixels whose colour is closer to the object's than to the background's. */
  private static boolean[] objectMask(RgbImage img) {
    boolean[] m = new boolean[img.width() * img.height()];
    for (int y = 0; y < img.height(); y++) {
      for (int x = 0; x < img.width(); x++) {
        m[y * img.width() + x] = img.get(x, y, 0) > 140;
      }
    }
    return m;
  }

  @Test
  void shapesAreLargeAndPairwiseDistinct() {
    Shape[] shapes = Shape.values();
    List<boolean[]> masks = new ArrayList<>();
    for (Shape s : shapes) {
      boolean[] m = objectMask(Renderer.render(solid(s, Pattern.SOLID), Style.PLAIN, 32));
      int on = 0;
      for (boolean b : m) {
        on += b ? 1 : 0;
      }
      assertThat(on / 1024.0).as(s + " coverage").isBetween(0.15, 0.8);
      masks.add(m);
    }
    for (int i = 0; i < shapes.length; i++) {
      for (int j = i + 1; j < shapes.length; j++) {
        int inter = 0;
        int union = 0;
        for (int p = 0; p < 1024; p++) {
          inter += masks.get(i)[p] && masks.get(j)[p] ? 1 : 0;
          union += masks.get(i)[p] || masks.get(j)[p] ? 1 : 0;
        }
        assertThat(inter / (double) union).as(shapes[i] + " vs " + shapes[j]).isLessThan(0.85);
      }
    }
  }

  @Test
  void patternsChangeTheObjectButKeepItsColourDominant() {
    Scene base = Scene.single(Shape.SQUARE, Colour.BLUE, Pattern.SOLID, ObjectSize.LARGE,
        Background.LIGHT);
    List<RgbImage> imgs = new ArrayList<>();
    for (Pattern p : Pattern.values()) {
      Scene s = new Scene(base.kind(), base.shape(), base.colour(), p, base.size(), 1,
          base.position(), base.background(), base.nuisance());
      imgs.add(Renderer.render(s, Style.PLAIN, 32));
    }
    for (int i = 0; i < imgs.size(); i++) {
      for (int j = i + 1; j < imgs.size(); j++) {
        assertThat(meanAbsDiff(imgs.get(i), imgs.get(j)))
            .as(Pattern.values()[i] + " vs " + Pattern.values()[j]).isGreaterThan(3);
      }
      // the centre pixel region stays bluish: blue channel dominates red in the object
      RgbImage img = imgs.get(i);
      long blue = 0;
      long red = 0;
      for (int y = 10; y < 22; y++) {
        for (int x = 10; x < 22; x++) {
          blue += img.get(x, y, 2);
          red += img.get(x, y, 0);
        }
      }
      assertThat(blue).as(Pattern.values()[i].toString()).isGreaterThan(red + 50 * 144);
    }
  }

  @Test
  void stylesHaveTheirOwnPixelStatistics() {
    SceneSpace space = SceneSpace.pretraining();
    Random rnd = new Random(5);
    Map<Style, double[]> stats = new EnumMap<>(Style.class);
    List<Scene> scenes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      scenes.add(space.sample(rnd));
    }
    Set<Integer> levels5 = Set.of(0, 64, 128, 191, 255);
    Set<Integer> levels6 = Set.of(0, 51, 102, 153, 204, 255);
    for (Style style : Style.values()) {
      double hf = 0;
      double bright = 0;
      double offLevels5 = 0;
      double offLevels6 = 0;
      double blockBreaks = 0;
      for (Scene s : scenes) {
        RgbImage img = Renderer.render(s, style, 32);
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            int luma = 0;
            for (int c = 0; c < 3; c++) {
              int v = img.get(x, y, c);
              luma += v;
              offLevels5 += levels5.contains(v) ? 0 : 1;
              offLevels6 += levels6.contains(v) ? 0 : 1;
              if (x % 2 == 1 && v != img.get(x - 1, y, c)) {
                blockBreaks++;
              }
              if (x > 0) {
                hf += Math.abs(v - img.get(x - 1, y, c));
              }
            }
            bright += luma > 600 ? 1 : 0;
          }
        }
      }
      double pixels = scenes.size() * 1024.0;
      stats.put(style, new double[] {hf / pixels, bright / pixels, offLevels5 / pixels,
          offLevels6 / pixels, blockBreaks / pixels});
      System.out.printf("%-9s high-freq %.1f  bright %.2f  off-5-levels %.2f  off-6-levels %.2f"
          + "  2x2-block breaks %.3f%n", style, stats.get(style)[0], stats.get(style)[1],
          stats.get(style)[2], stats.get(style)[3], stats.get(style)[4]);
    }
    // photo: sensor noise and textures make neighbouring pixels differ much more than clip-art
    assertThat(stats.get(Style.PHOTO)[0]).isGreaterThan(2 * stats.get(Style.PLAIN)[0]);
    // sketch: mostly paper
    assertThat(stats.get(Style.SKETCH)[1]).isGreaterThan(0.6);
    assertThat(stats.get(Style.PLAIN)[1]).isLessThan(0.5);
    // rendition: posterised to 5 levels per channel; nobody else is
    assertThat(stats.get(Style.RENDITION)[2]).isZero();
    assertThat(stats.get(Style.PLAIN)[2]).isGreaterThan(1);
    assertThat(stats.get(Style.PHOTO)[2]).isGreaterThan(1);
    // pixel art: 2x2 blocks on a 6-level palette
    assertThat(stats.get(Style.PIXEL)[3]).isZero();
    assertThat(stats.get(Style.PIXEL)[4]).isZero();
    assertThat(stats.get(Style.PLAIN)[4]).isGreaterThan(0.01);
    // and the same scene looks different in every pair of styles
    for (Scene s : scenes.subList(0, 20)) {
      for (Style a : Style.values()) {
        for (Style b : Style.values()) {
          if (a.ordinal() < b.ordinal()) {
            assertThat(meanAbsDiff(Renderer.render(s, a, 32), Renderer.render(s, b, 32)))
                .as(a + " vs " + b).isGreaterThan(4);
          }
        }
      }
    }
  }

  @Test
  void hardPhotosAreNoisierThanCleanOnes() {
    SceneSpace clean = SceneSpace.singleObjects(0.5, List.of(0.3, 0.4, 0.3));
    SceneSpace hard = clean.withDifficulty(1, 1);
    double cleanHf = 0;
    double hardHf = 0;
    for (int i = 0; i < 50; i++) {
      cleanHf += highFrequency(Renderer.render(clean.sample(new Random(i)), Style.PHOTO, 32));
      hardHf += highFrequency(Renderer.render(hard.sample(new Random(i)), Style.PHOTO, 32));
    }
    assertThat(hardHf).isGreaterThan(1.5 * cleanHf);
  }

  @Test
  void renderingIsDeterministicAndSurvivesPng() {
    SceneSpace space = SceneSpace.pretraining();
    for (int i = 0; i < 30; i++) {
      Scene s = space.sample(new Random(i));
      for (Style style : Style.values()) {
        RgbImage a = Renderer.render(s, style, 40);
        assertThat(Renderer.render(s, style, 40)).isEqualTo(a);
        byte[] png = Png.encode(a);
        assertThat(Png.encode(a)).isEqualTo(png);
        assertThat(ImageDecoder.decode(png, "test.png")).isEqualTo(a);
      }
    }
    Scene s = space.sample(new Random(1));
    Scene other = new Scene(s.kind(), s.shape(), s.colour(), s.pattern(), s.size(), s.count(),
        s.position(), s.background(), new Scene.Nuisance(s.nuisance().rotation(),
            s.nuisance().jitterX(), s.nuisance().jitterY(), s.nuisance().patternScale(),
            s.nuisance().patternAngle(), s.nuisance().layout(), s.nuisance().difficulty(),
            s.nuisance().seed() + 1));
    assertThat(Renderer.render(other, Style.PHOTO, 32)).isNotEqualTo(Renderer.render(s, Style.PHOTO, 32));
    assertThatThrownBy(() -> Renderer.render(s, Style.PLAIN, 4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void oddSizesWork() {
    Scene s = SceneSpace.pretraining().sample(new Random(3));
    for (Style style : Style.values()) {
      RgbImage img = Renderer.render(s, style, 33);
      assertThat(img.width()).isEqualTo(33);
      assertThat(img.height()).isEqualTo(33);
    }
  }

  /** Prints the rendering rate; asserts nothing about wall time (machines differ). */
  private static double highFrequency(RgbImage img) {
    double hf = 0;
    for (int y = 0; y < img.height(); y++) {
      for (int x = 1; x < img.width(); x++) {
        for (int c = 0; c < 3; c++) {
          hf += Math.abs(img.get(x, y, c) - img.get(x - 1, y, c));
        }
      }
    }
    return hf;
  }

  private static double meanAbsDiff(RgbImage a, RgbImage b) {
    double d = 0;
    for (int i = 0; i < a.rgb().length; i++) {
      d += Math.abs((a.rgb()[i] & 0xff) - (b.rgb()[i] & 0xff));
    }
    return d / a.rgb().length;
  }

  @Test
  void smokeMistAndDustAreThePhotoBehindAUniformHaze() {
    Scene scene = Scene.single(Shape.STAR, Colour.RED, Pattern.SOLID, ObjectSize.LARGE, Background.GRASS);
    RgbImage photo = Renderer.render(scene, Style.PHOTO, 32);
    for (Style style : List.of(Style.SMOKE, Style.MIST, Style.DUST)) {
      float[] colour = Renderer.hazeColour(style);
      RgbImage hazy = Renderer.render(scene, style, 32);
      double worst = 0;
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          for (int c = 0; c < 3; c++) {
            // the photo was rounded to bytes before this comparison, the haze applied to its floats: 0.5 + 0.5 × 0.4
            double expected = photo.get(x, y, c) * (1 - Renderer.HAZE) + colour[c] * Renderer.HAZE;
            worst = Math.max(worst, Math.abs(hazy.get(x, y, c) - expected));
          }
        }
      }
      assertThat(worst).as("%s: largest difference from the hazed photo", style).isLessThanOrEqualTo(0.71);
      // the red object keeps its hue (red above green and blue) at 40 % of the photo's contrast
      int[] centre = {hazy.get(16, 16, 0), hazy.get(16, 16, 1), hazy.get(16, 16, 2)};
      assertThat(centre[0]).as("%s: red channel at the centre of a red star", style)
          .isGreaterThan(centre[1] + 30).isGreaterThan(centre[2] + 30);
    }
  }
}
