package dev.cliptune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.cliptune.clip.Precision;
import dev.cliptune.clip.Tensors;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.image.ImageDecoder;
import dev.cliptune.clip.image.RgbImage;
import dev.cliptune.prompt.Evaluator;
import dev.cliptune.prompt.checkpoint.PromptCheckpoint;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.checkpoint.LoadedCheckpoint;
import dev.cliptune.zeroshot.Templates;
import dev.cliptune.zeroshot.ZeroShotClassifier;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A classifier ready to use: a CLIP model plus either learned prompts (a checkpoint of any method) or labels with
 * templates (zero-shot), with CLIP's preprocessing built in.
 *
 * <pre>{@code
 * try (Classifier c = Classifier.fromCheckpoint("builtin:tiny", Path.of("prompts.safetensors"), null)) {
 *   for (Classifier.Prediction p : c.classify(Path.of("cat.jpg"), 3)) {
 *     System.out.println(p.label() + " " + p.probability());
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe: images are decoded and preprocessed in the calling thread, the forward passes of all threads
 * are serialised (libtorch parallelises each one inside). Class text features are computed once per label set
 * where they do not depend on the image (zero-shot, CoOp, MaPLe, IVLP, VPT, through {@link Evaluator}); CoCoOp
 * and MIP condition them on each image, in chunks. Zero-shot classifiers and checkpoints with a unified context
 * also classify against other labels ({@link #acceptsLabels()}); their text features are cached for the most
 * recent {@value #CACHED_LABEL_SETS} label sets. Every array of a forward pass lives in one manager closed after
 * it, so memory does not grow with the number of calls.
 */
public final class Classifier implements AutoCloseable {
  /** How many label sets keep their text features in memory. */
  public static final int CACHED_LABEL_SETS = 8;

  /**
   * Images per forward pass by default. libtorch's CPU kernels pick their blocking by the batch size, so an
   * image's logits differ in the last bits between a batch of 1 and a batch of 5; at one fixed shape they do
   * not depend on the image's position or on its neighbours (checked by ClassifierTest). A classifier therefore
   * runs every forward pass on exactly this many images (a short batch is padded with blank images), so an image
   * gets bit-identical logits alone, in {@code predict} or in whatever batch the server coalesced it into. 8 is
   * also the image tower's chunk at ViT-B/16 size ({@link dev.cliptune.clip.ClipModel#IMAGE_TOKENS_PER_CALL}).
   */
  public static final int DEFAULT_MICRO_BATCH = 8;

  /** One label with its softmax probability; {@code index} is the label's position in the label list. */
  public record Prediction(String label, int index, float probability) {
    @Override
    public String toString() {
      return String.format("%-30s %6.2f%%", label, 100 * probability);
    }
  }

  /** The outcome for one image: the top-k predictions and the logits of every label, in label order. */
  public record Result(List<Prediction> top, float[] logits) {}

  /** Text side for one label set: logits of a pixel batch. */
  private interface Head extends AutoCloseable {
    NDArray logits(NDArray pixels);

    @Override
    void close();
  }

  private final Clip clip;
  private final boolean ownsClip;
  private final LoadedCheckpoint checkpoint;
  private final String checkpointSha256;
  private final List<String> templates;
  private final List<String> labels;
  private final ReentrantLock forward = new ReentrantLock();
  private volatile int microBatch = DEFAULT_MICRO_BATCH;
  private final Map<List<String>, Head> heads = new LinkedHashMap<>(16, 0.75f, true);

  private Classifier(Clip clip, boolean ownsClip, LoadedCheckpoint checkpoint, String checkpointSha256,
      List<String> templates, List<String> labels) {
    this.clip = clip;
    this.ownsClip = ownsClip;
    this.checkpoint = checkpoint;
    this.checkpointSha256 = checkpointSha256;
    this.templates = List.copyOf(templates);
    this.labels = List.copyOf(labels);
  }

  // ------------------------------------------------------------------ construction

  /** Zero-shot CLIP over {@code labels} with the given templates (one, or an ensemble), on a model spec. */
  public static Classifier zeroShot(String modelSpec, List<String> labels, List<String> templates) {
    return zeroShot(modelSpec, labels, templates, Precision.FP32);
  }

  /** As {@link #zeroShot(String, List, List)}, the encoders in {@code precision} ({@link Clip#load(Path, Precision)}). */
  public static Classifier zeroShot(String modelSpec, List<String> labels, List<String> templates,
      Precision precision) {
    return owning(Clip.load(Models.resolve(modelSpec), precision), clip -> zeroShot(clip, labels, templates, true));
  }

  /** Zero-shot CLIP on a loaded model; the model stays the caller's (closing this classifier leaves it open). */
  public static Classifier zeroShot(Clip clip, List<String> labels, List<String> templates) {
    return zeroShot(clip, labels, templates, false);
  }

  private static Classifier zeroShot(Clip clip, List<String> labels, List<String> templates, boolean owns) {
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("a zero-shot classifier needs at least one label");
    }
    List<String> t = templates == null || templates.isEmpty() ? List.of(Templates.DEFAULT) : templates;
    for (String s : t) {
      if (!s.contains("{}")) {
        throw new IllegalArgumentException("template '" + s + "' has no {} for the label");
      }
    }
    Classifier c = new Classifier(clip, owns, null, null, t, labels);
    c.warm(c.labels);
    return c;
  }

  /**
   * Learned prompts of any method on a model spec.
   *
   * @param labels the classes to classify into; null for the checkpoint's own (other names need a unified
   *     context: a class-specific one is refused with a clear message)
   */
  public static Classifier fromCheckpoint(String modelSpec, Path checkpoint, List<String> labels) {
    return fromCheckpoint(modelSpec, checkpoint, labels, Precision.FP32);
  }

  /** As {@link #fromCheckpoint(String, Path, List)}, the encoders in {@code precision}. */
  public static Classifier fromCheckpoint(String modelSpec, Path checkpoint, List<String> labels,
      Precision precision) {
    return owning(Clip.load(Models.resolve(modelSpec), precision),
        clip -> fromCheckpoint(clip, checkpoint, labels, true));
  }

  /** Learned prompts on a loaded model; the model stays the caller's. */
  public static Classifier fromCheckpoint(Clip clip, Path checkpoint, List<String> labels) {
    return fromCheckpoint(clip, checkpoint, labels, false);
  }

  private static Classifier fromCheckpoint(Clip clip, Path file, List<String> labels, boolean owns) {
    LoadedCheckpoint ck = PromptCheckpoint.read(file);
    ck.requireBackbone(clip.model());
    Classifier c = new Classifier(clip, owns, ck, sha256(file), List.of(),
        labels == null ? ck.classNames() : labels);
    c.warm(c.labels);
    return c;
  }

  private interface Build {
    Classifier apply(Clip clip);
  }

  private static Classifier owning(Clip clip, Build build) {
    try {
      return build.apply(clip);
    } catch (RuntimeException e) {
      clip.close();
      throw e;
    }
  }

  /** Builds the default label set's text side now, so the first request does not pay for it. */
  private void warm(List<String> forLabels) {
    forward.lock();
    try {
      head(forLabels);
    } finally {
      forward.unlock();
    }
  }

  // ------------------------------------------------------------------ description

  public List<String> labels() {
    return labels;
  }

  /** The official method name ({@code CoOp}, {@code MaPLe}, ...) or {@code ZeroshotCLIP}. */
  public String method() {
    return checkpoint == null ? "ZeroshotCLIP" : checkpoint.method().officialName;
  }

  /** The zero-shot templates (empty for learned prompts). */
  public List<String> templates() {
    return templates;
  }

  /** The checkpoint file, or null for zero-shot. */
  public Path checkpointFile() {
    return checkpoint == null ? null : checkpoint.file();
  }

  /** SHA-256 of the checkpoint file's bytes, or null for zero-shot. */
  public String checkpointSha256() {
    return checkpointSha256;
  }

  public Clip clip() {
    return clip;
  }

  /**
   * Sets the images per forward pass ({@link #DEFAULT_MICRO_BATCH}; 0: each call's batch as it is, fastest for
   * lone images but the last bits of the logits then depend on the batch). Returns this classifier.
   */
  public Classifier microBatch(int images) {
    if (images < 0) {
      throw new IllegalArgumentException("micro-batch must be 0 (off) or positive, got " + images);
    }
    this.microBatch = images;
    return this;
  }

  public int microBatch() {
    return microBatch;
  }

  /** Whether {@link #classify(List, int, List)} takes labels other than {@link #labels()}. */
  public boolean acceptsLabels() {
    return checkpoint == null || !checkpoint.classSpecific();
  }

  // ------------------------------------------------------------------ preprocessing (any thread, no lock)

  public ClipPreprocessor preprocessor() {
    return clip.preprocessor();
  }

  /** CLIP's preprocessing of an image file: {@code [3, R, R]} floats. */
  public float[] preprocess(Path image) {
    return preprocessor().apply(image);
  }

  /**
   * CLIP's preprocessing of an encoded image (PNG, JPEG, ...), refusing an image whose header declares more than
   * {@code maxPixels} pixels before anything is decoded.
   */
  public float[] preprocess(byte[] encoded, String nameForErrors, long maxPixels) {
    return preprocessor().apply(ImageDecoder.decode(encoded, nameForErrors, maxPixels));
  }

  /** CLIP's preprocessing of an image in memory (converted to RGB as PIL's {@code convert("RGB")}). */
  public float[] preprocess(BufferedImage image) {
    return preprocessor().apply(ImageDecoder.toRgb(image));
  }

  public float[] preprocess(RgbImage image) {
    return preprocessor().apply(image);
  }

  // ------------------------------------------------------------------ classification

  /** Top-{@code k} labels of an image file. */
  public List<Prediction> classify(Path image, int k) {
    return classify(List.of(preprocess(image)), k, null).get(0).top();
  }

  /** Top-{@code k} labels of an encoded image (PNG, JPEG, ...). */
  public List<Prediction> classify(byte[] encoded, int k) {
    return classify(List.of(preprocess(encoded, "<image bytes>", ImageDecoder.MAX_PIXELS)), k, null).get(0).top();
  }

  /** Top-{@code k} labels of an image in memory. */
  public List<Prediction> classify(BufferedImage image, int k) {
    return classify(List.of(preprocess(image)), k, null).get(0).top();
  }

  /** Top-{@code k} labels of each image file, in one batch (decoded in parallel). */
  public List<List<Prediction>> classifyAll(List<Path> images, int k) {
    List<float[]> pixels = images.parallelStream().map(this::preprocess).toList();
    return classify(pixels, k, null).stream().map(Result::top).toList();
  }

  /**
   * The batched form every other call goes through: preprocessed images ({@link #preprocess}) to results.
   *
   * @param labels the labels to classify into, or null for {@link #labels()}
   */
  public List<Result> classify(List<float[]> pixels, int k, List<String> labels) {
    if (k < 1) {
      throw new IllegalArgumentException("top-k must be at least 1, got " + k);
    }
    List<String> names = labels == null ? this.labels : labels;
    float[][] logits = logits(pixels, names);
    List<Result> out = new ArrayList<>(logits.length);
    for (float[] row : logits) {
      out.add(new Result(top(row, names, k), row));
    }
    return out;
  }

  /** Logits {@code [B][C]} of preprocessed images against {@code labels} (null: {@link #labels()}). */
  public float[][] logits(List<float[]> pixels, List<String> labels) {
    List<String> names = labels == null ? this.labels : List.copyOf(labels);
    if (!names.equals(this.labels) && !acceptsLabels()) {
      throw new IllegalArgumentException("this " + method() + " classifier has a class-specific context learned"
          + " for its own " + this.labels.size() + " labels; it cannot classify into other labels");
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("no labels to classify into");
    }
    int r = preprocessor().resolution();
    int size = 3 * r * r;
    for (int i = 0; i < pixels.size(); i++) {
      if (pixels.get(i).length != size) {
        throw new IllegalArgumentException("image " + i + " has " + pixels.get(i).length + " values, expected 3x"
            + r + "x" + r);
      }
    }
    int mb = microBatch;
    int per = mb == 0 ? Math.max(1, pixels.size()) : mb;
    float[][] out = new float[pixels.size()][];
    forward.lock();
    try {
      JniUtils.setGradMode(false); // grad mode is per thread in libtorch: inference threads record no graph
      Head head = head(names);
      for (int start = 0; start < pixels.size(); start += per) {
        int n = Math.min(per, pixels.size() - start);
        float[] batch = new float[per * size]; // rows past n stay blank (padding to the fixed shape)
        for (int i = 0; i < n; i++) {
          System.arraycopy(pixels.get(start + i), 0, batch, i * size, size);
        }
        try (NDManager m = NDManager.newBaseManager(clip.model().device())) {
          NDArray px = Tensors.owned(m, batch, new Shape(per, 3, r, r));
          float[] flat = head.logits(px).toFloatArray();
          int c = names.size();
          for (int i = 0; i < n; i++) {
            out[start + i] = java.util.Arrays.copyOfRange(flat, i * c, (i + 1) * c);
          }
        }
      }
      return out;
    } finally {
      forward.unlock();
    }
  }

  /** Softmax (in double) and the {@code k} most probable labels, ties in label order. */
  public static List<Prediction> top(float[] logits, List<String> labels, int k) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double[] e = new double[logits.length];
    double sum = 0;
    for (int j = 0; j < logits.length; j++) {
      e[j] = Math.exp(logits[j] - max);
      sum += e[j];
    }
    List<Prediction> all = new ArrayList<>(logits.length);
    for (int j = 0; j < logits.length; j++) {
      all.add(new Prediction(labels.get(j), j, (float) (e[j] / sum)));
    }
    all.sort((a, b) -> a.probability() != b.probability() ? Float.compare(b.probability(), a.probability())
        : Integer.compare(a.index(), b.index()));
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  /** The text side of a label set (built on first use; the least recently used beyond the cache is closed). */
  private Head head(List<String> names) {
    Head h = heads.get(names);
    if (h == null) {
      h = checkpoint == null ? zeroShotHead(names) : promptHead(names);
      heads.put(names, h);
      if (heads.size() > CACHED_LABEL_SETS) { // the default label set stays
        var it = heads.entrySet().iterator();
        while (it.hasNext()) {
          var e = it.next();
          if (!e.getKey().equals(labels)) {
            e.getValue().close();
            it.remove();
            break;
          }
        }
      }
    }
    return h;
  }

  private Head zeroShotHead(List<String> names) {
    ZeroShotClassifier zs = ZeroShotClassifier.build(clip.model(), clip.tokenizer(), names, templates);
    return head(zs::logits, zs::close);
  }

  /** The method-specific part: the checkpoint's learner for these labels, evaluated through {@link Evaluator}. */
  private Head promptHead(List<String> names) {
    PromptLearner learner = PromptCheckpoint.load(checkpoint, clip.model(), clip.tokenizer(), names, null);
    Evaluator ev = learner.evaluator();
    return head(ev::logits, () -> {
      ev.close();
      learner.close();
    });
  }

  private static Head head(java.util.function.UnaryOperator<NDArray> logits, Runnable close) {
    return new Head() {
      @Override
      public NDArray logits(NDArray pixels) {
        return logits.apply(pixels);
      }

      @Override
      public void close() {
        close.run();
      }
    };
  }

  private static String sha256(Path file) {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(file + ": cannot read prompt checkpoint: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  @Override
  public void close() {
    forward.lock();
    try {
      heads.values().forEach(Head::close);
      heads.clear();
      if (ownsClip) {
        clip.close();
      }
    } finally {
      forward.unlock();
    }
  }
}
