package dev.cliptune.cli.commands;

import dev.cliptune.Classifier;
import dev.cliptune.predict.Predict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cliptune predict}: labels for files, folders and lists of images, to CSV or JSON lines. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {"Label image files, folders (recursively) and list files with learned prompts or zero-shot"
        + " labels; writes CSV or JSON lines atomically, resumes with the same --out.",
        "Unreadable images are one error line each and counted (--fail-fast stops at the first)."})
public final class PredictCommand implements Callable<Integer> {
  @Mixin ClassifierOptions classifier;

  @Parameters(arity = "0..*", paramLabel = "FILE|FOLDER", description = "images, or folders searched recursively")
  List<Path> inputs = new ArrayList<>();

  @Option(names = "--list", paramLabel = "FILE", description = "a file listing image paths, one per line")
  List<Path> lists = new ArrayList<>();

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "output: .csv or .jsonl")
  Path out;

  @Option(names = "--format", paramLabel = "csv|jsonl", description = "output format (default: from --out's name)")
  String format;

  @Option(names = "--top", defaultValue = "5", paramLabel = "K", description = "labels per image (default ${DEFAULT-VALUE})")
  int top;

  @Option(names = "--batch", defaultValue = "32", paramLabel = "N",
      description = "images per classifier call (default ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--threads", paramLabel = "N", description = "decoding threads (default: the cores)")
  Integer threads;

  @Option(names = "--fail-fast", description = "stop at the first unreadable image (exit status 2)")
  boolean failFast;

  @Option(names = "--truth", paramLabel = "folders",
      description = "'folders': each image's folder names its class; prints accuracy and macro-F1")
  String truth;

  @Option(names = "--stop-after", paramLabel = "N", hidden = true, description = "stop after N images (tests)")
  int stopAfter;

  @Override
  public Integer call() throws Exception {
    if (truth != null && !truth.equals("folders")) {
      throw new UsageException("--truth " + truth + ": the only kind is 'folders'");
    }
    if (inputs.isEmpty() && lists.isEmpty()) {
      throw new UsageException("give image files or folders, or --list FILE");
    }
    int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    try (Classifier c = classifier.build()) {
      Predict.run(c, new Predict.Options(inputs, lists, out, format, top, batch, t, failFast, truth != null,
          stopAfter), System.err);
    }
    return 0;
  }
}
