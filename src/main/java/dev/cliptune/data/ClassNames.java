package dev.cliptune.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The class-name rules of the official loaders (PROTOCOL.md §1). With a split file the names are already
 * in the file; these rules are applied where cliptune computes names itself: when a split is rebuilt
 * ({@link SplitRebuilds#rebuild}) and for the ImageNet family's {@code classnames.txt}.
 */
public final class ClassNames {
  private ClassNames() {}

  /** Caltech101 folders the official loader drops. */
  public static final Set<String> CALTECH101_IGNORED = Set.of("BACKGROUND_Google", "Faces_easy");

  /** Caltech101 folder renames; other classes keep the folder name. */
  public static final Map<String, String> CALTECH101_RENAMES = Map.of(
      "airplanes", "airplane",
      "Faces", "face",
      "Leopards", "leopard",
      "Motorbikes", "motorbike");

  /** EuroSAT folder (class) renames. */
  public static final Map<String, String> EUROSAT_RENAMES = Map.of(
      "AnnualCrop", "Annual Crop Land",
      "Forest", "Forest",
      "HerbaceousVegetation", "Herbaceous Vegetation Land",
      "Highway", "Highway or Road",
      "Industrial", "Industrial Buildings",
      "Pasture", "Pasture Land",
      "PermanentCrop", "Permanent Crop Land",
      "Residential", "Residential Buildings",
      "River", "River",
      "SeaLake", "Sea or Lake");

  private static final Pattern UCF_WORD = Pattern.compile("[A-Z][^A-Z]*");

  /** Caltech101: the renamed folder name ({@code airplanes -> airplane}, ...), else the folder name. */
  public static String caltech101(String folder) {
    return CALTECH101_RENAMES.getOrDefault(folder, folder);
  }

  /** EuroSAT: the renamed folder name ({@code AnnualCrop -> Annual Crop Land}, ...), else the folder name. */
  public static String eurosat(String folder) {
    return EUROSAT_RENAMES.getOrDefault(folder, folder);
  }

  /**
   * OxfordPets: the image name without its trailing {@code _<n>}, lowercased
   * ({@code american_bulldog_12 -> american_bulldog}, {@code Abyssinian_100 -> abyssinian}).
   */
  public static String oxfordPets(String imageName) {
    int cut = imageName.lastIndexOf('_');
    return (cut < 0 ? "" : imageName.substring(0, cut)).toLowerCase(Locale.ROOT);
  }

  /**
   * StanfordCars: the devkit name with its last word (the year) moved to the front
   * ({@code AM General Hummer SUV 2000 -> 2000 AM General Hummer SUV}).
   */
  public static String stanfordCars(String devkitName) {
    List<String> words = new ArrayList<>(List.of(devkitName.split(" ", -1)));
    String year = words.remove(words.size() - 1);
    words.add(0, year);
    return String.join(" ", words);
  }

  /**
   * SUN397: a class directory such as {@code /a/abbey} or {@code b/bakery/shop} loses its letter level and
   * the remaining parts are reversed and joined by spaces ({@code abbey}, {@code shop bakery}); underscores
   * are kept ({@code outdoor apartment_building}).
   */
  public static String sun397(String classDir) {
    String d = classDir.startsWith("/") ? classDir.substring(1) : classDir;
    List<String> parts = new ArrayList<>(List.of(d.split("/", -1)));
    parts.remove(0); // the letter level
    Collections.reverse(parts);
    return String.join(" ", parts);
  }

  /**
   * UCF101: the CamelCase action split before each capital and joined by {@code _}
   * ({@code ApplyEyeMakeup -> Apply_Eye_Makeup}, {@code YoYo -> Yo_Yo}); as Python's
   * {@code re.findall("[A-Z][^A-Z]*", action)}, characters before the first capital are dropped. This is
   * also the name of the class's mid-frame folder.
   */
  public static String ucf101(String action) {
    Matcher m = UCF_WORD.matcher(action);
    List<String> words = new ArrayList<>();
    while (m.find()) {
      words.add(m.group());
    }
    return String.join("_", words);
  }
}
