package dev.cliptune.data;

import static dev.cliptune.data.MiniData.image;
import static dev.cliptune.data.MiniData.labels;
import static dev.cliptune.data.MiniData.relative;
import static dev.cliptune.data.MiniData.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SplitRebuilds#rebuild} against CoOp's {@code read_and_split_data} / {@code split_trainval} run under
 * CPython 3.11 ({@code random.seed(S)}, then the official function on the same — sorted — file lists); the
 * expected paths below were printed by that script.
 */
class RebuildSplitTest {
  @TempDir Path data;

  private void folders(Path root, String cls, String prefix, int n) {
    for (int i = 1; i <= n; i++) {
      image(root.resolve(cls).resolve(String.format("%s_%04d.jpg", prefix, i)));
    }
  }

  private void dtd() {
    Path images = data.resolve("dtd/images");
    // created in an unsorted order: the rule shuffles the sorted listing
    folders(images, "zigzagged", "zigzagged", 10);
    folders(images, "banded", "banded", 7);
    folders(images, "blotchy", "blotchy", 5);
  }

  @Test
  void dtdSeed1MatchesTheOfficialRule() {
    dtd();
    LoadedDataset ds = SplitRebuilds.rebuild("DescribableTextures", data, 1);
    assertThat(relative(ds, ds.split().train())).containsExactly("banded/banded_0004.jpg", "banded/banded_0007.jpg",
        "banded/banded_0006.jpg", "banded/banded_0003.jpg", "blotchy/blotchy_0001.jpg", "blotchy/blotchy_0002.jpg",
        "zigzagged/zigzagged_0005.jpg", "zigzagged/zigzagged_0009.jpg", "zigzagged/zigzagged_0003.jpg",
        "zigzagged/zigzagged_0007.jpg", "zigzagged/zigzagged_0006.jpg");
    assertThat(relative(ds, ds.split().val())).containsExactly("banded/banded_0001.jpg", "blotchy/blotchy_0003.jpg",
        "zigzagged/zigzagged_0010.jpg", "zigzagged/zigzagged_0001.jpg");
    assertThat(relative(ds, ds.split().test())).containsExactly("banded/banded_0005.jpg", "banded/banded_0002.jpg",
        "blotchy/blotchy_0005.jpg", "blotchy/blotchy_0004.jpg", "zigzagged/zigzagged_0008.jpg",
        "zigzagged/zigzagged_0002.jpg", "zigzagged/zigzagged_0004.jpg");
    assertThat(labels(ds.split().val())).containsExactly(0, 1, 2, 2);
    assertThat(ds.classnames()).containsExactly("banded", "blotchy", "zigzagged");
    assertThat(ds.source()).contains("seed 1").contains("not the published split");
    assertThat(ds.fewshotDir()).isEqualTo(data.resolve("dtd/split_fewshot/rebuilt-seed_1"));
    // never written as the official split file
    assertThat(data.resolve("dtd/split_zhou_DescribableTextures.json")).doesNotExist();
  }

  @Test
  void aRebuiltSplitCanBeSavedAndReopenedAsASplitFile() throws Exception {
    dtd();
    LoadedDataset ds = SplitRebuilds.rebuild("DescribableTextures", data, 1);
    Path saved = data.resolve("dtd/split_rebuilt-seed_1.json");
    SplitFiles.write(saved, ds);
    LoadedDataset reopened = DatasetOpener.open(saved.toString(), null, Map.of("image_root", "images"));
    assertThat(reopened.split()).isEqualTo(ds.split());
    assertThat(reopened.fewshotDir()).isEqualTo(data.resolve("dtd/split_fewshot/split_rebuilt-seed_1"));
    assertThat(java.nio.file.Files.readString(saved)).contains("[\"banded/banded_0004.jpg\", 0, \"banded\"]");
  }

  @Test
  void dtdSeed2ViaTheOption() {
    dtd();
    LoadedDataset ds = DatasetOpener.open("DescribableTextures", data, Map.of("rebuild_seed", "2"));
    assertThat(relative(ds, ds.split().val())).containsExactly("banded/banded_0006.jpg", "blotchy/blotchy_0004.jpg",
        "zigzagged/zigzagged_0006.jpg", "zigzagged/zigzagged_0004.jpg");
    assertThat(relative(ds, ds.split().test())).containsExactly("banded/banded_0001.jpg", "banded/banded_0007.jpg",
        "blotchy/blotchy_0005.jpg", "blotchy/blotchy_0003.jpg", "zigzagged/zigzagged_0003.jpg",
        "zigzagged/zigzagged_0001.jpg", "zigzagged/zigzagged_0010.jpg");
  }

  @Test
  void euroSatRenamesClasses() {
    Path images = data.resolve("eurosat/2750");
    folders(images, "SeaLake", "SeaLake", 6);
    folders(images, "AnnualCrop", "AnnualCrop", 5);
    folders(images, "Forest", "Forest", 4);
    LoadedDataset ds = SplitRebuilds.rebuild("EuroSAT", data, 3);
    assertThat(relative(ds, ds.split().train())).containsExactly("AnnualCrop/AnnualCrop_0001.jpg",
        "AnnualCrop/AnnualCrop_0003.jpg", "Forest/Forest_0002.jpg", "Forest/Forest_0004.jpg",
        "SeaLake/SeaLake_0005.jpg", "SeaLake/SeaLake_0006.jpg", "SeaLake/SeaLake_0001.jpg");
    assertThat(relative(ds, ds.split().val())).containsExactly("AnnualCrop/AnnualCrop_0004.jpg",
        "Forest/Forest_0003.jpg", "SeaLake/SeaLake_0002.jpg");
    assertThat(ds.split().test()).hasSize(5);
    assertThat(ds.classnames()).containsExactly("Annual Crop Land", "Forest", "Sea or Lake");
  }

  @Test
  void caltechDropsBackgroundAndFacesEasyAndRenames() {
    Path images = data.resolve("caltech-101/101_ObjectCategories");
    folders(images, "BACKGROUND_Google", "bg", 4);
    folders(images, "Faces", "image", 4);
    folders(images, "Faces_easy", "image", 4);
    folders(images, "accordion", "image", 5);
    folders(images, "airplanes", "image", 6);
    LoadedDataset ds = SplitRebuilds.rebuild("caltech101", data, 1);
    // case-sensitive sort: Faces (0) before accordion (1), airplanes (2)
    assertThat(ds.classnames()).containsExactly("face", "accordion", "airplane");
    assertThat(relative(ds, ds.split().train())).containsExactly("Faces/image_0004.jpg", "Faces/image_0001.jpg",
        "accordion/image_0004.jpg", "accordion/image_0005.jpg", "airplanes/image_0003.jpg",
        "airplanes/image_0005.jpg", "airplanes/image_0001.jpg");
    assertThat(relative(ds, ds.split().test())).containsExactly("Faces/image_0002.jpg", "accordion/image_0001.jpg",
        "accordion/image_0003.jpg", "airplanes/image_0006.jpg", "airplanes/image_0004.jpg");
  }

  @Test
  void tooSmallClassIsAnError() {
    Path images = data.resolve("food-101/images");
    folders(images, "apple_pie", "a", 5);
    folders(images, "bibimbap", "b", 2);
    assertThatThrownBy(() -> SplitRebuilds.rebuild("Food101", data, 1))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("bibimbap has 2 images").hasMessageContaining("at least one of each");
  }

  @Test
  void oxfordPetsTrainvalSplitMatchesTheOfficialRule() {
    Path dir = data.resolve("oxford_pets");
    List<String> lines = new ArrayList<>();
    int a = 0;
    int b = 0;
    for (int i = 0; i < 20; i++) {
      if ((i % 5 == 0 || i % 5 == 3) && b < 8) {
        b++;
        lines.add("american_bulldog_" + b + " 2 2 1");
        image(dir.resolve("images/american_bulldog_" + b + ".jpg"));
      } else {
        a++;
        lines.add("Abyssinian_" + a + " 1 1 1");
        image(dir.resolve("images/Abyssinian_" + a + ".jpg"));
      }
    }
    text(dir.resolve("annotations/trainval.txt"), lines.toArray(String[]::new));
    text(dir.resolve("annotations/test.txt"), "Abyssinian_100 1 1 1", "american_bulldog_100 2 2 1");
    image(dir.resolve("images/Abyssinian_100.jpg"));
    image(dir.resolve("images/american_bulldog_100.jpg"));
    LoadedDataset ds = SplitRebuilds.rebuild("OxfordPets", data, 1);
    assertThat(relative(ds, ds.split().train())).containsExactly("american_bulldog_2.jpg", "american_bulldog_6.jpg",
        "american_bulldog_8.jpg", "american_bulldog_1.jpg", "american_bulldog_5.jpg", "american_bulldog_3.jpg",
        "Abyssinian_3.jpg", "Abyssinian_5.jpg", "Abyssinian_10.jpg", "Abyssinian_1.jpg", "Abyssinian_9.jpg",
        "Abyssinian_2.jpg", "Abyssinian_4.jpg", "Abyssinian_7.jpg", "Abyssinian_11.jpg", "Abyssinian_8.jpg");
    assertThat(relative(ds, ds.split().val())).containsExactly("american_bulldog_4.jpg", "american_bulldog_7.jpg",
        "Abyssinian_12.jpg", "Abyssinian_6.jpg");
    assertThat(labels(ds.split().val())).containsExactly(1, 1, 0, 0);
    assertThat(ds.classnames()).containsExactly("abyssinian", "american_bulldog");
    assertThat(ds.split().test()).extracting(Item::classname).containsExactly("abyssinian", "american_bulldog");
  }

  @Test
  void sun397AndUcf101ComputeClassNames() {
    Path sun = data.resolve("sun397");
    text(sun.resolve("ClassName.txt"), "/a/abbey", "/b/bakery/shop");
    List<String> train = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      train.add("/a/abbey/sun_a" + i + ".jpg");
      train.add("/b/bakery/shop/sun_b" + i + ".jpg");
    }
    text(sun.resolve("Training_01.txt"), train.toArray(String[]::new));
    text(sun.resolve("Testing_01.txt"), "/b/bakery/shop/sun_t.jpg");
    train.add("/b/bakery/shop/sun_t.jpg");
    for (String t : train) {
      image(sun.resolve("SUN397" + t));
    }
    LoadedDataset s = SplitRebuilds.rebuild("SUN397", data, 1);
    assertThat(s.classnames()).containsExactly("abbey", "shop bakery");
    assertThat(s.split().train()).hasSize(8);
    assertThat(s.split().val()).hasSize(2);
    assertThat(relative(s, s.split().test())).containsExactly("b/bakery/shop/sun_t.jpg");

    Path ucf = data.resolve("ucf101");
    text(ucf.resolve("ucfTrainTestlist/classInd.txt"), "1 ApplyEyeMakeup", "2 YoYo");
    List<String> list = new ArrayList<>();
    for (int g = 1; g <= 5; g++) {
      list.add("YoYo/v_YoYo_g0" + g + "_c01.avi 2");
      list.add("ApplyEyeMakeup/v_ApplyEyeMakeup_g0" + g + "_c01.avi 1");
      image(ucf.resolve("UCF-101-midframes/Yo_Yo/v_YoYo_g0" + g + "_c01.jpg"));
      image(ucf.resolve("UCF-101-midframes/Apply_Eye_Makeup/v_ApplyEyeMakeup_g0" + g + "_c01.jpg"));
    }
    text(ucf.resolve("ucfTrainTestlist/trainlist01.txt"), list.toArray(String[]::new));
    text(ucf.resolve("ucfTrainTestlist/testlist01.txt"), "YoYo/v_YoYo_g01_c01.avi");
    LoadedDataset u = SplitRebuilds.rebuild("UCF101", data, 2);
    assertThat(u.classnames()).containsExactly("Apply_Eye_Makeup", "Yo_Yo");
    assertThat(relative(u, u.split().test())).containsExactly("Yo_Yo/v_YoYo_g01_c01.jpg");
    assertThat(labels(u.split().test())).containsExactly(1);
  }

  @Test
  void unsupportedDatasetsAreRefused() {
    assertThatThrownBy(() -> SplitRebuilds.rebuild("StanfordCars", data, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no rule to rebuild the split of StanfordCars")
        .hasMessageContaining("DescribableTextures");
    dtd();
    assertThatThrownBy(() -> DatasetOpener.open("DescribableTextures", data, Map.of("rebuild_seed", "x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rebuild_seed must be an integer");
  }
}
