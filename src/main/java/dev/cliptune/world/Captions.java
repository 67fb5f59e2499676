package dev.cliptune.world;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Alt-text-like captions of scenes: several attributes named in varied word orders and sentence
 * frames, with noise — an attribute left out, a generic noun ({@code "thing"}) instead of the
 * shape, filler adjectives, sometimes no determiner or final period. The rendering style is named
 * by a phrase such as {@code "a sketch of"} or a trailing {@code ", cartoon"} some of the time.
 *
 * <p>Every word a caption can contain is listed by {@link #words()}, which the world's tokenizer
 * vocabulary is built from.
 */
public final class Captions {
  private Captions() {}

  static final Map<Style, List<String>> STYLE_PREFIXES = new EnumMap<>(Map.of(
      Style.PHOTO, List.of("a photo of", "a picture of", "an image of", "a close up photo of",
          "a blurry photo of", "a good photo of"),
      Style.PLAIN, List.of("a rendering of", "an illustration of", "a graphic of", "an icon of",
          "a clip art of"),
      Style.SKETCH, List.of("a sketch of", "a drawing of", "a pencil sketch of", "a doodle of",
          "a line drawing of"),
      Style.RENDITION, List.of("a cartoon of", "a painting of", "a rendition of", "art of",
          "a cartoon drawing of"),
      Style.PIXEL, List.of("pixel art of", "a pixelated image of", "a pixel art image of",
          "a low resolution image of")));

  static final Map<Style, List<String>> STYLE_NOUNS = new EnumMap<>(Map.of(
      Style.PHOTO, List.of("photo", "photograph"),
      Style.PLAIN, List.of("illustration", "icon", "clip art"),
      Style.SKETCH, List.of("sketch", "drawing"),
      Style.RENDITION, List.of("cartoon", "painting"),
      Style.PIXEL, List.of("pixel art")));

  /** Probability that a caption names the style with a prefix: rare for photos, as on the web. */
  private static final Map<Style, Double> STYLE_RATE = new EnumMap<>(Map.of(
      Style.PHOTO, 0.35, Style.PLAIN, 0.45, Style.SKETCH, 0.8, Style.RENDITION, 0.75,
      Style.PIXEL, 0.85));

  static final Map<Background, List<String>> BACKGROUND_PHRASES = new EnumMap<>(Map.of(
      Background.LIGHT, List.of("on a light background", "on a pale background",
          "against a light background"),
      Background.DARK, List.of("on a dark background", "against a dark background", "in the dark"),
      Background.GRASS, List.of("on grass", "on the grass", "on a lawn"),
      Background.SKY, List.of("in the sky", "against the sky", "on a sky background"),
      Background.SAND, List.of("on sand", "on the sand", "on a beach"),
      Background.STONE, List.of("on stone", "on a stone wall", "on rocks")));

  static final Map<Position, List<String>> POSITION_PHRASES = new EnumMap<>(Map.of(
      Position.CENTER, List.of("in the center", "in the middle"),
      Position.LEFT, List.of("on the left", "at the left", "to the left"),
      Position.RIGHT, List.of("on the right", "at the right", "to the right"),
      Position.TOP, List.of("at the top", "near the top"),
      Position.BOTTOM, List.of("at the bottom", "near the bottom")));

  static final Map<ObjectSize, List<String>> SIZE_WORDS = new EnumMap<>(Map.of(
      ObjectSize.SMALL, List.of("small", "little", "tiny"),
      ObjectSize.MEDIUM, List.of("medium"),
      ObjectSize.LARGE, List.of("large", "big", "huge")));

  static final List<String> NUMBERS = List.of("one", "two", "three", "four");
  static final List<String> GENERIC = List.of("shape", "object", "thing");
  static final List<String> GENERIC_PLURAL = List.of("shapes", "objects", "things");
  static final List<String> FILLERS = List.of("nice", "cool", "simple", "pretty");
  static final List<String> SOLID_WORDS = List.of("solid", "plain");
  static final List<String> SWATCH_NOUNS = List.of("texture", "pattern", "fabric", "surface");
  /** Other words of the sentence frames below. */
  static final List<String> FRAME_WORDS = List.of("a", "an", "the", "my", "one", "some",
      "several", "with", "in", "and", "there", "is", "are", "this", "these", "it", "they", "of",
      "type", "kind", "close", "up", ".", ",");

  /** A caption of {@code scene} that does not mention a rendering style. */
  public static String caption(Scene scene, Random rnd) {
    return caption(scene, null, rnd);
  }

  /**
   * A caption of {@code scene} as rendered in {@code style} (or {@code null}: no style words).
   * Deterministic given the generator's state.
   */
  public static String caption(Scene scene, Style style, Random rnd) {
    return caption(scene, style, rnd, null);
  }

  /**
   * A caption of {@code scene} as rendered in {@code style} that always names {@code named} (or, if
   * {@code null}, names each attribute with its usual rate): the caption of a member of a group of
   * hard negatives, which differ only in that attribute. A named count is a number word (never
   * {@code "some"}) and a named solid surface says {@code "solid"} or {@code "plain"}.
   */
  public static String caption(Scene scene, Style style, Random rnd, Attribute named) {
    return scene.kind() == Scene.Kind.SWATCH ? swatch(scene, style, rnd, named)
        : objects(scene, style, rnd, named);
  }

  private static String objects(Scene s, Style style, Random rnd, Attribute named) {
    boolean plural = s.count() > 1;
    boolean generic = rnd.nextDouble() < 0.07 && named != Attribute.SHAPE;
    String noun = generic ? pick(rnd, plural ? GENERIC_PLURAL : GENERIC)
        : plural ? s.shape().plural() : s.shape().word();
    String colour = rnd.nextDouble() < 0.88 || named == Attribute.COLOUR ? s.colour().word() : null;
    String pattern = patternWord(s.pattern(), rnd, named == Attribute.PATTERN);
    String size = null;
    if (!plural) {
      double rate = s.size() == ObjectSize.MEDIUM ? 0.1 : 0.45;
      size = rnd.nextDouble() < rate ? pick(rnd, SIZE_WORDS.get(s.size())) : null;
    }
    String filler = rnd.nextDouble() < 0.04 ? pick(rnd, FILLERS) : null;
    String det = determiner(s.count(), rnd);
    boolean countNamed = named == Attribute.COUNT;
    if (countNamed && plural) {
      det = NUMBERS.get(s.count() - 1);
    }
    int order = weighted(rnd, 0.45, 0.2, 0.15, 0.1, 0.1);
    if (order == 2 && (pattern == null || s.pattern().noun() == null)) {
      order = 0;
    }
    if (order == 3 && (pattern == null || colour == null)) {
      order = 1;
    }
    List<String> np = new ArrayList<>();
    switch (order) {
      case 0 -> add(np, filler, size, colour, pattern, noun);
      case 1 -> add(np, filler, size, pattern, colour, noun);
      case 2 -> add(np, filler, size, colour, noun, "with", s.pattern().noun());
      case 3 -> add(np, filler, size, pattern, noun, "in", colour);
      default -> add(np, colour, pattern, noun);
    }
    String bare = String.join(" ", np);
    String withDet = order == 4 && rnd.nextBoolean() && !countNamed ? bare : article(det, bare);
    String bg = null;
    double bgRate = style == Style.SKETCH ? 0.1 : style == Style.RENDITION ? 0.3 : 0.45;
    if (rnd.nextDouble() < bgRate) {
      bg = pick(rnd, BACKGROUND_PHRASES.get(s.background()));
    }
    String pos = null;
    if (!plural && rnd.nextDouble() < (s.position() == Position.CENTER ? 0.05 : 0.55)) {
      pos = pick(rnd, POSITION_PHRASES.get(s.position()));
    }
    String prefix = style != null && rnd.nextDouble() < STYLE_RATE.get(style)
        ? pick(rnd, STYLE_PREFIXES.get(style)) : null;
    int frame = weighted(rnd, 0.35, 0.15, 0.1, 0.08, 0.1, 0.12, 0.08, 0.02);
    if (frame == 4 && style == null) {
      frame = 1;
    }
    if (frame == 5 && colour == null && pattern == null) {
      frame = 0;
    }
    if (countNamed && (frame == 4 || frame == 5)) {
      frame = 0; // these frames drop the determiner, i.e. the number
    }
    List<String> out = new ArrayList<>();
    switch (frame) {
      case 0 -> {
        add(out, prefix, withDet, bg, pos);
        out.add(".");
      }
      case 1 -> add(out, prefix, prefix == null && rnd.nextBoolean() && !countNamed ? bare : withDet,
          bg, pos);
      case 2 -> {
        add(out, "there", plural ? "are" : "is", withDet, pos, bg);
        out.add(".");
      }
      case 3 -> {
        add(out, plural ? "these are" : "this is", withDet);
        out.add(".");
      }
      case 4 -> add(out, bare, bg, ",", pick(rnd, STYLE_NOUNS.get(style)));
      case 5 -> {
        add(out, "the", noun, plural ? "are" : "is");
        if (colour != null && pattern != null) {
          add(out, colour, "and", pattern);
        } else {
          add(out, colour != null ? colour : pattern);
        }
        add(out, pos, ".");
      }
      case 6 -> {
        add(out, prefix, withDet, ".", plural ? "they are" : "it is");
        add(out, colour != null ? s.colour().word() : pos != null ? pos : s.pattern().word(), ".");
      }
      default -> add(out, withDet, ",", "a", pick(rnd, List.of("type", "kind")), "of",
          pick(rnd, List.of("shape", "object")), ".");
    }
    return join(out);
  }

  private static String swatch(Scene s, Style style, Random rnd, Attribute named) {
    String pattern = s.pattern() == Pattern.SOLID ? pick(rnd, SOLID_WORDS) : s.pattern().word();
    String colour = rnd.nextDouble() < 0.85 || named == Attribute.COLOUR ? s.colour().word() : null;
    String prefix = style != null && rnd.nextDouble() < STYLE_RATE.get(style) * 0.5
        ? pick(rnd, STYLE_PREFIXES.get(style)) : null;
    List<String> out = new ArrayList<>();
    switch (weighted(rnd, 0.3, 0.25, 0.15, 0.15, 0.15)) {
      case 0 -> {
        add(out, prefix, article("a", join(List.of(colour == null ? "" : colour, pattern))),
            "texture");
      }
      case 1 -> {
        add(out, pattern, "texture");
        if (colour != null) {
          add(out, "in", colour);
        }
      }
      case 2 -> add(out, "a close up of", article("a", join(List.of(pattern,
          colour == null ? "" : colour))), "fabric");
      case 3 -> {
        add(out, prefix, article("a", pattern), "pattern");
        if (colour != null) {
          add(out, "in", colour);
        }
      }
      default -> add(out, prefix, article("a", join(List.of(colour == null ? "" : colour,
          pattern))), "surface", ".");
    }
    return join(out);
  }

  private static String patternWord(Pattern p, Random rnd, boolean named) {
    if (p == Pattern.SOLID) {
      return rnd.nextDouble() < 0.15 || named ? pick(rnd, SOLID_WORDS) : null;
    }
    return rnd.nextDouble() < 0.85 || named ? p.word() : null;
  }

  private static String determiner(int count, Random rnd) {
    double x = rnd.nextDouble();
    if (count == 1) {
      return x < 0.82 ? "a" : x < 0.9 ? "one" : x < 0.96 ? "the" : "my";
    }
    return x < 0.85 ? NUMBERS.get(count - 1) : x < 0.95 || count == 2 ? "some" : "several";
  }

  /** {@code det + " " + phrase}, turning {@code a} into {@code an} before a vowel. */
  private static String article(String det, String phrase) {
    phrase = phrase.strip();
    if (det.equals("a") && !phrase.isEmpty() && "aeiou".indexOf(phrase.charAt(0)) >= 0) {
      det = "an";
    }
    return det + " " + phrase;
  }

  private static void add(List<String> out, String... parts) {
    for (String p : parts) {
      if (p != null && !p.isBlank()) {
        out.add(p.strip());
      }
    }
  }

  /** Joins with spaces, attaching {@code .} and {@code ,} to the previous word. */
  private static String join(List<String> parts) {
    StringBuilder sb = new StringBuilder();
    for (String p : parts) {
      if (p.isBlank()) {
        continue;
      }
      if (sb.length() > 0 && !p.equals(".") && !p.equals(",")) {
        sb.append(' ');
      }
      sb.append(p.strip());
    }
    return sb.toString();
  }

  private static <T> T pick(Random rnd, List<T> values) {
    return values.get(rnd.nextInt(values.size()));
  }

  private static int weighted(Random rnd, double... weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double x = rnd.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /**
   * Every word (and punctuation piece) a caption can contain, sorted: attribute words, plurals,
   * pattern nouns, style, background, position, size and number phrases and the frame words.
   */
  public static TreeSet<String> words() {
    TreeSet<String> words = new TreeSet<>();
    for (Shape s : Shape.values()) {
      words.add(s.word());
      words.add(s.plural());
    }
    for (Colour c : Colour.values()) {
      words.add(c.word());
    }
    for (Pattern p : Pattern.values()) {
      words.add(p.word());
      if (p.noun() != null) {
        addWords(words, p.noun());
      }
    }
    List<List<String>> tables = new ArrayList<>();
    tables.addAll(STYLE_PREFIXES.values());
    tables.addAll(STYLE_NOUNS.values());
    tables.addAll(BACKGROUND_PHRASES.values());
    tables.addAll(POSITION_PHRASES.values());
    tables.addAll(SIZE_WORDS.values());
    tables.addAll(List.of(NUMBERS, GENERIC, GENERIC_PLURAL, FILLERS, SOLID_WORDS, SWATCH_NOUNS,
        FRAME_WORDS));
    for (List<String> table : tables) {
      for (String phrase : table) {
        addWords(words, phrase);
      }
    }
    return words;
  }

  static void addWords(TreeSet<String> words, String phrase) {
    for (String w : phrase.split("[\\s_]+")) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
  }
}
