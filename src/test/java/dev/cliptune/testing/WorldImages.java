package dev.cliptune.testing;

import dev.cliptune.clip.image.RgbImage;
import dev.cliptune.world.DatasetSpec;
import dev.cliptune.world.Png;
import dev.cliptune.world.Renderer;
import dev.cliptune.world.World;
import dev.cliptune.world.WorldConfig;
import dev.cliptune.world.WorldDatasets;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Real image files for tests of the classifier, {@code predict} and {@code serve}: scenes of one of the hermetic
 * world's datasets rendered from a held-out seed and encoded as PNG (and JPEG for every third one), written in a
 * folder per class.
 */
public final class WorldImages {
  /** Not the demo world's seed nor pretraining's. */
  public static final long SEED = 20261204L;

  /** One written image. */
  public record Item(Path file, String className, int label, byte[] bytes) {}

  private WorldImages() {}

  public static DatasetSpec dataset(String name) {
    return WorldDatasets.byName(name);
  }

  /** Renders one scene of {@code dataset}. */
  public static RgbImage render(String dataset, int label, int index) {
    DatasetSpec d = WorldDatasets.byName(dataset);
    WorldConfig config = WorldConfig.standard(SEED);
    return Renderer.render(World.scene(config, d, label, index), d.style(), config.imageSize());
  }

  /** Encoded bytes of one scene: PNG, or JPEG when {@code jpeg}. */
  public static byte[] encode(RgbImage img, boolean jpeg) {
    if (!jpeg) {
      return Png.encode(img);
    }
    BufferedImage b = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < img.height(); y++) {
      for (int x = 0; x < img.width(); x++) {
        b.setRGB(x, y, img.get(x, y, 0) << 16 | img.get(x, y, 1) << 8 | img.get(x, y, 2));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(b, "jpg", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes {@code perClass} images of each of the first {@code classes} classes under {@code root/<class>/}. */
  public static List<Item> write(Path root, String dataset, int classes, int perClass) throws IOException {
    DatasetSpec d = WorldDatasets.byName(dataset);
    List<Item> out = new ArrayList<>();
    for (int label = 0; label < classes; label++) {
      String name = d.classNames().get(label);
      Path dir = Files.createDirectories(root.resolve(name));
      for (int i = 0; i < perClass; i++) {
        boolean jpeg = (label * perClass + i) % 3 == 2;
        byte[] bytes = encode(render(dataset, label, i), jpeg);
        Path f = dir.resolve(name + "_" + i + (jpeg ? ".jpg" : ".png"));
        Files.write(f, bytes);
        out.add(new Item(f, name, label, bytes));
      }
    }
    return out;
  }
}
