package dev.cliptune.cli;

import dev.cliptune.Classifier;
import dev.cliptune.Clip;
import dev.cliptune.zeroshot.Templates;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cliptune classify}: zero-shot labels of images with any CLIP model directory. */
@Command(name = "classify", mixinStandardHelpOptions = true,
    description = "Zero-shot classification of images against your labels.")
public final class ClassifyCommand implements Callable<Integer> {

  @Option(names = "--model", defaultValue = dev.cliptune.Models.BUILTIN_TINY, paramLabel = "DIR",
      description = "model directory (HF CLIPModel layout or OpenAI names, with vocab.json and merges.txt), or"
          + " builtin:tiny, the embedded default")
  String model;

  @Option(names = "--classes", required = true, split = ",", paramLabel = "NAME",
      description = "labels, comma-separated")
  List<String> classes;

  @Option(names = "--template", paramLabel = "TEXT", defaultValue = Templates.DEFAULT,
      description = "prompt template with {} for the label (default: '${DEFAULT-VALUE}')")
  String template;

  @Option(names = "--ensemble", paramLabel = "N",
      description = "use the 7- or 80-template ImageNet ensemble instead of --template")
  Integer ensemble;

  @Option(names = "--top", defaultValue = "5", paramLabel = "K", description = "labels per image (default ${DEFAULT-VALUE})")
  int top;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  List<Path> images;

  @Override
  public Integer call() {
    List<String> templates;
    try {
      templates = ClassifierOptions.templates(template, ensemble);
    } catch (IllegalArgumentException e) {
      System.err.println("cliptune classify: " + e.getMessage());
      return 2;
    }
    try (Clip clip = Clip.load(dev.cliptune.Models.resolve(model))) {
      List<List<Classifier.Prediction>> all = clip.classify(images, classes, top, templates);
      for (int i = 0; i < images.size(); i++) {
        System.out.println(images.get(i));
        all.get(i).forEach(p -> System.out.println("  " + p));
      }
    }
    return 0;
  }
}
