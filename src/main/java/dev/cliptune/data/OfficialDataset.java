package dev.cliptune.data;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The 15 datasets of the CoOp / CoCoOp / MaPLe benchmarks, by their official config names, with the folder
 * layout their loaders expect under {@code $DATA} (CoOp's {@code DATASETS.md}; PROTOCOL.md §1).
 *
 * <p>{@link #byName(String)} looks a name up case-insensitively. Loading is done by {@link OfficialLayouts}.
 */
public enum OfficialDataset {
  IMAGENET("ImageNet", "imagenet", "images", Layout.IMAGENET, "ImageNet",
      "images/train/ and images/val/, each with the 1,000 wnid folders (n01440764, ...; the validation"
          + " images sorted into the same folders), and classnames.txt (lines '<wnid> <class name>', from the"
          + " CoOp DATASETS.md link)",
      1000, 1_281_167, 50_000, 50_000),
  CALTECH101("Caltech101", "caltech-101", "101_ObjectCategories", Layout.SPLIT_FILE, "Caltech101",
      "101_ObjectCategories/ (from 101_ObjectCategories.tar.gz) and split_zhou_Caltech101.json",
      100, 4128, 1649, 2465),
  OXFORD_PETS("OxfordPets", "oxford_pets", "images", Layout.SPLIT_FILE, "OxfordPets",
      "images/ (images.tar.gz), annotations/ (annotations.tar.gz) and split_zhou_OxfordPets.json",
      37, 2944, 736, 3669),
  STANFORD_CARS("StanfordCars", "stanford_cars", "", Layout.SPLIT_FILE, "StanfordCars",
      "cars_train/, cars_test/ (cars_train.tgz, cars_test.tgz), devkit/, cars_test_annos_withlabels.mat and"
          + " split_zhou_StanfordCars.json (its paths are relative to this folder: cars_train/..., cars_test/...)",
      196, 6509, 1635, 8041),
  OXFORD_FLOWERS("OxfordFlowers", "oxford_flowers", "jpg", Layout.SPLIT_FILE, "Flowers102",
      "jpg/ (102flowers.tgz), imagelabels.mat, cat_to_name.json and split_zhou_OxfordFlowers.json",
      102, 4093, 1633, 2463),
  FOOD101("Food101", "food-101", "images", Layout.SPLIT_FILE, "Food101",
      "images/ (food-101.tar.gz extracted under $DATA), meta/ and split_zhou_Food101.json",
      101, 50_500, 20_200, 30_300),
  FGVC_AIRCRAFT("FGVCAircraft", "fgvc_aircraft", "images", Layout.FGVC_VARIANTS, "FGVCAircraft",
      "the data/ folder of fgvc-aircraft-2013b.tar.gz, renamed: images/, variants.txt and"
          + " images_variant_train.txt, images_variant_val.txt, images_variant_test.txt",
      100, 3334, 3333, 3333),
  SUN397("SUN397", "sun397", "SUN397", Layout.SPLIT_FILE, "SUN397",
      "SUN397/ (SUN397.tar.gz), the .txt files of Partitions.zip and split_zhou_SUN397.json",
      397, 15_880, 3970, 19_850),
  DESCRIBABLE_TEXTURES("DescribableTextures", "dtd", "images", Layout.SPLIT_FILE, "DTD",
      "images/ (dtd-r1.0.1.tar.gz extracted under $DATA), imdb/, labels/ and split_zhou_DescribableTextures.json",
      47, 2820, 1128, 1692),
  EUROSAT("EuroSAT", "eurosat", "2750", Layout.SPLIT_FILE, "EuroSAT",
      "2750/ (EuroSAT.zip) and split_zhou_EuroSAT.json",
      10, 13_500, 5400, 8100),
  UCF101("UCF101", "ucf101", "UCF-101-midframes", Layout.SPLIT_FILE, "UCF101",
      "UCF-101-midframes/ (UCF-101-midframes.zip from the CoOp DATASETS.md link) and split_zhou_UCF101.json",
      101, 7639, 1898, 3783),
  IMAGENET_V2("ImageNetV2", "imagenetv2", "imagenetv2-matched-frequency-format-val", Layout.NUMBERED_FOLDERS,
      "ImageNetV2",
      "imagenetv2-matched-frequency-format-val/ with the folders 0 ... 999 (imagenetv2-matched-frequency.tar.gz)"
          + " and classnames.txt copied from $DATA/imagenet/",
      1000, 10_000, 0, 10_000),
  IMAGENET_SKETCH("ImageNetSketch", "imagenet-sketch", "images", Layout.WNID_FOLDERS_ALL, "ImageNet-Sketch",
      "images/ with the 1,000 wnid folders of ImageNet-Sketch and classnames.txt copied from $DATA/imagenet/",
      1000, 50_889, 0, 50_889),
  IMAGENET_A("ImageNetA", "imagenet-adversarial", "imagenet-a", Layout.WNID_FOLDERS_PRESENT, "ImageNet-A",
      "imagenet-a/ with the 200 wnid folders of natural-adv-examples and classnames.txt copied from"
          + " $DATA/imagenet/",
      200, 7500, 0, 7500),
  IMAGENET_R("ImageNetR", "imagenet-rendition", "imagenet-r", Layout.WNID_FOLDERS_PRESENT, "ImageNet-R",
      "imagenet-r/ with the 200 wnid folders of ImageNet-R and classnames.txt copied from $DATA/imagenet/",
      200, 30_000, 0, 30_000);

  /** Where CoOp documents how to obtain each dataset. */
  public static final String DATASETS_MD = "https://github.com/KaiyangZhou/CoOp/blob/main/DATASETS.md";

  /** How a dataset's split is stored on disk. */
  public enum Layout {
    /** {@code split_zhou_<Name>.json} with train/val/test triples. */
    SPLIT_FILE,
    /** FGVC-Aircraft's {@code variants.txt} and {@code images_variant_{train,val,test}.txt}. */
    FGVC_VARIANTS,
    /** {@code images/train/<wnid>/} and {@code images/val/<wnid>/} plus {@code classnames.txt}. */
    IMAGENET,
    /** ImageNetV2: folders {@code 0 .. n-1}, folder {@code i} = line {@code i} of {@code classnames.txt}. */
    NUMBERED_FOLDERS,
    /** ImageNet-Sketch: one folder per wnid of {@code classnames.txt}, all of them. */
    WNID_FOLDERS_ALL,
    /** ImageNet-A/R: the wnid folders present (a subset of {@code classnames.txt}), sorted. */
    WNID_FOLDERS_PRESENT
  }

  private final String officialName;
  private final String folder;
  private final String imageRoot;
  private final Layout layout;
  private final String docsSection;
  private final String contents;
  private final int classes;
  private final int trainCount;
  private final int valCount;
  private final int testCount;

  OfficialDataset(String officialName, String folder, String imageRoot, Layout layout, String docsSection,
      String contents, int classes, int trainCount, int valCount, int testCount) {
    this.officialName = officialName;
    this.folder = folder;
    this.imageRoot = imageRoot;
    this.layout = layout;
    this.docsSection = docsSection;
    this.contents = contents;
    this.classes = classes;
    this.trainCount = trainCount;
    this.valCount = valCount;
    this.testCount = testCount;
  }

  /** The config name ({@code DATASET.NAME}), e.g. {@code OxfordPets}. */
  public String officialName() {
    return officialName;
  }

  /** The dataset's folder under {@code $DATA}, e.g. {@code oxford_pets}. */
  public String folder() {
    return folder;
  }

  /** The image root relative to the dataset folder ({@code ""} = the dataset folder itself). */
  public String imageRoot() {
    return imageRoot;
  }

  /** How the split is stored. */
  public Layout layout() {
    return layout;
  }

  /** {@code split_zhou_<Name>.json} for {@link Layout#SPLIT_FILE} datasets, else {@code null}. */
  public String splitFileName() {
    return layout == Layout.SPLIT_FILE ? "split_zhou_" + officialName + ".json" : null;
  }

  /** What the dataset folder should contain (used in error messages). */
  public String contents() {
    return contents;
  }

  /** Where to get the files: the dataset's section of CoOp's {@code DATASETS.md}. */
  public String whereToGet() {
    return "the " + docsSection + " section of CoOp's DATASETS.md (" + DATASETS_MD + ")";
  }

  /** Number of classes of the full official dataset (the paper's table). */
  public int officialClasses() {
    return classes;
  }

  /** Official train / val / test sizes (the paper's table); val is 0 for test-only datasets. */
  public int[] officialCounts() {
    return new int[] {trainCount, valCount, testCount};
  }

  /** {@code true} for the evaluation-only ImageNet variants (V2, Sketch, A, R). */
  public boolean testOnly() {
    return layout == Layout.NUMBERED_FOLDERS || layout == Layout.WNID_FOLDERS_ALL
        || layout == Layout.WNID_FOLDERS_PRESENT;
  }

  /** {@code true} when {@link SplitRebuilds#rebuild} can rebuild the official random split for it. */
  public boolean canRebuildSplit() {
    return switch (this) {
      case CALTECH101, DESCRIBABLE_TEXTURES, FOOD101, EUROSAT, OXFORD_PETS, SUN397, UCF101 -> true;
      default -> false;
    };
  }

  /** All official names, in registry order. */
  public static List<String> names() {
    return Arrays.stream(values()).map(OfficialDataset::officialName).toList();
  }

  /**
   * The dataset with this official name, ignoring case ({@code oxfordpets} finds {@code OxfordPets}).
   *
   * @throws IllegalArgumentException naming the accepted names when there is none
   */
  public static OfficialDataset byName(String name) {
    OfficialDataset d = find(name);
    if (d == null) {
      throw new IllegalArgumentException("unknown dataset '" + name + "'; the official datasets are "
          + String.join(", ", names()) + " (or give a folder of class folders or a split .json file)");
    }
    return d;
  }

  /** {@link #byName} without the exception: {@code null} when the name is not an official one. */
  public static OfficialDataset find(String name) {
    if (name == null) {
      return null;
    }
    String key = name.trim().toLowerCase(Locale.ROOT);
    for (OfficialDataset d : values()) {
      if (d.officialName.toLowerCase(Locale.ROOT).equals(key)) {
        return d;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return officialName;
  }
}
