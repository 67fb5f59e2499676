package dev.cliptune.zeroshot;

import java.util.List;
import java.util.Map;

/**
 * The zero-shot prompt templates of the prompt-learning papers (PROTOCOL.md §12): one per dataset
 * ({@code CUSTOM_TEMPLATES}), the 7-template {@code IMAGENET_TEMPLATES_SELECT} ensemble and the
 * 80-template {@code IMAGENET_TEMPLATES} ensemble from CLIP's ImageNet notebook.
 */
public final class Templates {
  private Templates() {}

  /** The template of a dataset that has none of its own. */
  public static final String DEFAULT = "a photo of a {}.";

  /** {@code CUSTOM_TEMPLATES}: dataset name (the official names) to its single template. */
  public static final Map<String, String> PER_DATASET = Map.ofEntries(
      Map.entry("OxfordPets", "a photo of a {}, a type of pet."),
      Map.entry("OxfordFlowers", "a photo of a {}, a type of flower."),
      Map.entry("FGVCAircraft", "a photo of a {}, a type of aircraft."),
      Map.entry("DescribableTextures", "{} texture."),
      Map.entry("EuroSAT", "a centered satellite photo of {}."),
      Map.entry("StanfordCars", "a photo of a {}."),
      Map.entry("Food101", "a photo of {}, a type of food."),
      Map.entry("SUN397", "a photo of a {}."),
      Map.entry("Caltech101", "a photo of a {}."),
      Map.entry("UCF101", "a photo of a person doing {}."),
      Map.entry("ImageNet", "a photo of a {}."),
      Map.entry("ImageNetSketch", "a photo of a {}."),
      Map.entry("ImageNetV2", "a photo of a {}."),
      Map.entry("ImageNetA", "a photo of a {}."),
      Map.entry("ImageNetR", "a photo of a {}."));

  /** {@code IMAGENET_TEMPLATES_SELECT}, used by {@code ZeroshotCLIP2}. */
  public static final List<String> SELECT_7 = List.of(
      "itap of a {}.", "a bad photo of the {}.", "a origami {}.", "a photo of the large {}.",
      "a {} in a video game.", "art of the {}.", "a photo of the small {}.");

  /** {@code IMAGENET_TEMPLATES}, the 80 templates in their official order. */
  public static final List<String> IMAGENET_80 = List.of(
      "a bad photo of a {}.",
      "a photo of many {}.",
      "a sculpture of a {}.",
      "a photo of the hard to see {}.",
      "a low resolution photo of the {}.",
      "a rendering of a {}.",
      "graffiti of a {}.",
      "a bad photo of the {}.",
      "a cropped photo of the {}.",
      "a tattoo of a {}.",
      "the embroidered {}.",
      "a photo of a hard to see {}.",
      "a bright photo of a {}.",
      "a photo of a clean {}.",
      "a photo of a dirty {}.",
      "a dark photo of the {}.",
      "a drawing of a {}.",
      "a photo of my {}.",
      "the plastic {}.",
      "a photo of the cool {}.",
      "a close-up photo of a {}.",
      "a black and white photo of the {}.",
      "a painting of the {}.",
      "a painting of a {}.",
      "a pixelated photo of the {}.",
      "a sculpture of the {}.",
      "a bright photo of the {}.",
      "a cropped photo of a {}.",
      "a plastic {}.",
      "a photo of the dirty {}.",
      "a jpeg corrupted photo of a {}.",
      "a blurry photo of the {}.",
      "a photo of the {}.",
      "a good photo of the {}.",
      "a rendering of the {}.",
      "a {} in a video game.",
      "a photo of one {}.",
      "a doodle of a {}.",
      "a close-up photo of the {}.",
      "a photo of a {}.",
      "the origami {}.",
      "the {} in a video game.",
      "a sketch of a {}.",
      "a doodle of the {}.",
      "a origami {}.",
      "a low resolution photo of a {}.",
      "the toy {}.",
      "a rendition of the {}.",
      "a photo of the clean {}.",
      "a photo of a large {}.",
      "a rendition of a {}.",
      "a photo of a nice {}.",
      "a photo of a weird {}.",
      "a blurry photo of a {}.",
      "a cartoon {}.",
      "art of a {}.",
      "a sketch of the {}.",
      "a embroidered {}.",
      "a pixelated photo of a {}.",
      "itap of the {}.",
      "a jpeg corrupted photo of the {}.",
      "a good photo of a {}.",
      "a plushie {}.",
      "a photo of the nice {}.",
      "a photo of the small {}.",
      "a photo of the weird {}.",
      "the cartoon {}.",
      "art of the {}.",
      "a drawing of the {}.",
      "a photo of the large {}.",
      "a black and white photo of a {}.",
      "the plushie {}.",
      "a dark photo of a {}.",
      "itap of a {}.",
      "graffiti of the {}.",
      "a toy {}.",
      "itap of my {}.",
      "a photo of a cool {}.",
      "a photo of a small {}.",
      "a tattoo of the {}.");

  /** The single template of {@code dataset} ({@link #DEFAULT} for datasets outside the table). */
  public static String forDataset(String dataset) {
    return PER_DATASET.getOrDefault(dataset, DEFAULT);
  }

  /**
   * The ensemble of {@code ZeroshotCLIP2}: the 7 selected templates, plus the dataset's own template for
   * every dataset but ImageNet.
   */
  public static List<String> ensemble7(String dataset) {
    if (dataset == null || dataset.equals("ImageNet")) {
      return SELECT_7;
    }
    List<String> out = new java.util.ArrayList<>(SELECT_7);
    out.add(forDataset(dataset));
    return List.copyOf(out);
  }

  /** Fills a template: every {@code {}} is replaced by the class name. */
  public static String fill(String template, String className) {
    return template.replace("{}", className);
  }
}
