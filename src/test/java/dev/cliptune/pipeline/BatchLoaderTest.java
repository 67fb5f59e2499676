package dev.cliptune.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.image.ImageDecodeException;
import dev.cliptune.data.Item;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dassl's sampler semantics, determinism across threads, corrupt images. */
class BatchLoaderTest {

  static List<Item> images(Path dir, int n) throws IOException {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      BufferedImage img = new BufferedImage(20 + i, 16, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 20 + i; x++) {
          img.setRGB(x, y, (x * 12 + i * 40) << 16 | (y * 15) << 8 | (i * 17));
        }
      }
      Path p = dir.resolve("img" + i + ".png");
      ImageIO.write(img, "png", p.toFile());
      items.add(new Item(p.toString(), i % 3, "c" + (i % 3)));
    }
    return items;
  }

  @Test
  void dropLastOnlyWhenTheSetHoldsABatch() {
    assertThat(BatchLoader.iterationsPerEpoch(10, 4)).isEqualTo(2);
    assertThat(BatchLoader.iterationsPerEpoch(3, 4)).isEqualTo(1);
    assertThat(BatchLoader.iterationsPerEpoch(8, 4)).isEqualTo(2);
  }

  @Test
  void sameSeedSameBatchesWhateverTheThreadCount(@TempDir Path dir) throws IOException {
    List<Item> items = images(dir, 7);
    TrainTransform t = new TrainTransform(ClipPreprocessor.openAi(16));
    List<float[]> a = new ArrayList<>();
    List<float[]> b = new ArrayList<>();
    try (BatchLoader one = BatchLoader.train(items, 3, t, new DecodedImages(0), 5, 2, 1, false);
        BatchLoader two = BatchLoader.train(items, 3, t, new DecodedImages(1 << 20), 5, 2, 2, false)) {
      one.forEachRemaining(x -> a.add(x.pixels()));
      two.forEachRemaining(x -> b.add(x.pixels()));
    }
    assertThat(a).hasSize(2);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i)).containsExactly(b.get(i));
    }
    // another epoch draws another permutation/crops
    try (BatchLoader other = BatchLoader.train(items, 3, t, new DecodedImages(0), 5, 3, 1, false)) {
      assertThat(other.next().pixels()).isNotEqualTo(a.get(0));
    }
  }

  @Test
  void corruptImagesFailWithTheirNameOrAreSkippedAndCounted(@TempDir Path dir) throws IOException {
    List<Item> items = new ArrayList<>(images(dir, 3));
    Path bad = dir.resolve("broken.png");
    Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    items.add(new Item(bad.toString(), 0, "c0"));
    ClipPreprocessor pre = ClipPreprocessor.openAi(16);
    try (BatchLoader l = BatchLoader.test(items, 10, pre, new DecodedImages(0), 1, false)) {
      assertThatThrownBy(l::next).isInstanceOf(ImageDecodeException.class).hasMessageContaining("broken.png");
    }
    try (BatchLoader l = BatchLoader.test(items, 10, pre, new DecodedImages(0), 1, true)) {
      BatchLoader.Batch batch = l.next();
      assertThat(batch.size()).isEqualTo(3);
      assertThat(batch.skipped()).isEqualTo(1);
    }
  }
}
