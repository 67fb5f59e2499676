package dev.cliptune.predict;

import dev.cliptune.Classifier;
import dev.cliptune.clip.image.ImageDecodeException;
import dev.cliptune.eval.Metrics;
import dev.cliptune.io.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * {@code cliptune predict}: labels for many image files, written as CSV or JSON lines.
 *
 * <p>Inputs are files, folders (searched recursively for image files) and list files (one path per line, relative
 * to the list's folder). Images are decoded on a pool of threads, a window of batches ahead of the model. Lines go
 * to {@code OUT.partial} as each batch finishes (flushed), and {@code OUT} is written atomically at the end from
 * it: a killed run leaves {@code OUT.partial}, and a rerun with the same {@code --out} skips every path already in
 * {@code OUT} or {@code OUT.partial} (a line cut short by the kill is dropped and redone). An image that cannot be
 * read is one error line and counted, unless {@code failFast}. With {@code truthFolders}, each image's parent
 * folder names its true class, and accuracy and macro-F1 (Dassl's, {@link Metrics}) of the whole output are
 * printed.
 */
public final class Predict {
  /** File name endings searched for in folders. */
  public static final Set<String> IMAGE_ENDINGS = Set.of(".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff",
      ".webp", ".pbm", ".pgm", ".ppm");

  /**
   * @param inputs      files and folders
   * @param listFiles   files listing image paths, one per line
   * @param out         the output file
   * @param format      csv or jsonl, or null to tell from {@code out}'s name
   * @param topK        labels per image
   * @param batch       images per call to the classifier
   * @param threads     decoding threads
   * @param failFast    stop at the first unreadable image (a user error: exit status 2)
   * @param truthFolders score against the parent folder names
   * @param stopAfter   stop after this many images of this run (as if killed; for resuming tests), or 0
   */
  public record Options(List<Path> inputs, List<Path> listFiles, Path out, String format, int topK, int batch,
      int threads, boolean failFast, boolean truthFolders, int stopAfter) {}

  /** What a run did. {@code metrics} is null without truth folders. */
  public record Summary(int images, int alreadyDone, int classified, int unreadable, boolean stoppedEarly,
      Metrics metrics) {}

  /** The first unreadable image under {@code failFast}. */
  public static final class FailFastException extends dev.cliptune.io.UserException {
    private static final long serialVersionUID = 1L;

    FailFastException(String message) {
      super(message);
    }
  }

  private Predict() {}

  public static Summary run(Classifier classifier, Options o, PrintStream log) throws IOException {
    if (o.topK() < 1 || o.batch() < 1 || o.threads() < 1) {
      throw new IllegalArgumentException("--top, --batch and --threads must be at least 1");
    }
    PredictOutput fmt = PredictOutput.forFile(o.out().getFileName().toString(), o.format());
    List<Path> images = collect(o.inputs(), o.listFiles());
    if (images.isEmpty()) {
      throw new IllegalArgumentException("no image files found in " + o.inputs() + o.listFiles());
    }
    Map<Path, Integer> truth = o.truthFolders() ? truth(images, classifier.labels()) : null;
    Path partial = o.out().resolveSibling(o.out().getFileName() + ".partial");
    List<String> previous = new ArrayList<>(readLines(o.out()));
    previous.addAll(readLines(partial));
    Set<String> done = new LinkedHashSet<>();
    for (String line : previous) {
      PredictOutput.Row r = fmt.parse(line);
      if (r != null) {
        done.add(r.path());
      }
    }
    List<Path> todo = images.stream().filter(p -> !done.contains(p.toString())).toList();
    int alreadyDone = images.size() - todo.size();
    if (alreadyDone > 0) {
      log.printf("predict: %d of %d images already in %s, %d to do%n", alreadyDone, images.size(), o.out(),
          todo.size());
    }
    // what is done so far, rewritten whole (a line cut short by a kill is dropped)
    writePartial(partial, fmt.header(o.topK()), previous, fmt);
    int classified = 0;
    int unreadable = 0;
    boolean stopped = false;
    ExecutorService pool = Executors.newFixedThreadPool(o.threads(), r -> {
      Thread t = new Thread(r, "cliptune-predict-decode");
      t.setDaemon(true);
      return t;
    });
    try (BufferedWriter w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        ProgressBar bar = new ProgressBarBuilder().setTaskName("predict").setInitialMax(todo.size())
            .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).continuousUpdate().showSpeed()
            .setUnit(" img", 1).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(log)).build()) {
      // decoding runs a window of two batches ahead of the model
      List<Future<float[]>> window = new ArrayList<>();
      int submitted = 0;
      for (int start = 0; start < todo.size(); start += o.batch()) {
        int end = Math.min(todo.size(), start + o.batch());
        while (submitted < Math.min(todo.size(), end + 2 * o.batch())) {
          Path p = todo.get(submitted++);
          window.add(pool.submit(() -> classifier.preprocess(p)));
        }
        List<Path> paths = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int i = start; i < end; i++) {
          Path p = todo.get(i);
          try {
            pixels.add(window.get(i - start).get());
            paths.add(p);
          } catch (ExecutionException e) {
            String msg = e.getCause() instanceof ImageDecodeException || e.getCause() instanceof UncheckedIOException
                ? e.getCause().getMessage() : String.valueOf(e.getCause());
            unreadable++;
            lines.append(fmt.errorLine(p.toString(), msg, o.topK())).append('\n');
            if (o.failFast()) {
              w.write(lines.toString());
              w.flush();
              throw new FailFastException(msg + " (--fail-fast; the " + (classified + alreadyDone)
                  + " images done so far are kept in " + partial + ")");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
          }
        }
        window.subList(0, end - start).clear();
        if (!pixels.isEmpty()) {
          List<Classifier.Result> results = classifier.classify(pixels, o.topK(), null);
          for (int i = 0; i < results.size(); i++) {
            lines.append(fmt.line(paths.get(i).toString(), results.get(i).top(), o.topK())).append('\n');
          }
          classified += results.size();
        }
        w.write(lines.toString());
        w.flush();
        bar.stepBy(end - start);
        bar.setExtraMessage(unreadable == 0 ? "" : " " + unreadable + " unreadable");
        if (o.stopAfter() > 0 && end >= o.stopAfter() && end < todo.size()) {
          stopped = true;
          break;
        }
      }
    } finally {
      pool.shutdownNow();
    }
    if (stopped) {
      log.printf("predict: stopped after %d images (--stop-after); rerun with the same --out to finish%n",
          classified + unreadable);
      return new Summary(images.size(), alreadyDone, classified, unreadable, true, null);
    }
    List<String> all = readLines(partial);
    AtomicFiles.writeString(o.out(), String.join("\n", all) + "\n");
    Files.deleteIfExists(partial);
    Metrics metrics = truth == null ? null : score(all, fmt, truth, classifier.labels());
    long errors = all.stream().map(fmt::parse).filter(r -> r != null && r.error() != null).count();
    log.printf("predict: %d images (%d classified now, %d already done), %d unreadable in all; wrote %s%n",
        images.size(), classified, alreadyDone, errors, o.out());
    if (metrics != null) {
      log.printf(Locale.ROOT, "predict: accuracy %.2f%%, macro-F1 %.2f%% on %d images with a readable file%n",
          metrics.accuracy(), metrics.macroF1(), metrics.total());
    }
    return new Summary(images.size(), alreadyDone, classified, unreadable, false, metrics);
  }

  /** Every image file named by the inputs, in a stable order, each once. */
  static List<Path> collect(List<Path> inputs, List<Path> listFiles) throws IOException {
    Set<Path> out = new LinkedHashSet<>();
    for (Path in : inputs) {
      if (Files.isDirectory(in)) {
        try (Stream<Path> walk = Files.walk(in)) {
          walk.filter(Files::isRegularFile).filter(Predict::looksLikeImage).sorted().forEach(out::add);
        }
      } else if (Files.exists(in)) {
        out.add(in);
      } else {
        throw new IllegalArgumentException(in + ": no such file or folder");
      }
    }
    for (Path list : listFiles) {
      if (!Files.isRegularFile(list)) {
        throw new IllegalArgumentException("--list " + list + ": no such file");
      }
      for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("#")) {
          Path p = Path.of(t);
          out.add(p.isAbsolute() ? p : list.getParent() == null ? p : list.getParent().resolve(p));
        }
      }
    }
    return List.copyOf(out);
  }

  private static boolean looksLikeImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return dot >= 0 && !n.startsWith(".") && IMAGE_ENDINGS.contains(n.substring(dot));
  }

  /** The true label of each image: its parent folder's name, which must be a label (or one with '_' for ' '). */
  private static Map<Path, Integer> truth(List<Path> images, List<String> labels) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      index.putIfAbsent(labels.get(i), i);
      index.putIfAbsent(labels.get(i).replace(' ', '_'), i);
    }
    Map<Path, Integer> out = new LinkedHashMap<>();
    for (Path p : images) {
      Path parent = p.toAbsolutePath().getParent();
      String folder = parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString();
      Integer label = index.get(folder);
      if (label == null) {
        throw new IllegalArgumentException("--truth folders: " + p + " is in folder '" + folder
            + "', which is not one of the " + labels.size() + " labels " + labels);
      }
      out.put(p, label);
    }
    return out;
  }

  private static Metrics score(List<String> lines, PredictOutput fmt, Map<Path, Integer> truth, List<String> labels) {
    Map<String, Integer> byPath = new HashMap<>();
    truth.forEach((p, l) -> byPath.put(p.toString(), l));
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      index.putIfAbsent(labels.get(i), i);
    }
    Metrics m = new Metrics(labels.size());
    for (String line : lines) {
      PredictOutput.Row r = fmt.parse(line);
      if (r != null && r.top1() != null && byPath.containsKey(r.path())) {
        m.add(byPath.get(r.path()), index.get(r.top1()));
      }
    }
    return m;
  }

  /** The complete lines of a file (a last line without its newline, cut short by a kill, is dropped). */
  private static List<String> readLines(Path f) throws IOException {
    if (!Files.isRegularFile(f)) {
      return List.of();
    }
    String s = Files.readString(f, StandardCharsets.UTF_8);
    int end = s.lastIndexOf('\n');
    if (end < 0) {
      return List.of();
    }
    return s.substring(0, end).lines().toList();
  }

  private static void writePartial(Path partial, String header, List<String> previous, PredictOutput fmt)
      throws IOException {
    List<String> keep = new ArrayList<>();
    if (header != null) {
      keep.add(header);
    }
    Set<String> seen = new java.util.HashSet<>();
    for (String line : previous) {
      PredictOutput.Row r = fmt.parse(line);
      if (r != null && seen.add(r.path())) { // a kill between writing OUT and deleting OUT.partial repeats lines
        keep.add(line);
      }
    }
    AtomicFiles.writeString(partial, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
  }
}
