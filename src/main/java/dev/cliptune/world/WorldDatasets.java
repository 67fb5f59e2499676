package dev.cliptune.world;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The world's standard downstream datasets. Class lists are sorted by name (like folder-named real
 * datasets), so the base/new split (first {@code ceil(n/2)} labels are base) separates names: e.g.
 * the new half of {@code Counts} uses the number words {@code three} and {@code two} that no base
 * class has.
 *
 * <ul>
 *   <li>{@code Shapes} (12, photo), {@code Colors} (12, plain), {@code Patterns} (12, plain),
 *       {@code Objects} (16 colour+shape, photo), {@code Counts} (12 count+shape, plain);
 *   <li>far from pretraining: {@code Textures} (12 close-up swatches, which are 3 % of the
 *       pretraining mix; template {@code "{} texture."}), {@code PixelShapes} (12 shapes in the
 *       pixel-art style, 3 % of pretraining), {@code SmokeColors}, {@code MistColors} and
 *       {@code DustColors} (the 12 colours seen through dark smoke, grey mist or brown dust, never in
 *       pretraining: the image features still separate the colours — the linear probe is 30 to 60
 *       points above zero-shot on base classes — but the colour words no longer match them, which is
 *       where prompt learning gains most);
 *   <li>{@code Source} (48 colour+shape classes, photo) and its domain-shifted test sets
 *       {@code SourceV2} (a fresh photo sample), {@code SourceSketch}, {@code SourceHard}
 *       (cluttered, noisy, small objects: ImageNet-A's role) and {@code SourceRendition}.
 * </ul>
 */
public final class WorldDatasets {
  private WorldDatasets() {}

  /** Train, val and test images per class of a downstream dataset. */
  static final int TRAIN = 20;
  static final int VAL = 5;
  static final int TEST = 40;

  /** The source's colours (8) and shapes (6): 48 classes. */
  static final List<Colour> SOURCE_COLOURS = List.of(Colour.BLACK, Colour.BLUE, Colour.GREEN,
      Colour.ORANGE, Colour.PINK, Colour.PURPLE, Colour.RED, Colour.YELLOW);
  static final List<Shape> SOURCE_SHAPES = List.of(Shape.CIRCLE, Shape.CROSS, Shape.HEART,
      Shape.SQUARE, Shape.STAR, Shape.TRIANGLE);

  /** The standard datasets, in the order they are written. */
  public static List<DatasetSpec> standard() {
    List<DatasetSpec> out = new ArrayList<>();
    List<Double> bigSizes = List.of(0.0, 0.5, 0.5);
    List<Double> allSizes = List.of(0.25, 0.35, 0.40);
    var ds = DatasetSpec.Role.DOWNSTREAM;

    List<ClassTarget> shapes = new ArrayList<>();
    for (Shape s : Shape.values()) {
      shapes.add(new ClassTarget(s.word(), Scene.Kind.OBJECTS, s, null, null, 1));
    }
    out.add(new DatasetSpec("Shapes", "shapes", "shape", sorted(shapes), Style.PHOTO,
        SceneSpace.singleObjects(0.5, bigSizes), "a photo of a {}, a type of shape.", ds, false,
        null, TRAIN, VAL, TEST, "single objects by shape, photo style"));

    List<ClassTarget> colours = new ArrayList<>();
    for (Colour c : Colour.values()) {
      colours.add(new ClassTarget(c.word(), Scene.Kind.OBJECTS, null, c, null, 1));
    }
    out.add(new DatasetSpec("Colors", "colors", "color", sorted(colours), Style.PLAIN,
        SceneSpace.singleObjects(0.7, allSizes), "a photo of a {} object.", ds, false, null,
        TRAIN, VAL, TEST, "single objects by colour, plain style"));

    List<ClassTarget> patterns = new ArrayList<>();
    for (Pattern p : Pattern.values()) {
      if (p != Pattern.PLAID && p != Pattern.RINGED) {
        patterns.add(new ClassTarget(p.word(), Scene.Kind.OBJECTS, null, null, p, 1));
      }
    }
    out.add(new DatasetSpec("Patterns", "patterns", "pattern", sorted(patterns), Style.PLAIN,
        SceneSpace.singleObjects(0, List.of(0.0, 0.4, 0.6))
            .withShapes(List.of(Shape.CIRCLE, Shape.SQUARE, Shape.HEART, Shape.DIAMOND)),
        "a photo of a {} object.", ds, false, null, TRAIN, VAL, TEST,
        "large objects by surface pattern, plain style"));

    List<ClassTarget> objects = new ArrayList<>();
    for (Colour c : List.of(Colour.BROWN, Colour.CYAN, Colour.GRAY, Colour.WHITE)) {
      for (Shape s : List.of(Shape.ARROW, Shape.CRESCENT, Shape.DIAMOND, Shape.RING)) {
        objects.add(new ClassTarget(c.word() + "_" + s.word(), Scene.Kind.OBJECTS, s, c, null, 1));
      }
    }
    out.add(new DatasetSpec("Objects", "objects", "color_shape", sorted(objects), Style.PHOTO,
        SceneSpace.singleObjects(0.6, allSizes), "a photo of a {}.", ds, false, null, TRAIN, VAL,
        TEST, "fine-grained colour+shape objects (colours and shapes not in Source), photo style"));

    List<ClassTarget> counts = new ArrayList<>();
    for (int n = 1; n <= Scene.MAX_COUNT; n++) {
      for (Shape s : List.of(Shape.CIRCLE, Shape.SQUARE, Shape.TRIANGLE)) {
        String name = Captions.NUMBERS.get(n - 1) + "_" + (n == 1 ? s.word() : s.plural());
        counts.add(new ClassTarget(name, Scene.Kind.OBJECTS, s, null, Pattern.SOLID, n));
      }
    }
    out.add(new DatasetSpec("Counts", "counts", "count_shape", sorted(counts), Style.PLAIN,
        SceneSpace.singleObjects(1, allSizes), "a photo of {}.", ds, false, null, TRAIN, VAL, TEST,
        "one to four solid objects by number and shape, plain style"));

    List<ClassTarget> textures = new ArrayList<>();
    for (Pattern p : Pattern.values()) {
      if (p != Pattern.SOLID && p != Pattern.BORDERED) {
        textures.add(new ClassTarget(p.word(), Scene.Kind.SWATCH, null, null, p, 1));
      }
    }
    out.add(new DatasetSpec("Textures", "textures", "texture", sorted(textures), Style.PHOTO,
        SceneSpace.singleObjects(0, allSizes), "{} texture.", ds, true, null, TRAIN, VAL, TEST,
        "far: close-up texture swatches (3% of pretraining), DTD's role"));

    out.add(new DatasetSpec("PixelShapes", "pixel_shapes", "shape", sorted(shapes), Style.PIXEL,
        SceneSpace.singleObjects(0.8, bigSizes), "pixel art of a {}.", ds, true, null, TRAIN, VAL,
        TEST, "far: shapes in the pixel-art style (3% of pretraining), EuroSAT's role"));

    out.add(new DatasetSpec("SmokeColors", "smoke_colors", "color", sorted(colours), Style.SMOKE,
        SceneSpace.singleObjects(0.7, allSizes), "a photo of a {} object.", ds, true, null,
        TRAIN, VAL, TEST, "far: object colours through dark smoke (never in pretraining), EuroSAT's role"));
    out.add(new DatasetSpec("MistColors", "mist_colors", "color", sorted(colours), Style.MIST,
        SceneSpace.singleObjects(0.7, allSizes), "a photo of a {} object.", ds, true, null,
        TRAIN, VAL, TEST, "far: object colours through grey mist (never in pretraining)"));
    out.add(new DatasetSpec("DustColors", "dust_colors", "color", sorted(colours), Style.DUST,
        SceneSpace.singleObjects(0.7, allSizes), "a photo of a {} object.", ds, true, null,
        TRAIN, VAL, TEST, "far: object colours through brown dust (never in pretraining)"));

    List<ClassTarget> source = new ArrayList<>();
    for (Colour c : SOURCE_COLOURS) {
      for (Shape s : SOURCE_SHAPES) {
        source.add(new ClassTarget(c.word() + "_" + s.word(), Scene.Kind.OBJECTS, s, c, null, 1));
      }
    }
    source = sorted(source);
    SceneSpace sourceSpace = SceneSpace.singleObjects(0.5, allSizes);
    out.add(new DatasetSpec("Source", "source", "color_shape", source, Style.PHOTO, sourceSpace,
        "a photo of a {}.", DatasetSpec.Role.SOURCE, false, null, TRAIN, VAL, 20,
        "broad colour+shape source for cross-dataset transfer and domain generalisation"));
    var target = DatasetSpec.Role.DOMAIN_TARGET;
    out.add(new DatasetSpec("SourceV2", "source_v2", "color_shape", source, Style.PHOTO,
        sourceSpace, "a photo of a {}.", target, false, "Source", 0, 0, 20,
        "Source's classes, a fresh photo sample (ImageNet-V2's role)"));
    out.add(new DatasetSpec("SourceSketch", "source_sketch", "color_shape", source, Style.SKETCH,
        sourceSpace, "a photo of a {}.", target, false, "Source", 0, 0, 20,
        "Source's classes as sketches (ImageNet-Sketch's role)"));
    out.add(new DatasetSpec("SourceHard", "source_hard", "color_shape", source, Style.PHOTO,
        sourceSpace.withDifficulty(0.75f, 1f).withSizes(List.of(0.6, 0.4, 0.0)),
        "a photo of a {}.", target, false, "Source", 0, 0, 20,
        "Source's classes in cluttered, noisy, low-contrast photos (ImageNet-A's role)"));
    out.add(new DatasetSpec("SourceRendition", "source_rendition", "color_shape", source,
        Style.RENDITION, sourceSpace, "a photo of a {}.", target, false, "Source", 0, 0, 20,
        "Source's classes as cartoons (ImageNet-R's role)"));
    return List.copyOf(out);
  }

  /** The standard dataset called {@code name}. */
  public static DatasetSpec byName(String name) {
    return standard().stream().filter(d -> d.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no world dataset " + name));
  }

  private static List<ClassTarget> sorted(List<ClassTarget> classes) {
    return classes.stream().sorted(Comparator.comparing(ClassTarget::name)).toList();
  }
}
