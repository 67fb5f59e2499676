package dev.cliptune.zeroshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Zero-shot CLIP (METHODS.md §1): class text features from one template ({@code ZeroshotCLIP}) or an
 * ensemble ({@code ZeroshotCLIP2}: per template normalise, average, normalise again), computed once, in
 * chunks of classes so memory stays bounded for 1,000 classes, and kept for every image batch.
 */
public final class ZeroShotClassifier implements AutoCloseable {
  /** Class prompts encoded per text-encoder call. */
  public static final int DEFAULT_CHUNK = 128;

  private final ClipModel model;
  private final NDManager manager;
  private final NDArray textFeatures;
  private final List<String> classNames;

  private ZeroShotClassifier(ClipModel model, NDManager manager, NDArray textFeatures, List<String> classNames) {
    this.model = model;
    this.manager = manager;
    this.textFeatures = textFeatures;
    this.classNames = List.copyOf(classNames);
  }

  /** Class names as the official trainers put them in prompts: underscores become spaces. */
  public static String promptName(String className) {
    return className.replace('_', ' ');
  }

  /** The prompt texts, template-major: for every template, every class. */
  public static List<String> prompts(List<String> templates, List<String> classNames) {
    List<String> out = new ArrayList<>();
    for (String t : templates) {
      for (String c : classNames) {
        out.add(Templates.fill(t, promptName(c)));
      }
    }
    return out;
  }

  public static ZeroShotClassifier build(ClipModel model, ClipTokenizer tokenizer, List<String> classNames,
      List<String> templates) {
    return build(model, tokenizer, classNames, templates, DEFAULT_CHUNK);
  }

  /** Encodes every class under every template, {@code chunk} prompts per text-encoder call. */
  public static ZeroShotClassifier build(ClipModel model, ClipTokenizer tokenizer, List<String> classNames,
      List<String> templates, int chunk) {
    if (classNames.isEmpty()) {
      throw new IllegalArgumentException("zero-shot classifier needs at least one class name");
    }
    if (templates.isEmpty()) {
      throw new IllegalArgumentException("zero-shot classifier needs at least one template");
    }
    int ctx = model.config().text().contextLength();
    int c = classNames.size();
    NDManager manager = NDManager.newBaseManager(model.device());
    try {
      NDArray sum = null;
      for (String template : templates) {
        List<String> texts = prompts(List.of(template), classNames);
        NDList parts = new NDList();
        for (int start = 0; start < c; start += chunk) {
          int end = Math.min(c, start + chunk);
          long[] ids = new long[(end - start) * ctx];
          for (int i = start; i < end; i++) {
            System.arraycopy(tokenizer.tokenize(texts.get(i), ctx, false), 0, ids, (i - start) * ctx, ctx);
          }
          try (NDManager step = manager.newSubManager()) {
            NDArray f = model.encodeText(step.create(ids, new Shape(end - start, ctx)));
            NDArray n = ClipModel.l2Normalise(f);
            n.attach(manager);
            parts.add(n);
          }
        }
        NDArray perTemplate = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
        if (perTemplate != parts.get(0)) {
          parts.close();
        }
        if (sum == null) {
          sum = perTemplate;
        } else {
          NDArray s = sum.add(perTemplate);
          sum.close();
          perTemplate.close();
          sum = s;
        }
      }
      NDArray features;
      if (templates.size() == 1) {
        features = sum;
      } else {
        try (NDArray mean = sum.div(templates.size())) {
          features = ClipModel.l2Normalise(mean);
        }
        sum.close();
      }
      return new ZeroShotClassifier(model, manager, features, classNames);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Normalised class text features {@code [C, E]} (owned by this classifier). */
  public NDArray textFeatures() {
    return textFeatures;
  }

  public List<String> classNames() {
    return classNames;
  }

  /** Logits {@code [B, C]} of a batch of preprocessed images, in the manager of {@code pixels}. */
  public NDArray logits(NDArray pixels) {
    try (NDArray f = model.encodeImage(pixels)) {
      return logitsOfFeatures(f);
    }
  }

  /** Logits from image features already computed ({@code [B, E]}, not normalised). */
  public NDArray logitsOfFeatures(NDArray imageFeatures) {
    return model.logits(imageFeatures, textFeatures);
  }

  @Override
  public void close() {
    manager.close();
  }
}
