package dev.cliptune.cli.commands;

import dev.cliptune.Classifier;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cliptune classify}: labels of a few images, zero-shot or with learned prompts, printed. */
@Command(name = "classify", mixinStandardHelpOptions = true,
    description = "Classify images against your labels (zero-shot) or with a prompt checkpoint; prints the top labels.")
public final class ClassifyCommand implements Callable<Integer> {
  @Mixin ClassifierOptions classifier;

  @Option(names = "--top", defaultValue = "5", paramLabel = "K", description = "labels per image (default ${DEFAULT-VALUE})")
  int top;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  List<Path> images;

  @Override
  public Integer call() {
    try (Classifier c = classifier.build()) {
      List<List<Classifier.Prediction>> all = c.classifyAll(images, top);
      for (int i = 0; i < images.size(); i++) {
        System.out.println(images.get(i));
        all.get(i).forEach(p -> System.out.println("  " + p));
      }
    }
    return 0;
  }
}
