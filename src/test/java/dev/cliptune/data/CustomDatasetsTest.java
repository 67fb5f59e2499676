package dev.cliptune.data;

import static dev.cliptune.data.MiniData.image;
import static dev.cliptune.data.MiniData.images;
import static dev.cliptune.data.MiniData.labels;
import static dev.cliptune.data.MiniData.relative;
import static dev.cliptune.data.MiniData.splitFile;
import static dev.cliptune.data.MiniData.t;
import static dev.cliptune.data.MiniData.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Custom datasets: a folder of class folders (ratio split or train/val/test sub-folders) and split files. */
class CustomDatasetsTest {
  @TempDir Path data;

  private Path shapes() {
    Path root = data.resolve("my_shapes");
    for (int i = 1; i <= 5; i++) {
      image(root.resolve("Circle/c" + i + ".png"));
    }
    for (int i = 1; i <= 4; i++) {
      image(root.resolve("square/s" + i + ".JPG"));
    }
    for (int i = 1; i <= 6; i++) {
      image(root.resolve("Triangle/t" + i + ".jpeg"));
    }
    text(root.resolve("square/notes.txt"), "not an image");
    text(root.resolve("Circle/.DS_Store"), "hidden");
    text(root.resolve("README.md"), "a file at the top is not a class");
    image(root.resolve(".hidden_class/x.png"));
    return root;
  }

  @Test
  void folderOfClassFoldersIsSplitByRatioDeterministically() throws Exception {
    Path root = shapes();
    Files.createDirectories(root.resolve("split_fewshot")); // the cache folder is not a class
    LoadedDataset ds = DatasetOpener.open(root.toString(), null, null);
    assertThat(ds.name()).isEqualTo("my_shapes");
    assertThat(ds.classnames()).containsExactly("Circle", "Triangle", "square"); // code-point order
    // per class round(n*0.5) / round(n*0.2) / rest: Circle 5 -> 2/1/2, Triangle 6 -> 3/1/2, square 4 -> 2/1/1
    assertThat(labels(ds.split().train())).containsExactly(0, 0, 1, 1, 1, 2, 2);
    assertThat(labels(ds.split().val())).containsExactly(0, 1, 2);
    assertThat(labels(ds.split().test())).containsExactly(0, 0, 1, 1, 2);
    assertThat(ds.split().train().stream().filter(i -> i.impath().endsWith(".txt"))).isEmpty();
    assertThat(ds.source()).contains("0.5/0.2/0.3").contains("seed 1");
    assertThat(ds.fewshotDir()).isEqualTo(root.resolve("split_fewshot/ratio_0.5_0.2-seed_1"));
    // same call, same split
    LoadedDataset again = DatasetOpener.open(root.toString(), null, Map.of());
    assertThat(again.split()).isEqualTo(ds.split());
    // the seed changes the draw, the ratio the sizes
    LoadedDataset other = DatasetOpener.open(root.toString(), null, Map.of("split_seed", "7", "split_ratio", "0.6,0.2"));
    assertThat(other.split().train()).hasSize(3 + 4 + 2);
    assertThat(other.fewshotDir()).isEqualTo(root.resolve("split_fewshot/ratio_0.6_0.2-seed_7"));
    LoadedDataset seed2 = DatasetOpener.open(root.toString(), null, Map.of("split_seed", "2"));
    assertThat(seed2.split().train()).hasSize(7).isNotEqualTo(ds.split().train());
    // every image exactly once
    assertThat(ds.split().train().size() + ds.split().val().size() + ds.split().test().size()).isEqualTo(15);
  }

  @Test
  void ratioSplitErrors() {
    Path root = shapes();
    assertThatThrownBy(() -> DatasetOpener.open(root.toString(), null, Map.of("split_ratio", "0.9,0.2")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("train + val < 1");
    image(root.resolve("hexagon/h1.png"));
    assertThatThrownBy(() -> DatasetOpener.open(root.toString(), null, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("hexagon has 1 image:")
        .hasMessageContaining("at least one train and one test image");
  }

  @Test
  void trainValTestSubfolders() {
    Path root = data.resolve("pets_custom");
    image(root.resolve("train/dog/d1.png"));
    image(root.resolve("train/dog/d2.png"));
    image(root.resolve("train/cat/c1.png"));
    image(root.resolve("val/cat/c2.png"));
    image(root.resolve("test/dog/d3.png"));
    image(root.resolve("test/cat/c3.png"));
    LoadedDataset ds = DatasetOpener.open(root.toString(), null, null);
    assertThat(ds.classnames()).containsExactly("cat", "dog");
    assertThat(relative(ds, ds.split().train())).containsExactly("train/cat/c1.png", "train/dog/d1.png",
        "train/dog/d2.png");
    assertThat(labels(ds.split().train())).containsExactly(0, 1, 1);
    assertThat(relative(ds, ds.split().val())).containsExactly("val/cat/c2.png");
    assertThat(labels(ds.split().test())).containsExactly(0, 1);
    assertThat(ds.fewshotDir()).isEqualTo(root.resolve("split_fewshot"));
    assertThatThrownBy(() -> DatasetOpener.open(root.toString(), null, Map.of("split_seed", "3")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not apply");

    image(root.resolve("test/bird/b1.png"));
    assertThatThrownBy(() -> DatasetOpener.open(root.toString(), null, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("bird is a class that").hasMessageContaining("does not have");
  }

  @Test
  void subfoldersNeedTrainAndTest() {
    Path root = data.resolve("half");
    image(root.resolve("test/cat/c.png"));
    assertThatThrownBy(() -> DatasetOpener.open(root.toString(), null, null))
        .isInstanceOf(DatasetException.class).hasMessageContaining("has test/ but no train/");
    image(root.resolve("train/cat/c.png"));
    try {
      Files.walk(root.resolve("test")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThatThrownBy(() -> DatasetOpener.open(root.toString(), null, null))
        .isInstanceOf(DatasetException.class).hasMessageContaining("test") .hasMessageContaining("not found");
  }

  @Test
  void classnamesTxtNamesTheFolders() {
    Path root = data.resolve("wnids");
    image(root.resolve("train/n02/a.png"));
    image(root.resolve("train/n01/a.png"));
    image(root.resolve("test/n01/b.png"));
    text(root.resolve("classnames.txt"), "n01 great white shark", "n02 tench");
    LoadedDataset ds = DatasetOpener.open(root.toString(), null, null);
    assertThat(ds.classnames()).containsExactly("great white shark", "tench");
    text(root.resolve("classnames.txt"), "n01 great white shark");
    assertThatThrownBy(() -> DatasetOpener.open(root.toString(), null, null))
        .isInstanceOf(DatasetException.class).hasMessageContaining("does not name 1 class folders").hasMessageContaining("n02");
  }

  @Test
  void customSplitFileWithImageRoot() {
    Path pics = data.resolve("pictures");
    List<List<Object>> train = List.of(t("a/1.png", 0, "apple"), t("b/1.png", 1, "banana"), t("a/2.png", 0, "apple"));
    List<List<Object>> test = List.of(t("b/2.png", 1, "banana"));
    images(pics, train);
    images(pics, test);
    Path file = data.resolve("lists/fruit.json");
    splitFile(file, train, null, test); // no "val": allowed for custom files
    LoadedDataset ds = DatasetOpener.open(file.toString(), null, Map.of("image_root", "../pictures"));
    assertThat(ds.name()).isEqualTo("fruit");
    assertThat(ds.imageRoot()).isEqualTo(pics);
    assertThat(ds.split().train().get(1).impath()).isEqualTo(pics.resolve("b/1.png").toString());
    assertThat(ds.split().val()).isEmpty();
    assertThat(ds.classnames()).containsExactly("apple", "banana");
    assertThat(ds.fewshotDir()).isEqualTo(data.resolve("lists/split_fewshot/fruit"));
    // default image root: the file's folder, where the images are not
    assertThatThrownBy(() -> DatasetOpener.open(file.toString(), null, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("none of the 4 images listed in " + file)
        .hasMessageContaining("under " + data.resolve("lists"))
        .hasMessageContaining("option image_root");
  }

  @Test
  void officialSplitFileOpenedAsAPathUsesTheOfficialImageRoot() {
    MiniData.pets(data, 2, 1, 1);
    LoadedDataset ds = DatasetOpener.open(data.resolve("oxford_pets/split_zhou_OxfordPets.json").toString(), null, null);
    assertThat(ds.name()).isEqualTo("OxfordPets");
    assertThat(ds.imageRoot()).isEqualTo(data.resolve("oxford_pets/images"));
    assertThat(ds.fewshotDir()).isEqualTo(data.resolve("oxford_pets/split_fewshot"));
    assertThat(ds.split()).isEqualTo(DatasetOpener.open("OxfordPets", data, null).split());
  }

  @Test
  void pathsAreTriedAsGivenThenUnderTheDataRoot() {
    shapes();
    LoadedDataset ds = DatasetOpener.open("my_shapes", data, null);
    assertThat(ds.datasetDir()).isEqualTo(data.resolve("my_shapes"));
    // an official name wins over a folder of that name; written as a path it is the folder
    for (int i = 1; i <= 4; i++) {
      image(data.resolve("EuroSAT/River/r" + i + ".png"));
    }
    assertThatThrownBy(() -> DatasetOpener.open("EuroSAT", data, null))
        .isInstanceOf(DatasetException.class).hasMessageContaining(data.resolve("eurosat") + " not found");
    assertThat(DatasetOpener.open("./EuroSAT", data, null).classnames()).containsExactly("River");
    assertThatThrownBy(() -> DatasetOpener.open("nothing_here", data, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an official dataset")
        .hasMessageContaining(data.resolve("nothing_here").toString());
    text(data.resolve("list.txt"), "x");
    assertThatThrownBy(() -> DatasetOpener.open("list.txt", data, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a .json split file");
  }
}
