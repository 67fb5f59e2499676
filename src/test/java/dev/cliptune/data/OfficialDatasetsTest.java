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

/** The official {@code $DATA} layouts on miniature trees with real image files. */
class OfficialDatasetsTest {
  @TempDir Path data;

  // ------------------------------------------------------------------ registry

  @Test
  void registryFindsOfficialNamesIgnoringCaseAndListsThemOnError() {
    assertThat(OfficialDataset.byName("oxfordpets")).isEqualTo(OfficialDataset.OXFORD_PETS);
    assertThat(OfficialDataset.byName("IMAGENETV2")).isEqualTo(OfficialDataset.IMAGENET_V2);
    assertThat(OfficialDataset.byName(" DescribableTextures ")).isEqualTo(OfficialDataset.DESCRIBABLE_TEXTURES);
    assertThat(OfficialDataset.names()).hasSize(15).contains("OxfordPets", "Caltech101", "StanfordCars",
        "OxfordFlowers", "Food101", "FGVCAircraft", "SUN397", "DescribableTextures", "EuroSAT", "UCF101",
        "ImageNet", "ImageNetV2", "ImageNetSketch", "ImageNetA", "ImageNetR");
    assertThatThrownBy(() -> OfficialDataset.byName("Pets"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown dataset 'Pets'")
        .hasMessageContaining("OxfordPets, ").hasMessageContaining("ImageNetR");
    assertThatThrownBy(() -> DatasetOpener.open("Flowers", data, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an official dataset").hasMessageContaining("OxfordFlowers");
  }

  @Test
  void splitFileNamesAndFolders() {
    assertThat(OfficialDataset.OXFORD_PETS.splitFileName()).isEqualTo("split_zhou_OxfordPets.json");
    assertThat(OfficialDataset.DESCRIBABLE_TEXTURES.splitFileName()).isEqualTo("split_zhou_DescribableTextures.json");
    assertThat(OfficialDataset.FGVC_AIRCRAFT.splitFileName()).isNull();
    assertThat(OfficialDataset.IMAGENET_A.folder()).isEqualTo("imagenet-adversarial");
    assertThat(OfficialDataset.FOOD101.folder()).isEqualTo("food-101");
  }

  // ------------------------------------------------------------------ split-file datasets

  @Test
  void oxfordPetsSplitFileIsReadAndResolved() {
    MiniData.pets(data, 4, 2, 3);
    LoadedDataset ds = DatasetOpener.open("OxfordPets", data, Map.of());
    Path images = data.resolve("oxford_pets/images").toAbsolutePath();
    assertThat(ds.name()).isEqualTo("OxfordPets");
    assertThat(ds.kind()).isEqualTo(LoadedDataset.Kind.STANDARD);
    assertThat(ds.imageRoot()).isEqualTo(images);
    assertThat(ds.fewshotDir()).isEqualTo(data.resolve("oxford_pets/split_fewshot").toAbsolutePath());
    assertThat(ds.split().train()).hasSize(12);
    assertThat(ds.split().val()).hasSize(6);
    assertThat(ds.split().test()).hasSize(9);
    // file order kept: first appearance 2, 0, 1
    assertThat(labels(ds.split().train()).subList(0, 6)).containsExactly(2, 0, 1, 2, 0, 1);
    Item first = ds.split().train().get(0);
    assertThat(first.impath()).isEqualTo(images.resolve("Bengal_1.jpg").toString());
    assertThat(Files.isRegularFile(Path.of(first.impath()))).isTrue();
    assertThat(first.classname()).isEqualTo("bengal");
    assertThat(ds.relativePath(first)).isEqualTo("Bengal_1.jpg");
    assertThat(ds.classnames()).containsExactly("abyssinian", "american_bulldog", "bengal");
    assertThat(ds.source()).contains("split_zhou_OxfordPets.json");
  }

  @Test
  void missingSplitFileSaysWhereToGetItAndWhatItHolds() throws Exception {
    Files.createDirectories(data.resolve("oxford_pets/images"));
    assertThatThrownBy(() -> DatasetOpener.open("OxfordPets", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(data.resolve("oxford_pets/split_zhou_OxfordPets.json") + " not found")
        .hasMessageContaining("OxfordPets section of CoOp's DATASETS.md")
        .hasMessageContaining("\"train\", \"val\" and \"test\" lists of [relative image path, label, class name]")
        .hasMessageContaining("rebuild_seed");
    // nothing was generated behind the user's back
    assertThat(data.resolve("oxford_pets/split_zhou_OxfordPets.json")).doesNotExist();
  }

  @Test
  void missingDatasetFolderAndDataRootAreNamed() {
    assertThatThrownBy(() -> DatasetOpener.open("EuroSAT", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(data.resolve("eurosat") + " not found")
        .hasMessageContaining("2750/")
        .hasMessageContaining("split_zhou_EuroSAT.json");
    assertThatThrownBy(() -> DatasetOpener.open("EuroSAT", data.resolve("nope"), null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("data root " + data.resolve("nope") + " not found");
    assertThatThrownBy(() -> DatasetOpener.open("EuroSAT", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no data root");
  }

  @Test
  void missingImagesAreCountedAndTheFirstOnesNamed() throws Exception {
    MiniData.pets(data, 4, 2, 3);
    Path images = data.resolve("oxford_pets/images");
    for (String f : List.of("Bengal_1.jpg", "Abyssinian_2.jpg", "american_bulldog_3.jpg", "Bengal_4.jpg",
        "Abyssinian_5.jpg", "american_bulldog_6.jpg", "Bengal_7.jpg")) {
      Files.delete(images.resolve(f));
    }
    assertThatThrownBy(() -> DatasetOpener.open("OxfordPets", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("7 of the 27 images listed in " + data.resolve("oxford_pets/split_zhou_OxfordPets.json")
            + " do not exist")
        .hasMessageContaining("first 5: Bengal_1.jpg, Abyssinian_2.jpg, american_bulldog_3.jpg, Bengal_4.jpg,"
            + " Abyssinian_5.jpg, ...")
        .hasMessageContaining("images/ (images.tar.gz)");
    // the check can be switched off
    assertThat(DatasetOpener.open("OxfordPets", data, Map.of("check_images", "false")).split().train()).hasSize(12);
  }

  @Test
  void missingImageFolderIsNamed() throws Exception {
    splitFile(data.resolve("dtd/split_zhou_DescribableTextures.json"), List.of(t("banded/a.jpg", 0, "banded")),
        List.of(), List.of(t("banded/b.jpg", 0, "banded")));
    assertThatThrownBy(() -> DatasetOpener.open("DescribableTextures", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("image folder " + data.resolve("dtd/images") + " (the root of the paths in")
        .hasMessageContaining("dtd-r1.0.1.tar.gz");
  }

  @Test
  void malformedSplitFilesAreReportedPrecisely() throws Exception {
    Path f = data.resolve("dtd/split_zhou_DescribableTextures.json");
    Files.createDirectories(data.resolve("dtd/images"));
    text(f, "{\"train\": [[\"a.jpg\", 0, \"x\"]], \"val\": [], \"test\": [[\"b.jpg\", \"zero\", \"x\"]]}");
    assertThatThrownBy(() -> DatasetOpener.open("DescribableTextures", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("test[0] = [\"b.jpg\",\"zero\",\"x\"]: the label must be an integer >= 0");
    text(f, "{\"train\": [], \"test\": []}");
    assertThatThrownBy(() -> DatasetOpener.open("DescribableTextures", data, null))
        .isInstanceOf(DatasetException.class).hasMessageContaining("has no \"val\" list");
    text(f, "{\"train\": [[\"a.jpg\", 0, \"x\"]], \"val\": [");
    assertThatThrownBy(() -> DatasetOpener.open("DescribableTextures", data, null))
        .isInstanceOf(DatasetException.class).hasMessageContaining("is not valid JSON at line");
    text(f, "{\"train\": [[\"a.jpg\", 0, \"x\"]], \"val\": [], \"test\": [[\"b.jpg\", 0, \"y\"]]}");
    assertThatThrownBy(() -> DatasetOpener.open("DescribableTextures", data, null))
        .isInstanceOf(DatasetException.class).hasMessageContaining("label 0 has two class names, 'x' and 'y'");
  }

  @Test
  void euroSatClassNamesComeFromTheSplitFile() {
    Path dir = data.resolve("eurosat");
    List<List<Object>> train = List.of(t("AnnualCrop/AnnualCrop_1.jpg", 0, "Annual Crop Land"),
        t("SeaLake/SeaLake_1.jpg", 9, "Sea or Lake"), t("Forest/Forest_1.jpg", 1, "Forest"));
    List<List<Object>> val = List.of(t("SeaLake/SeaLake_2.jpg", 9, "Sea or Lake"));
    List<List<Object>> test = List.of(t("AnnualCrop/AnnualCrop_2.jpg", 0, "Annual Crop Land"));
    splitFile(dir.resolve("split_zhou_EuroSAT.json"), train, val, test);
    for (List<List<Object>> l : List.of(train, val, test)) {
      images(dir.resolve("2750"), l);
    }
    LoadedDataset ds = DatasetOpener.open("eurosat", data, null);
    assertThat(ds.split().numClasses()).isEqualTo(10);
    assertThat(ds.split().train()).extracting(Item::classname)
        .containsExactly("Annual Crop Land", "Sea or Lake", "Forest");
    assertThat(ds.split().train().get(0).impath()).endsWith("eurosat/2750/AnnualCrop/AnnualCrop_1.jpg");
  }

  @Test
  void stanfordCarsPathsAreRelativeToTheDatasetFolder() {
    Path dir = data.resolve("stanford_cars");
    List<List<Object>> train = List.of(t("cars_train/00001.jpg", 0, "2012 AM General Hummer SUV"));
    List<List<Object>> test = List.of(t("cars_test/00001.jpg", 0, "2012 AM General Hummer SUV"));
    splitFile(dir.resolve("split_zhou_StanfordCars.json"), train, List.of(), test);
    images(dir, train);
    images(dir, test);
    LoadedDataset ds = DatasetOpener.open("StanfordCars", data, null);
    assertThat(ds.imageRoot()).isEqualTo(dir.toAbsolutePath());
    assertThat(ds.split().test().get(0).impath()).isEqualTo(dir.resolve("cars_test/00001.jpg").toString());
    assertThat(ds.relativePath(ds.split().train().get(0))).isEqualTo("cars_train/00001.jpg");
  }

  @Test
  void imageRootAndSplitFileOptionsReRootAnotherLayout() {
    // images kept elsewhere, split file under another name
    Path elsewhere = data.resolve("shared_images/pets");
    List<List<Object>> train = List.of(t("Bengal_1.jpg", 0, "bengal"));
    List<List<Object>> test = List.of(t("Bengal_2.jpg", 0, "bengal"));
    images(elsewhere, train);
    images(elsewhere, test);
    splitFile(data.resolve("oxford_pets/my_split.json"), train, List.of(), test);
    LoadedDataset ds = DatasetOpener.open("OxfordPets", data,
        Map.of("image_root", elsewhere.toString(), "split_file", "my_split.json"));
    assertThat(ds.split().train().get(0).impath()).isEqualTo(elsewhere.resolve("Bengal_1.jpg").toString());
    // caches of another split file never mix with the official one
    assertThat(ds.fewshotDir()).isEqualTo(data.resolve("oxford_pets/split_fewshot/my_split"));
    assertThatThrownBy(() -> DatasetOpener.open("OxfordPets", data, Map.of("imageroot", "x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown dataset option 'imageroot'");
    assertThatThrownBy(() -> DatasetOpener.open("ImageNetA", data, Map.of("image_root", "x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not apply to ImageNetA");
  }

  // ------------------------------------------------------------------ FGVC-Aircraft

  private void fgvc() {
    Path dir = data.resolve("fgvc_aircraft");
    text(dir.resolve("variants.txt"), "707-320", "A300B4", "Cessna 172");
    text(dir.resolve("images_variant_train.txt"), "1000001 Cessna 172", "1000002 707-320", "1000003 A300B4");
    text(dir.resolve("images_variant_val.txt"), "1000004 A300B4");
    text(dir.resolve("images_variant_test.txt"), "1000005 707-320", "1000006 Cessna 172", "");
    for (int i = 1; i <= 6; i++) {
      image(dir.resolve("images/100000" + i + ".jpg"));
    }
  }

  @Test
  void fgvcAircraftReadsVariantFiles() {
    fgvc();
    LoadedDataset ds = DatasetOpener.open("FGVCAircraft", data, null);
    assertThat(labels(ds.split().train())).containsExactly(2, 0, 1);
    assertThat(ds.split().train()).extracting(Item::classname).containsExactly("Cessna 172", "707-320", "A300B4");
    assertThat(relative(ds, ds.split().train())).containsExactly("1000001.jpg", "1000002.jpg", "1000003.jpg");
    assertThat(ds.split().val()).hasSize(1);
    assertThat(ds.split().test()).hasSize(2); // blank line skipped
    assertThat(ds.classnames()).containsExactly("707-320", "A300B4", "Cessna 172");
  }

  @Test
  void fgvcAircraftErrorsNameTheFileAndLine() throws Exception {
    fgvc();
    Path dir = data.resolve("fgvc_aircraft");
    text(dir.resolve("images_variant_val.txt"), "1000004 A300B4", "1000005 Boeing 747");
    assertThatThrownBy(() -> DatasetOpener.open("FGVCAircraft", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("images_variant_val.txt line 2: variant 'Boeing 747' is not in");
    Files.delete(dir.resolve("variants.txt"));
    assertThatThrownBy(() -> DatasetOpener.open("FGVCAircraft", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(dir.resolve("variants.txt") + " not found")
        .hasMessageContaining("images_variant_train.txt");
  }

  @Test
  void fgvcAircraftMissingImagesAreReported() throws Exception {
    fgvc();
    Files.delete(data.resolve("fgvc_aircraft/images/1000006.jpg"));
    assertThatThrownBy(() -> DatasetOpener.open("FGVCAircraft", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("1 of the 6 images").hasMessageContaining("1000006.jpg");
  }

  // ------------------------------------------------------------------ ImageNet family

  private static final String[] WNIDS = {"n01440764", "n01443537", "n01484850", "n01491361"};
  private static final String[] NAMES = {"tench", "goldfish", "great white shark", "tiger shark"};

  private void classnames(Path dir) {
    String[] lines = new String[WNIDS.length];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = WNIDS[i] + " " + NAMES[i];
    }
    text(dir.resolve("classnames.txt"), lines);
  }

  private void imagenet() {
    Path dir = data.resolve("imagenet");
    classnames(dir);
    // written in reverse order: labels must follow the sorted wnid order, not creation order
    for (int c = WNIDS.length - 1; c >= 0; c--) {
      for (int i = 3; i >= 1; i--) {
        image(dir.resolve("images/train/" + WNIDS[c] + "/" + WNIDS[c] + "_" + i + ".JPEG"));
      }
      image(dir.resolve("images/val/" + WNIDS[c] + "/ILSVRC2012_val_" + c + ".JPEG"));
    }
  }

  @Test
  void imageNetLabelsFollowSortedWnidsAndValIsTest() {
    imagenet();
    LoadedDataset ds = DatasetOpener.open("ImageNet", data, null);
    assertThat(ds.kind()).isEqualTo(LoadedDataset.Kind.VAL_IS_TEST);
    assertThat(ds.split().train()).hasSize(12);
    assertThat(ds.split().test()).hasSize(4);
    assertThat(ds.split().val()).isEqualTo(ds.split().test());
    assertThat(labels(ds.split().train())).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3);
    assertThat(relative(ds, ds.split().train()).subList(0, 3)).containsExactly(
        "train/n01440764/n01440764_1.JPEG", "train/n01440764/n01440764_2.JPEG", "train/n01440764/n01440764_3.JPEG");
    assertThat(ds.classnames()).containsExactly(NAMES);
    assertThat(ds.split().test().get(2).classname()).isEqualTo("great white shark");
  }

  @Test
  void imageNetFolderProblemsAreNamed() throws Exception {
    imagenet();
    Path val = data.resolve("imagenet/images/val");
    Files.move(val.resolve(WNIDS[2]), val.resolve("n99999999"));
    assertThatThrownBy(() -> DatasetOpener.open("ImageNet", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(val + " does not have one folder per class of")
        .hasMessageContaining("1 missing: n01484850")
        .hasMessageContaining("1 not in the class list: n99999999");
    Files.move(val.resolve("n99999999"), val.resolve(WNIDS[2]));
    Path empty = data.resolve("imagenet/images/train/" + WNIDS[1]);
    try (var files = Files.list(empty)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    assertThatThrownBy(() -> DatasetOpener.open("ImageNet", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("class folder " + empty + " is empty");
    Files.delete(data.resolve("imagenet/classnames.txt"));
    assertThatThrownBy(() -> DatasetOpener.open("ImageNet", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("classnames.txt not found")
        .hasMessageContaining("'<wnid> <class name>'");
  }

  @Test
  void imageNetV2NumericFoldersMapToClassnamesLines() {
    Path dir = data.resolve("imagenetv2");
    String[] lines = new String[12];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = String.format("n%08d class %d", 1000 - i, i); // wnids not in sorted order
    }
    text(dir.resolve("classnames.txt"), lines);
    Path root = dir.resolve("imagenetv2-matched-frequency-format-val");
    for (int c = 0; c < lines.length; c++) {
      image(root.resolve(c + "/img" + c + "a.jpeg"));
      image(root.resolve(c + "/img" + c + "b.jpeg"));
    }
    LoadedDataset ds = DatasetOpener.open("ImageNetV2", data, null);
    assertThat(ds.kind()).isEqualTo(LoadedDataset.Kind.TEST_ONLY);
    assertThat(ds.split().test()).hasSize(24);
    assertThat(ds.split().train()).isEqualTo(ds.split().test());
    assertThat(ds.split().val()).isEmpty();
    // folder "10" sorts before "2" as a string; its label is the number, its name line 10
    Item ten = ds.split().test().get(20);
    assertThat(ds.relativePath(ten)).isEqualTo("10/img10a.jpeg");
    assertThat(ten.label()).isEqualTo(10);
    assertThat(ten.classname()).isEqualTo("class 10");
    assertThat(ds.classnames()).hasSize(12).startsWith("class 0", "class 1", "class 2").endsWith("class 11");
    assertThat(ds.fewshotDir()).isNull();
  }

  @Test
  void imageNetV2MissingNumberedFolderIsNamed() throws Exception {
    Path dir = data.resolve("imagenetv2");
    classnames(dir);
    Path root = dir.resolve("imagenetv2-matched-frequency-format-val");
    for (int c : new int[] {0, 1, 3}) {
      image(root.resolve(c + "/x.jpeg"));
    }
    assertThatThrownBy(() -> DatasetOpener.open("ImageNetV2", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("lacks 1 of the class folders 0 ... 3")
        .hasMessageContaining(": 2;");
  }

  @Test
  void imageNetAUsesTheWnidFoldersPresent() {
    Path dir = data.resolve("imagenet-adversarial");
    classnames(dir);
    Path root = dir.resolve("imagenet-a");
    text(root.resolve("README.txt"), "ImageNet-A");
    image(root.resolve(WNIDS[3] + "/0.jpg"));
    image(root.resolve(WNIDS[1] + "/0.jpg"));
    image(root.resolve(WNIDS[1] + "/1.jpg"));
    LoadedDataset ds = DatasetOpener.open("ImageNetA", data, null);
    assertThat(ds.split().test()).hasSize(3);
    assertThat(labels(ds.split().test())).containsExactly(0, 0, 1);
    assertThat(ds.classnames()).containsExactly("goldfish", "tiger shark");
    image(root.resolve("n00000000/0.jpg"));
    assertThatThrownBy(() -> DatasetOpener.open("ImageNetA", data, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("1 folders are not wnids of").hasMessageContaining("n00000000");
  }

  @Test
  void imageNetRAndSketch() throws Exception {
    Path r = data.resolve("imagenet-rendition");
    classnames(r);
    image(r.resolve("imagenet-r/" + WNIDS[2] + "/art_0.jpg"));
    LoadedDataset dsR = DatasetOpener.open("ImageNetR", data, null);
    assertThat(dsR.classnames()).containsExactly("great white shark");

    Path s = data.resolve("imagenet-sketch");
    classnames(s);
    for (String w : WNIDS) {
      image(s.resolve("images/" + w + "/sketch_0.JPEG"));
    }
    LoadedDataset sketch = DatasetOpener.open("ImageNetSketch", data, null);
    assertThat(labels(sketch.split().test())).containsExactly(0, 1, 2, 3);
    assertThat(sketch.classnames()).containsExactly(NAMES);
    // Sketch needs every class
    try (var files = Files.list(s.resolve("images/" + WNIDS[0]))) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(s.resolve("images/" + WNIDS[0]));
    assertThatThrownBy(() -> DatasetOpener.open("ImageNetSketch", data, null))
        .isInstanceOf(DatasetException.class).hasMessageContaining("1 missing: n01440764");
  }

  @Test
  void evaluationOnlyDatasetsRefuseFewShotSampling() {
    Path r = data.resolve("imagenet-rendition");
    classnames(r);
    image(r.resolve("imagenet-r/" + WNIDS[2] + "/art_0.jpg"));
    LoadedDataset ds = DatasetOpener.open("ImageNetR", data, null);
    assertThatThrownBy(() -> FewShotCache.prepare(ds, 1, 16, "all"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("evaluation-only");
    assertThat(FewShotCache.prepare(ds, 1, -1, "all").split().test()).hasSize(1);
  }
}
