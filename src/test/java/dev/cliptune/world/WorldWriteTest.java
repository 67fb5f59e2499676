package dev.cliptune.world;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.clip.image.ImageDecoder;
import dev.cliptune.clip.image.RgbImage;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small world on disk: CoOp layout, valid split files, world.json, byte-identical rewrites. */
class WorldWriteTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Every standard dataset with 2 train, 1 val, 1 test image per class. */
  private static final WorldConfig SMALL = WorldConfig.standard(42).withCounts(2, 1, 1);

  @TempDir static Path root;
  static Path first;
  static World.Summary summary;

  @BeforeAll
  static void writeOnce() throws IOException {
    first = root.resolve("a");
    summary = World.write(first, SMALL);
  }

  @Test
  void splitFilesAreValidAndMatchTheImagesOnDisk() throws IOException {
    JsonNode manifest = JSON.readTree(first.resolve("world.json").toFile());
    assertThat(manifest.get("datasets")).hasSize(SMALL.datasets().size());
    for (JsonNode d : manifest.get("datasets")) {
      String name = d.get("name").asText();
      DatasetSpec spec = SMALL.datasets().stream().filter(s -> s.name().equals(name))
          .findFirst().orElseThrow();
      List<String> classes = new ArrayList<>();
      d.get("classes").forEach(c -> classes.add(c.asText()));
      assertThat(classes).isEqualTo(spec.classNames());
      Path folder = first.resolve(d.get("folder").asText());
      Path images = folder.resolve(d.get("imageRoot").asText());
      JsonNode split = JSON.readTree(folder.resolve(d.get("splitFile").asText()).toFile());
      assertThat(d.get("splitFile").asText()).isEqualTo("split_zhou_" + name + ".json");
      int n = classes.size();
      Map<String, Integer> sizes = new HashMap<>();
      for (String key : List.of("train", "val", "test")) {
        assertThat(split.get(key).isArray()).as(name + " " + key).isTrue();
        sizes.put(key, split.get(key).size());
        int[] perLabel = new int[n];
        for (JsonNode triple : split.get(key)) {
          assertThat(triple).hasSize(3);
          String path = triple.get(0).asText();
          int label = triple.get(1).asInt();
          assertThat(triple.get(1).isInt()).isTrue();
          assertThat(label).isBetween(0, n - 1);
          assertThat(triple.get(2).asText()).as(name + " label " + label)
              .isEqualTo(classes.get(label));
          assertThat(path).startsWith(classes.get(label) + "/").endsWith(".png");
          Path file = images.resolve(path);
          assertThat(file).isRegularFile();
          perLabel[label]++;
        }
        if (key.equals("train") || key.equals("test")) {
          for (int label = 0; label < n; label++) {
            assertThat(perLabel[label]).as(name + " " + key + " label " + label).isPositive();
          }
        }
      }
      if (spec.trainIsTest()) {
        assertThat(split.get("train")).isEqualTo(split.get("test"));
        assertThat(sizes.get("val")).isZero();
        assertThat(d.get("domainOf").asText()).isEqualTo("Source");
      } else {
        assertThat(sizes.get("train")).isEqualTo(2 * n);
        assertThat(sizes.get("val")).isEqualTo(n);
        assertThat(sizes.get("test")).isEqualTo(n);
      }
      // one image per dataset decodes to the configured size and is the scene of its class
      JsonNode t = split.get("test").get(0);
      RgbImage img = ImageDecoder.decode(images.resolve(t.get(0).asText()));
      assertThat(img.width()).isEqualTo(SMALL.imageSize());
      int index = Integer.parseInt(t.get(0).asText().replaceAll(".*_(\\d+)\\.png", "$1"));
      Scene scene = World.scene(SMALL, spec, t.get(1).asInt(), index);
      assertThat(img).isEqualTo(Renderer.render(scene, spec.style(), SMALL.imageSize()));
      assertThat(spec.classes().get(t.get(1).asInt()).matches(scene)).isTrue();
    }
    assertThat(manifest.get("tokenizer").get("vocabSize").asInt()).isEqualTo(summary.vocabSize());
  }

  @Test
  void tokenizerFilesAreWrittenBesideTheDatasets() {
    ClipTokenizer tok = ClipTokenizer.fromDirectory(first.resolve("tokenizer"));
    for (DatasetSpec d : SMALL.datasets()) {
      for (String c : d.classNames()) {
        assertThat(tok.encode(d.prompt(c))).hasSize(Vocabulary.pieces(d.prompt(c)).size());
      }
    }
    assertThat(summary.contextLength()).isBetween(5, 20);
  }

  @Test
  void sameSeedGivesIdenticalBytesAndAnotherSeedDoesNot() throws IOException {
    Path second = root.resolve("b");
    World.write(second, SMALL);
    Map<String, byte[]> a = tree(first);
    Map<String, byte[]> b = tree(second);
    assertThat(b.keySet()).isEqualTo(a.keySet());
    for (String k : a.keySet()) {
      assertThat(b.get(k)).as(k).isEqualTo(a.get(k));
    }
    assertThat(a.keySet()).noneMatch(k -> k.endsWith(".tmp"));

    Path third = root.resolve("c");
    World.write(third, new WorldConfig(43, SMALL.imageSize(), SMALL.datasets()));
    Map<String, byte[]> c = tree(third);
    long differing = a.keySet().stream().filter(k -> k.endsWith(".png"))
        .filter(k -> !java.util.Arrays.equals(a.get(k), c.get(k))).count();
    assertThat(differing).isGreaterThan(a.size() * 9 / 10 - 10);
  }

  @Test
  void summaryCountsWhatWasWritten() throws IOException {
    long pngs;
    try (Stream<Path> s = Files.walk(first)) {
      pngs = s.filter(p -> p.toString().endsWith(".png")).count();
    }
    assertThat(summary.images()).isEqualTo((int) pngs);
    assertThat(summary.bytes()).isPositive();
  }

  private static Map<String, byte[]> tree(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }
}
