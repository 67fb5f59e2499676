package dev.cliptune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.clip.Tensors;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.data.Item;
import dev.cliptune.io.AtomicFiles;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.pipeline.BatchLoader;
import dev.cliptune.pipeline.DecodedImages;
import dev.cliptune.pipeline.TrainTransform;
import dev.cliptune.prompt.checkpoint.PromptCheckpoint;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptParameter;
import dev.cliptune.prompt.checkpoint.CheckpointException;
import dev.cliptune.prompt.checkpoint.LoadedCheckpoint;
import dev.cliptune.prompt.checkpoint.TrainingState;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The training loop (PROTOCOL.md §5–8): per epoch a fresh permutation with Dassl's {@code drop_last} rule,
 * the train transform, and for every batch the one {@link TrainingStep} (forward, loss, backward, PyTorch-exact
 * SGD) at the epoch's rate of the constant-warm-up cosine schedule; then the learner's
 * {@link PromptLearner#epochEnded} hook. After every epoch the prompts, the optimiser state and the epoch are
 * written atomically to {@code <dir>/checkpoints/epoch-<E>.safetensors} (the previous one is removed) and
 * {@code <dir>/checkpoints/latest} names it; {@link #fit} with {@code resume} continues from there and ends
 * with the same prompts as an uninterrupted run, because every random draw is a function of (seed, epoch,
 * position). A NaN or infinite loss stops training with the step and a hint. The epochs' loss, training accuracy
 * and learning rate are kept in {@code <dir>/history.json} (rewritten atomically after every epoch, kept across a
 * resume), which the HTML report draws as training curves.
 */
public final class Trainer {
  /** What an epoch reports. */
  public record EpochLog(int epoch, int epochs, double lr, double loss, double accuracy, int steps, double seconds) {}

  private final PromptLearner learner;
  private final TrainOptions options;
  private final ClipPreprocessor pre;
  private final Path checkpointDir;
  private final Path historyFile;
  private final PrintStream log;
  private java.util.function.Consumer<EpochLog> onEpochEnd = e -> {};

  public Trainer(PromptLearner learner, ClipPreprocessor pre, TrainOptions options, Path outputDir, PrintStream log) {
    this.learner = learner;
    this.pre = pre;
    this.options = options;
    this.checkpointDir = outputDir.resolve("checkpoints");
    this.historyFile = outputDir.resolve(HISTORY);
    this.log = log;
  }

  /** The per-epoch record of a run directory: {@code {"epochs": [{"epoch": 1, "lr": ..., "loss": ..., ...}]}}. */
  public static final String HISTORY = "history.json";

  /** Called after every epoch, once its checkpoint is on disk. */
  public Trainer onEpochEnd(java.util.function.Consumer<EpochLog> listener) {
    this.onEpochEnd = listener;
    return this;
  }

  public Path latestCheckpoint() {
    Path pointer = checkpointDir.resolve("latest");
    if (!Files.isRegularFile(pointer)) {
      return null;
    }
    try {
      Path p = checkpointDir.resolve(Files.readString(pointer).trim());
      if (!Files.isRegularFile(p)) {
        throw new CheckpointException(pointer + " names " + p.getFileName() + ", which does not exist");
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Trains on {@code train}; with {@code resume}, continues after the last completed epoch if there is one. */
  public List<EpochLog> fit(List<Item> train, boolean resume) {
    if (train.isEmpty()) {
      throw new IllegalArgumentException("no training images");
    }
    LrSchedule schedule = options.schedule();
    List<EpochLog> logs = new ArrayList<>();
    TrainTransform transform = new TrainTransform(pre, options.cropScaleMin(), 1.0, true);
    DecodedImages cache = new DecodedImages(options.decodeCacheBytes());
    int r = pre.resolution();
    try (TrainingStep step = new TrainingStep(learner, options.momentum(), options.weightDecay());
        NDManager manager = NDManager.newBaseManager(learner.clip().device())) {
      int start = 0;
      long globalStep = 0;
      Path latest = resume ? latestCheckpoint() : null;
      if (latest != null) {
        TrainingState st = restore(latest, step.optimiser());
        start = st.epoch();
        globalStep = st.globalStep();
        log.printf("resuming from %s: %d of %d epochs done%n", latest, start, options.epochs());
      }
      List<EpochLog> history = readHistory(start);
      for (int e = start; e < options.epochs(); e++) {
        double lr = schedule.lr(e);
        long t0 = System.nanoTime();
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        int steps = 0;
        try (BatchLoader loader = BatchLoader.train(train, options.batchSize(), transform, cache, options.seed(), e,
                options.threads(), options.skipCorrupt());
            ProgressBar bar = options.progress() ? progressBar(e, loader.batches()) : null) {
          while (loader.hasNext()) {
            BatchLoader.Batch b = loader.next();
            if (b.size() == 0) {
              continue;
            }
            TrainingStep.Result result;
            try (NDManager batch = manager.newSubManager()) {
              NDArray px = Tensors.owned(batch, b.pixels(), new Shape(b.size(), 3, r, r));
              NDArray labels = batch.create(b.labels());
              result = step.run(px, labels, lr);
            } catch (TrainingDivergedException diverged) {
              throw diverged.at(e, steps);
            }
            steps++;
            globalStep++;
            lossSum += result.loss() * b.size();
            seen += b.size();
            long[] pred = result.predictions();
            for (int i = 0; i < pred.length; i++) {
              if (pred[i] == b.labels()[i]) {
                correct++;
              }
            }
            if (bar != null) {
              bar.step();
              bar.setExtraMessage(String.format(" loss %.4f acc %.1f%% lr %.2e", lossSum / seen, 100.0 * correct / seen, lr));
            }
          }
        }
        EpochLog el = new EpochLog(e + 1, options.epochs(), lr, seen == 0 ? Double.NaN : lossSum / seen,
            seen == 0 ? Double.NaN : 100.0 * correct / seen, steps, (System.nanoTime() - t0) / 1e9);
        logs.add(el);
        history.add(el);
        log.printf("epoch [%d/%d] loss %.4f acc %.1f%% lr %.4e (%d steps, %.1f s)%n", el.epoch(), el.epochs(),
            el.loss(), el.accuracy(), el.lr(), el.steps(), el.seconds());
        learner.epochEnded(e + 1, options.epochs());
        save(e + 1, globalStep, schedule.lr(Math.min(e + 1, options.epochs() - 1)), schedule, step.optimiser());
        writeHistory(history);
        onEpochEnd.accept(el);
      }
    }
    return logs;
  }

  /** The epochs up to {@code epochsDone} of an earlier (interrupted) run's history, empty when there is none. */
  private List<EpochLog> readHistory(int epochsDone) {
    List<EpochLog> out = new ArrayList<>();
    if (epochsDone == 0 || !Files.isRegularFile(historyFile)) {
      return out;
    }
    try {
      for (JsonNode n : JSON.readTree(historyFile.toFile()).path("epochs")) {
        if (n.path("epoch").asInt() <= epochsDone) {
          out.add(new EpochLog(n.path("epoch").asInt(), n.path("epochs").asInt(), n.path("lr").asDouble(),
              n.path("loss").asDouble(Double.NaN), n.path("accuracy").asDouble(Double.NaN), n.path("steps").asInt(),
              n.path("seconds").asDouble()));
        }
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot read " + historyFile + " (the training history of the run resumed)", ex);
    }
    return out;
  }

  private void writeHistory(List<EpochLog> logs) {
    List<Map<String, Object>> epochs = new ArrayList<>();
    for (EpochLog l : logs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epoch", l.epoch());
      m.put("epochs", l.epochs());
      m.put("lr", l.lr());
      m.put("loss", Double.isFinite(l.loss()) ? l.loss() : null);
      m.put("accuracy", Double.isFinite(l.accuracy()) ? l.accuracy() : null);
      m.put("steps", l.steps());
      m.put("seconds", l.seconds());
      epochs.add(m);
    }
    try {
      AtomicFiles.writeString(historyFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
          Map.of("epochs", epochs)) + "\n");
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write " + historyFile, ex);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private ProgressBar progressBar(int epoch, int iterations) {
    return new ProgressBarBuilder().setTaskName(String.format("epoch %d/%d", epoch + 1, options.epochs()))
        .setInitialMax(iterations).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
        .continuousUpdate().showSpeed().build();
  }

  private void save(int epochsDone, long globalStep, double nextLr, LrSchedule schedule, Sgd sgd) {
    try {
      Files.createDirectories(checkpointDir);
      Path previous = latestCheckpoint();
      String name = "epoch-" + epochsDone + ".safetensors";
      TrainingState st = new TrainingState(epochsDone, globalStep, nextLr, schedule.state(), sgd.state(), sgd.steps(),
          "derived: seed " + options.seed() + " x (epoch, position)", learner.epochState());
      PromptCheckpoint.save(checkpointDir.resolve(name), learner, st);
      AtomicFiles.writeString(checkpointDir.resolve("latest"), name + "\n");
      if (previous != null && !previous.getFileName().toString().equals(name)) {
        Files.deleteIfExists(previous);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write the checkpoint under " + checkpointDir, ex);
    }
  }

  private TrainingState restore(Path file, Sgd sgd) {
    LoadedCheckpoint ck = PromptCheckpoint.read(file);
    ck.requireBackbone(learner.clip());
    if (!ck.config().equals(learner.config())) {
      throw new CheckpointException(file + ": the checkpoint was trained with " + ck.config()
          + ", this run asks for " + learner.config() + "; use another --output or drop --resume");
    }
    if (!ck.classNames().equals(learner.classNames())) {
      throw new CheckpointException(file + ": the checkpoint's classes " + ck.classNames()
          + " differ from this run's " + learner.classNames());
    }
    if (ck.trainingState() == null) {
      throw new CheckpointException(file + ": a weights-only checkpoint cannot resume training");
    }
    for (PromptParameter p : learner.parameters()) {
      FloatTensor t = ck.tensors().get(p.checkpointKey());
      learner.setParameter(p.name(), t.data(), t.shape());
    }
    sgd.restore(ck.trainingState());
    try {
      learner.restoreEpochState(ck.trainingState().extra());
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file + ": " + e.getMessage(), e);
    }
    return ck.trainingState();
  }
}
