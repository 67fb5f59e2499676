package dev.cliptune.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Builders of miniature CoOp {@code $DATA} trees with real (8×8) image files, for the data tests. */
final class MiniData {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MiniData() {}

  /** Writes a real 8×8 image (PNG, or JPEG for .jpg/.jpeg), creating parent folders. */
  static Path image(Path p) {
    try {
      Files.createDirectories(p.getParent());
      BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
      int h = p.getFileName().toString().hashCode();
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          img.setRGB(x, y, (h + 31 * x + 7 * y) & 0xffffff);
        }
      }
      String name = p.getFileName().toString().toLowerCase();
      String fmt = name.endsWith(".jpg") || name.endsWith(".jpeg") ? "jpg" : "png";
      if (!ImageIO.write(img, fmt, p.toFile())) {
        throw new IllegalStateException("no ImageIO writer for " + fmt);
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void text(Path p, String... lines) {
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A split triple. */
  static List<Object> t(String path, int label, String name) {
    return List.of(path, label, name);
  }

  /** Writes a split file with the given lists. */
  static void splitFile(Path file, List<List<Object>> train, List<List<Object>> val, List<List<Object>> test) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("train", train);
    if (val != null) {
      m.put("val", val);
    }
    m.put("test", test);
    try {
      Files.createDirectories(file.getParent());
      JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the images of all triples under {@code imageRoot}. */
  static void images(Path imageRoot, List<List<Object>> triples) {
    for (List<Object> t : triples) {
      image(imageRoot.resolve((String) t.get(0)));
    }
  }

  /**
   * {@code $DATA/oxford_pets}: 3 breeds (labels 0..2), per breed {@code nTrain} train, {@code nVal} val and
   * {@code nTest} test images, train items interleaved across breeds (first appearance order 2, 0, 1).
   */
  static void pets(Path data, int nTrain, int nVal, int nTest) {
    String[] breeds = {"abyssinian", "american_bulldog", "bengal"};
    String[] files = {"Abyssinian", "american_bulldog", "Bengal"};
    int[] order = {2, 0, 1};
    List<List<Object>> train = new ArrayList<>();
    List<List<Object>> val = new ArrayList<>();
    List<List<Object>> test = new ArrayList<>();
    int n = 1;
    for (int i = 0; i < nTrain; i++) {
      for (int b : order) {
        train.add(t(files[b] + "_" + n++ + ".jpg", b, breeds[b]));
      }
    }
    for (int b = 0; b < 3; b++) {
      for (int i = 0; i < nVal; i++) {
        val.add(t(files[b] + "_" + n++ + ".jpg", b, breeds[b]));
      }
      for (int i = 0; i < nTest; i++) {
        test.add(t(files[b] + "_" + n++ + ".jpg", b, breeds[b]));
      }
    }
    Path dir = data.resolve("oxford_pets");
    splitFile(dir.resolve("split_zhou_OxfordPets.json"), train, val, test);
    for (List<List<Object>> l : List.of(train, val, test)) {
      images(dir.resolve("images"), l);
    }
  }

  static List<String> paths(List<Item> items) {
    return items.stream().map(Item::impath).toList();
  }

  static List<Integer> labels(List<Item> items) {
    return items.stream().map(Item::label).toList();
  }

  static List<String> relative(LoadedDataset ds, List<Item> items) {
    return items.stream().map(ds::relativePath).toList();
  }
}
