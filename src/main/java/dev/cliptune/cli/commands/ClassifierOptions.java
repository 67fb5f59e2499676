package dev.cliptune.cli.commands;

import dev.cliptune.Classifier;
import dev.cliptune.zeroshot.Templates;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What {@code predict} and {@code serve} classify with: a model plus learned prompts or zero-shot labels. */
public final class ClassifierOptions {
  @Mixin ModelOption model;
  @Mixin PrecisionOption precision;

  @Option(names = "--prompts", paramLabel = "CKPT",
      description = "prompt checkpoint of any method (from train); with --classes, a unified context is used for"
          + " those class names instead of its own")
  Path prompts;

  @Option(names = "--classes", split = ",", paramLabel = "NAME",
      description = "labels, comma-separated: zero-shot CLIP without --prompts")
  List<String> classes;

  @Option(names = "--template", paramLabel = "TEXT", defaultValue = Templates.DEFAULT,
      description = "zero-shot prompt template with {} for the label (default: '${DEFAULT-VALUE}')")
  String template;

  @Option(names = "--ensemble", paramLabel = "N",
      description = "zero-shot with the 7- or 80-template ImageNet ensemble instead of --template")
  Integer ensemble;

  @Option(names = "--micro-batch", paramLabel = "N", defaultValue = "" + Classifier.DEFAULT_MICRO_BATCH,
      description = "images per forward pass, short batches padded (default ${DEFAULT-VALUE}; the same value gives"
          + " bit-identical logits in predict, serve and the library; 0: unpadded)")
  int microBatch;

  /** The zero-shot templates {@code --template} / {@code --ensemble} name. */
  static List<String> templates(String template, Integer ensemble) {
    if (ensemble == null) {
      if (!template.contains("{}")) {
        throw new UsageException("--template '" + template + "' has no {} for the label");
      }
      return List.of(template);
    }
    return switch (ensemble) {
      case 7 -> Templates.SELECT_7;
      case 80 -> Templates.IMAGENET_80;
      default -> throw new UsageException("--ensemble " + ensemble + ": expected 7 or 80");
    };
  }

  /** Loads the model and builds the classifier (which owns it). */
  Classifier build() {
    Classifier c;
    if (prompts != null) {
      c = Classifier.fromCheckpoint(model.spec(), prompts, classes, precision.precision());
    } else if (classes != null && !classes.isEmpty()) {
      c = Classifier.zeroShot(model.spec(), classes, templates(template, ensemble), precision.precision());
    } else {
      throw new UsageException("give --prompts CKPT (learned prompts) or --classes a,b,c (zero-shot)");
    }
    return c.microBatch(microBatch);
  }
}
