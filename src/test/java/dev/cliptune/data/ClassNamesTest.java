package dev.cliptune.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The official class-name rules (PROTOCOL.md §1). */
class ClassNamesTest {
  @Test
  void sun397DropsTheLetterLevelAndReversesTheRest() {
    assertThat(ClassNames.sun397("/a/abbey")).isEqualTo("abbey");
    assertThat(ClassNames.sun397("/b/bakery/shop")).isEqualTo("shop bakery");
    assertThat(ClassNames.sun397("a/apartment_building/outdoor")).isEqualTo("outdoor apartment_building");
  }

  @Test
  void ucf101SplitsCamelCaseWithUnderscores() {
    assertThat(ClassNames.ucf101("ApplyEyeMakeup")).isEqualTo("Apply_Eye_Makeup");
    assertThat(ClassNames.ucf101("YoYo")).isEqualTo("Yo_Yo");
    assertThat(ClassNames.ucf101("PlayingDaf")).isEqualTo("Playing_Daf");
    // as re.findall("[A-Z][^A-Z]*"): consecutive capitals are separate words
    assertThat(ClassNames.ucf101("TaiChi")).isEqualTo("Tai_Chi");
    assertThat(ClassNames.ucf101("SkyDivingUFO")).isEqualTo("Sky_Diving_U_F_O");
  }

  @Test
  void petsCarsCaltechEuroSat() {
    assertThat(ClassNames.oxfordPets("american_bulldog_12")).isEqualTo("american_bulldog");
    assertThat(ClassNames.oxfordPets("Abyssinian_100")).isEqualTo("abyssinian");
    assertThat(ClassNames.stanfordCars("AM General Hummer SUV 2000")).isEqualTo("2000 AM General Hummer SUV");
    assertThat(ClassNames.caltech101("airplanes")).isEqualTo("airplane");
    assertThat(ClassNames.caltech101("Faces")).isEqualTo("face");
    assertThat(ClassNames.caltech101("Leopards")).isEqualTo("leopard");
    assertThat(ClassNames.caltech101("Motorbikes")).isEqualTo("motorbike");
    assertThat(ClassNames.caltech101("accordion")).isEqualTo("accordion");
    assertThat(ClassNames.CALTECH101_IGNORED).containsExactlyInAnyOrder("BACKGROUND_Google", "Faces_easy");
    assertThat(ClassNames.eurosat("AnnualCrop")).isEqualTo("Annual Crop Land");
    assertThat(ClassNames.eurosat("HerbaceousVegetation")).isEqualTo("Herbaceous Vegetation Land");
    assertThat(ClassNames.eurosat("Highway")).isEqualTo("Highway or Road");
    assertThat(ClassNames.eurosat("SeaLake")).isEqualTo("Sea or Lake");
    assertThat(ClassNames.EUROSAT_RENAMES).hasSize(10);
  }
}
