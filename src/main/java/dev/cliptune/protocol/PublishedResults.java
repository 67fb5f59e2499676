package dev.cliptune.protocol;

import java.util.Map;

/**
 * The papers' numbers (PROTOCOL.md §15), printed beside ours where a row exists: base-to-novel
 * Base / New / HM (ViT-B/16, 16 shots, mean of 3 seeds), cross-dataset and domain-generalisation accuracies.
 */
public final class PublishedResults {
  private PublishedResults() {}

  /** Base, New, HM. */
  public record BaseNew(double base, double novel, double hm) {}

  private static BaseNew bn(double b, double n, double h) {
    return new BaseNew(b, n, h);
  }

  /** method (official name, "CLIP" for zero-shot) → dataset → Base/New/HM. */
  public static final Map<String, Map<String, BaseNew>> BASE_TO_NOVEL = Map.of(
      "CLIP", Map.ofEntries(
          Map.entry("Average", bn(69.34, 74.22, 71.70)), Map.entry("ImageNet", bn(72.43, 68.14, 70.22)),
          Map.entry("Caltech101", bn(96.84, 94.00, 95.40)), Map.entry("OxfordPets", bn(91.17, 97.26, 94.12)),
          Map.entry("StanfordCars", bn(63.37, 74.89, 68.65)), Map.entry("OxfordFlowers", bn(72.08, 77.80, 74.83)),
          Map.entry("Food101", bn(90.10, 91.22, 90.66)), Map.entry("FGVCAircraft", bn(27.19, 36.29, 31.09)),
          Map.entry("SUN397", bn(69.36, 75.35, 72.23)), Map.entry("DescribableTextures", bn(53.24, 59.90, 56.37)),
          Map.entry("EuroSAT", bn(56.48, 64.05, 60.03)), Map.entry("UCF101", bn(70.53, 77.50, 73.85))),
      "CoOp", Map.ofEntries(
          Map.entry("Average", bn(82.69, 63.22, 71.66)), Map.entry("ImageNet", bn(76.47, 67.88, 71.92)),
          Map.entry("Caltech101", bn(98.00, 89.81, 93.73)), Map.entry("OxfordPets", bn(93.67, 95.29, 94.47)),
          Map.entry("StanfordCars", bn(78.12, 60.40, 68.13)), Map.entry("OxfordFlowers", bn(97.60, 59.67, 74.06)),
          Map.entry("Food101", bn(88.33, 82.26, 85.19)), Map.entry("FGVCAircraft", bn(40.44, 22.30, 28.75)),
          Map.entry("SUN397", bn(80.60, 65.89, 72.51)), Map.entry("DescribableTextures", bn(79.44, 41.18, 54.24)),
          Map.entry("EuroSAT", bn(92.19, 54.74, 68.69)), Map.entry("UCF101", bn(84.69, 56.05, 67.46))),
      "CoCoOp", Map.ofEntries(
          Map.entry("Average", bn(80.47, 71.69, 75.83)), Map.entry("ImageNet", bn(75.98, 70.43, 73.10)),
          Map.entry("Caltech101", bn(97.96, 93.81, 95.84)), Map.entry("OxfordPets", bn(95.20, 97.69, 96.43)),
          Map.entry("StanfordCars", bn(70.49, 73.59, 72.01)), Map.entry("OxfordFlowers", bn(94.87, 71.75, 81.71)),
          Map.entry("Food101", bn(90.70, 91.29, 90.99)), Map.entry("FGVCAircraft", bn(33.41, 23.71, 27.74)),
          Map.entry("SUN397", bn(79.74, 76.86, 78.27)), Map.entry("DescribableTextures", bn(77.01, 56.00, 64.85)),
          Map.entry("EuroSAT", bn(87.49, 60.04, 71.21)), Map.entry("UCF101", bn(82.33, 73.45, 77.64))),
      "MaPLe", Map.ofEntries(
          Map.entry("Average", bn(82.28, 75.14, 78.55)), Map.entry("ImageNet", bn(76.66, 70.54, 73.47)),
          Map.entry("Caltech101", bn(97.74, 94.36, 96.02)), Map.entry("OxfordPets", bn(95.43, 97.76, 96.58)),
          Map.entry("StanfordCars", bn(72.94, 74.00, 73.47)), Map.entry("OxfordFlowers", bn(95.92, 72.46, 82.56)),
          Map.entry("Food101", bn(90.71, 92.05, 91.38)), Map.entry("FGVCAircraft", bn(37.44, 35.61, 36.50)),
          Map.entry("SUN397", bn(80.82, 78.70, 79.75)), Map.entry("DescribableTextures", bn(80.36, 59.18, 68.16)),
          Map.entry("EuroSAT", bn(94.07, 73.23, 82.35)), Map.entry("UCF101", bn(83.00, 78.66, 80.77))),
      "VPT", Map.of("Average", bn(80.24, 73.43, 76.68)),
      "IVLP", Map.of("Average", bn(82.15, 74.07, 77.90)),
      // METHODS-NEXT.md §1.8 / §2.6: the repositories' READMEs give the 11-dataset averages only
      "PromptSRC", Map.of("Average", bn(84.26, 76.10, 79.97)),
      "KgCoOp", Map.of("Average", bn(80.73, 73.6, 77.0)));

  /** Cross-dataset accuracies (source ImageNet): method → dataset → accuracy. */
  public static final Map<String, Map<String, Double>> CROSS_DATASET = Map.of(
      "CoOp", Map.ofEntries(Map.entry("ImageNet", 71.51), Map.entry("Caltech101", 93.70),
          Map.entry("OxfordPets", 89.14), Map.entry("StanfordCars", 64.51), Map.entry("OxfordFlowers", 68.71),
          Map.entry("Food101", 85.30), Map.entry("FGVCAircraft", 18.47), Map.entry("SUN397", 64.15),
          Map.entry("DescribableTextures", 41.92), Map.entry("EuroSAT", 46.39), Map.entry("UCF101", 66.55),
          Map.entry("Average", 63.88)),
      "CoCoOp", Map.ofEntries(Map.entry("ImageNet", 71.02), Map.entry("Caltech101", 94.43),
          Map.entry("OxfordPets", 90.14), Map.entry("StanfordCars", 65.32), Map.entry("OxfordFlowers", 71.88),
          Map.entry("Food101", 86.06), Map.entry("FGVCAircraft", 22.94), Map.entry("SUN397", 67.36),
          Map.entry("DescribableTextures", 45.73), Map.entry("EuroSAT", 45.37), Map.entry("UCF101", 68.21),
          Map.entry("Average", 65.74)),
      "MaPLe", Map.ofEntries(Map.entry("ImageNet", 70.72), Map.entry("Caltech101", 93.53),
          Map.entry("OxfordPets", 90.49), Map.entry("StanfordCars", 65.57), Map.entry("OxfordFlowers", 72.23),
          Map.entry("Food101", 86.20), Map.entry("FGVCAircraft", 24.74), Map.entry("SUN397", 67.01),
          Map.entry("DescribableTextures", 46.49), Map.entry("EuroSAT", 48.06), Map.entry("UCF101", 68.69),
          Map.entry("Average", 66.30)));

  /** Domain generalisation (source ImageNet): method → dataset → accuracy. */
  public static final Map<String, Map<String, Double>> DOMAIN_GENERALISATION = Map.of(
      "CLIP", Map.of("ImageNet", 66.73, "ImageNetV2", 60.83, "ImageNetSketch", 46.15, "ImageNetA", 47.77,
          "ImageNetR", 73.96),
      "CoOp", Map.of("ImageNet", 71.51, "ImageNetV2", 64.20, "ImageNetSketch", 47.99, "ImageNetA", 49.71,
          "ImageNetR", 75.21),
      "CoCoOp", Map.of("ImageNet", 71.02, "ImageNetV2", 64.07, "ImageNetSketch", 48.75, "ImageNetA", 50.63,
          "ImageNetR", 76.18),
      "MaPLe", Map.of("ImageNet", 70.72, "ImageNetV2", 64.07, "ImageNetSketch", 49.15, "ImageNetA", 50.90,
          "ImageNetR", 76.98));
}
