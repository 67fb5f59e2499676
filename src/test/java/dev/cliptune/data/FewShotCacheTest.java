package dev.cliptune.data;

import static dev.cliptune.data.MiniData.image;
import static dev.cliptune.data.MiniData.paths;
import static dev.cliptune.data.MiniData.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Few-shot subsets cached under {@code split_fewshot/}, and a run's {@code split.json}. */
class FewShotCacheTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path data;
  private LoadedDataset pets;
  private Path cache;

  @BeforeEach
  void setUp() {
    MiniData.pets(data, 6, 5, 2); // 18 train, 15 val, 6 test
    pets = DatasetOpener.open("OxfordPets", data, null);
    cache = data.resolve("oxford_pets/split_fewshot/shot_2-seed_1.json");
  }

  @Test
  void firstRunWritesTheCacheSecondRunReadsItAndBothEqualFewShotPrepare() throws Exception {
    assertThat(cache).doesNotExist();
    RunData first = FewShotCache.prepare(pets, 1, 2, "all");
    Split expected = FewShot.prepare(pets.split(), 1, 2, "all");
    assertThat(first.split()).isEqualTo(expected);
    assertThat(first.fromCache()).isFalse();
    assertThat(first.fewshotFile()).isEqualTo(cache);
    assertThat(cache).isRegularFile();
    assertThat(first.split().train()).hasSize(6);
    assertThat(first.split().val()).hasSize(6);
    assertThat(first.split().test()).hasSize(6);

    // the file holds split-file triples relative to the image root, in sampled order
    JsonNode j = JSON.readTree(cache.toFile());
    assertThat(j.get("num_shots").asInt()).isEqualTo(2);
    assertThat(j.get("seed").asInt()).isEqualTo(1);
    List<String> cachedTrain = new ArrayList<>();
    for (JsonNode e : j.get("train")) {
      cachedTrain.add(e.get(0).asText() + "|" + e.get(1).asInt() + "|" + e.get(2).asText());
    }
    assertThat(cachedTrain).containsExactlyElementsOf(first.split().train().stream()
        .map(i -> pets.relativePath(i) + "|" + i.label() + "|" + i.classname()).toList());
    assertThat(cachedTrain.get(0)).doesNotContain("/"); // relative

    RunData second = FewShotCache.prepare(pets, 1, 2, "all");
    assertThat(second.fromCache()).isTrue();
    assertThat(second.split()).isEqualTo(first.split());
    // base/new of the same seed share the cached images
    RunData base = FewShotCache.prepare(pets, 1, 2, "base");
    assertThat(base.split()).isEqualTo(FewShot.prepare(pets.split(), 1, 2, "base"));
    assertThat(base.classnames()).containsExactly("abyssinian", "american_bulldog");
  }

  @Test
  void theCacheIsReallyRead() throws Exception {
    FewShotCache.prepare(pets, 1, 2, "all");
    // replace the cached subset by another valid one: the next run must use it
    Item a = pets.split().train().get(1);
    Item b = pets.split().train().get(4);
    Item v = pets.split().val().get(0);
    text(cache, "{\"train\": [[\"" + pets.relativePath(a) + "\", " + a.label() + ", \"" + a.classname() + "\"], [\""
        + pets.relativePath(b) + "\", " + b.label() + ", \"" + b.classname() + "\"]],"
        + " \"val\": [[\"" + pets.relativePath(v) + "\", " + v.label() + ", \"" + v.classname() + "\"]]}");
    FewShotCache.Shots s = FewShotCache.sampleShots(pets, 1, 2);
    assertThat(s.fromCache()).isTrue();
    assertThat(s.split().train()).containsExactly(a, b);
    assertThat(s.split().val()).containsExactly(v);
    assertThat(s.split().test()).isEqualTo(pets.split().test());
  }

  @Test
  void invalidCachesAreErrorsNotSilentlyRebuilt() throws Exception {
    Files.createDirectories(cache.getParent());
    text(cache, "{\"train\": [[\"Bengal_1.jpg\", 2, \"bengal\"]");
    assertThatThrownBy(() -> FewShotCache.sampleShots(pets, 1, 2))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(cache + " is not valid JSON").hasMessageContaining("delete it to sample again");
    assertThat(Files.readString(cache)).startsWith("{\"train\": [[\"Bengal_1.jpg\", 2"); // untouched

    text(cache, "{\"train\": [[\"Bengal_999.jpg\", 2, \"bengal\"]], \"val\": []}");
    assertThatThrownBy(() -> FewShotCache.sampleShots(pets, 1, 2))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("train[0] Bengal_999.jpg is not in the dataset's train list");

    text(cache, "{\"train\": [[\"Bengal_1.jpg\", 1, \"bengal\"]], \"val\": []}");
    assertThatThrownBy(() -> FewShotCache.sampleShots(pets, 1, 2))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("has label 1 'bengal' but the dataset says 2 'bengal'");

    text(cache, "{\"train\": [[\"Bengal_1.jpg\", 2, \"bengal\"], [\"Bengal_4.jpg\", 2, \"bengal\"],"
        + " [\"Bengal_7.jpg\", 2, \"bengal\"]], \"val\": []}");
    assertThatThrownBy(() -> FewShotCache.sampleShots(pets, 1, 2))
        .isInstanceOf(DatasetException.class).hasMessageContaining("more than 2 items of label 2");

    text(cache, "{\"train\": [[\"Bengal_1.jpg\", 2, \"bengal\"], [\"Bengal_1.jpg\", 2, \"bengal\"]], \"val\": []}");
    assertThatThrownBy(() -> FewShotCache.sampleShots(pets, 1, 2))
        .isInstanceOf(DatasetException.class).hasMessageContaining("appears twice");

    text(cache, "{\"train\": [], \"val\": [], \"num_shots\": 4}");
    assertThatThrownBy(() -> FewShotCache.sampleShots(pets, 1, 2))
        .isInstanceOf(DatasetException.class).hasMessageContaining("\"num_shots\" is 4 but the file name says 2");

    text(cache, "{\"train\": []}");
    assertThatThrownBy(() -> FewShotCache.sampleShots(pets, 1, 2))
        .isInstanceOf(DatasetException.class).hasMessageContaining("has no \"val\" list");
  }

  @Test
  void noSamplingNoCacheAndUnwritableCacheOnlyWarns() throws Exception {
    RunData all = FewShotCache.prepare(pets, 1, -1, "all");
    assertThat(all.split()).isEqualTo(pets.split());
    assertThat(all.fewshotFile()).isNull();
    assertThat(data.resolve("oxford_pets/split_fewshot")).doesNotExist();

    // fewshot_dir=none: sampled, not cached
    LoadedDataset noCache = DatasetOpener.open("OxfordPets", data, Map.of("fewshot_dir", "none"));
    RunData r = FewShotCache.prepare(noCache, 2, 1, "all");
    assertThat(r.split()).isEqualTo(FewShot.prepare(pets.split(), 2, 1, "all"));
    assertThat(r.fewshotFile()).isNull();

    // a cache folder that cannot be created (a file is in the way): warning, run continues
    Path blocker = data.resolve("blocker");
    Files.writeString(blocker, "x");
    LoadedDataset blocked = DatasetOpener.open("OxfordPets", data, Map.of("fewshot_dir", blocker.resolve("sub").toString()));
    RunData b = FewShotCache.prepare(blocked, 3, 2, "new");
    assertThat(b.split()).isEqualTo(FewShot.prepare(pets.split(), 3, 2, "new"));
    assertThat(b.fromCache()).isFalse();

    assertThatThrownBy(() -> FewShotCache.prepare(pets, -1, 2, "all"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seed >= 0");
  }

  @Test
  void imageNetSamplesTrainOnlyAndKeepsValAsTest() throws Exception {
    Path dir = data.resolve("imagenet");
    text(dir.resolve("classnames.txt"), "n01 tench", "n02 goldfish");
    for (String w : List.of("n01", "n02")) {
      for (int i = 0; i < 5; i++) {
        image(dir.resolve("images/train/" + w + "/" + w + "_" + i + ".JPEG"));
      }
      image(dir.resolve("images/val/" + w + "/val_" + w + ".JPEG"));
    }
    LoadedDataset in = DatasetOpener.open("ImageNet", data, null);
    RunData r = FewShotCache.prepare(in, 1, 2, "all");
    PyRandom rng = new PyRandom(1);
    assertThat(r.split().train()).isEqualTo(FewShot.fewshot(in.split().train(), 2, rng));
    assertThat(r.split().val()).isEqualTo(in.split().test());
    JsonNode j = JSON.readTree(in.fewshotDir().resolve("shot_2-seed_1.json").toFile());
    assertThat(j.has("val")).isFalse();
    assertThat(j.get("train").get(0).get(0).asText()).startsWith("train/n01/");
    RunData again = FewShotCache.prepare(in, 1, 2, "base");
    assertThat(again.fromCache()).isTrue();
    assertThat(again.split().train()).isEqualTo(r.split().train().subList(0, 2));
    assertThat(again.split().test()).hasSize(1);
    assertThat(RunSplitFile.toJson(again)).contains("\"val_is_test\": true").contains("\"val\": []");
  }

  @Test
  void runSplitFileRecordsTheItemsTrainedAndValidatedOn() throws Exception {
    RunData run = FewShotCache.prepare(pets, 2, 2, "new");
    Path out = data.resolve("output/run1/split.json");
    RunSplitFile.write(out, run);
    JsonNode j = JSON.readTree(out.toFile());
    assertThat(j.get("dataset").asText()).isEqualTo("OxfordPets");
    assertThat(j.get("seed").asLong()).isEqualTo(2);
    assertThat(j.get("num_shots").asInt()).isEqualTo(2);
    assertThat(j.get("subsample").asText()).isEqualTo("new");
    assertThat(j.get("fewshot_cache").asText()).endsWith("split_fewshot/shot_2-seed_2.json");
    assertThat(j.get("fewshot_from_cache").asBoolean()).isFalse();
    assertThat(j.get("image_root").asText()).isEqualTo(pets.imageRoot().toString());
    assertThat(j.get("classnames")).hasSize(1);
    assertThat(j.get("classnames").get(0).asText()).isEqualTo("bengal");
    assertThat(j.get("test_count").asInt()).isEqualTo(2); // Bengal test images only
    assertThat(j.get("train_count").asInt()).isEqualTo(2);
    List<String> train = new ArrayList<>();
    for (JsonNode e : j.get("train")) {
      assertThat(e).hasSize(3);
      assertThat(e.get(1).asInt()).isZero(); // relabelled: bengal is label 0 of the new half
      assertThat(e.get(2).asText()).isEqualTo("bengal");
      train.add(pets.imageRoot().resolve(e.get(0).asText()).toString());
    }
    assertThat(train).containsExactlyElementsOf(paths(run.split().train()));
    assertThat(j.get("val")).hasSize(2);
    // written atomically: no temporary file left beside it
    assertThat(Files.list(out.getParent()).map(p -> p.getFileName().toString())).containsExactly("split.json");
  }
}
