package dev.cliptune.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Writes a miniature CoOp {@code $DATA} tree with real PNG files: DTD's layout and split file. */
final class MiniCoopData {
  private MiniCoopData() {}

  static final List<String> CLASSES = List.of("banded", "dotted", "striped_red", "chequered", "grid_blue", "plain_green");

  /** {@code data/dtd/images/<class>/<i>.png} and {@code data/dtd/split_zhou_DescribableTextures.json}. */
  static Path dtd(Path data, int train, int val, int test) throws IOException {
    Path root = data.resolve("dtd");
    Path images = root.resolve("images");
    Map<String, List<List<Object>>> split = new LinkedHashMap<>();
    split.put("train", new ArrayList<>());
    split.put("val", new ArrayList<>());
    split.put("test", new ArrayList<>());
    int[] counts = {train, val, test};
    String[] parts = {"train", "val", "test"};
    for (int c = 0; c < CLASSES.size(); c++) {
      String name = CLASSES.get(c);
      Files.createDirectories(images.resolve(name));
      int k = 0;
      for (int p = 0; p < 3; p++) {
        for (int i = 0; i < counts[p]; i++, k++) {
          String rel = name + "/" + k + ".png";
          write(images.resolve(rel), c, k);
          split.get(parts[p]).add(List.of(rel, c, name));
        }
      }
    }
    new ObjectMapper().writeValue(root.resolve("split_zhou_DescribableTextures.json").toFile(), split);
    return root;
  }

  private static void write(Path p, int c, int k) throws IOException {
    BufferedImage img = new BufferedImage(36 + k % 5, 34, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    Color[] cs = {Color.ORANGE, Color.MAGENTA, Color.RED, Color.BLACK, Color.BLUE, Color.GREEN};
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(cs[c]);
    for (int x = k % 3; x < img.getWidth(); x += 4 + c) {
      g.fillRect(x, 0, 2, img.getHeight());
    }
    g.dispose();
    ImageIO.write(img, "png", p.toFile());
  }
}
