package dev.cliptune.prompt.checkpoint;

import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.SafeTensorsWriter;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptLearners;
import dev.cliptune.prompt.PromptParameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Portable prompt checkpoints (METHODS.md §9): one safetensors file holding a learner's tensors under their
 * official checkpoint keys, with the method and every hyper-parameter, the backbone's identity, the class names
 * and optionally the training state in its {@code __metadata__} (layout: {@link CheckpointFormat}).
 *
 * <p>As in the official loader, the {@code token_prefix} / {@code token_suffix} buffers are not part of a
 * checkpoint: loading builds the learner for the <em>current</em> class names, so unified contexts transfer to
 * other class lists. A class-specific context refuses another class list, and a checkpoint refuses another
 * backbone. Writes are atomic: a failed save leaves an existing file as it was.
 *
 * <p>To resume training: {@code ck = read(f); learner = load(ck, clip, tok, null, method);
 * new Sgd(learner.parameters(), ...).restore(ck.trainingState())}.
 */
public final class PromptCheckpoint {
  private PromptCheckpoint() {}

  /**
   * Writes {@code learner}'s parameters and, unless {@code state} is null, its training state to {@code file}
   * (atomically: temporary file beside it, then rename).
   *
   * @throws IllegalArgumentException when {@code state} has a momentum buffer for no parameter of the learner
   *     or of the wrong size
   */
  public static void save(Path file, PromptLearner learner, TrainingState state) throws IOException {
    MethodConfig config = learner.config();
    Map<String, PromptParameter> byName = new LinkedHashMap<>();
    Map<String, String> parameterNames = new LinkedHashMap<>();
    List<FloatTensor> tensors = new ArrayList<>();
    for (PromptParameter p : learner.parameters()) {
      byName.put(p.name(), p);
      parameterNames.put(p.checkpointKey(), p.name());
      tensors.add(new FloatTensor(p.checkpointKey(), p.value().getShape().getShape(), p.value().toFloatArray()));
    }
    if (state != null) {
      for (Map.Entry<String, float[]> e : state.momentum().entrySet()) {
        PromptParameter p = byName.get(e.getKey());
        if (p == null) {
          throw new IllegalArgumentException(file + ": cannot save a momentum buffer for '" + e.getKey()
              + "': " + config.method().officialName + " has no such parameter (it has " + byName.keySet() + ")");
        }
        long[] shape = p.value().getShape().getShape();
        if (e.getValue().length != p.value().getShape().size()) {
          throw new IllegalArgumentException(file + ": momentum buffer of '" + e.getKey() + "' has "
              + e.getValue().length + " values, the parameter has shape " + Arrays.toString(shape));
        }
        tensors.add(new FloatTensor(CheckpointFormat.MOMENTUM_PREFIX + p.checkpointKey(), shape, e.getValue()));
      }
    }
    SafeTensorsWriter w = new SafeTensorsWriter()
        .metadata(CheckpointFormat.metadata(learner, parameterNames, tensors, state));
    for (FloatTensor t : tensors) {
      w.putFloats(t.name(), t.data(), t.shape());
    }
    w.write(file);
  }

  /**
   * Reads and checks a checkpoint without a model: format, metadata, the tensor set against
   * {@code parameter_names}, and the tensors' SHA-256 (a corrupted file is an error).
   */
  public static LoadedCheckpoint read(Path file) {
    return LoadedCheckpoint.read(file);
  }

  /** {@link #read} then {@link #load(LoadedCheckpoint, ClipModel, ClipTokenizer, List, Method)} for any method. */
  public static PromptLearner load(Path file, ClipModel clip, ClipTokenizer tokenizer, List<String> classNames) {
    return load(read(file), clip, tokenizer, classNames, null);
  }

  /**
   * Builds the checkpoint's learner (its stored {@link MethodConfig}) on {@code clip} for {@code classNames} and
   * sets every learned tensor. The caller closes the learner.
   *
   * @param classNames the classes to build the prompts for; null for the checkpoint's own
   * @param expected   the method the caller needs, or null for any
   * @throws CheckpointException for another method than {@code expected}, another backbone, a class-specific
   *     context and another class list, or a tensor set or shape the learner does not have
   */
  public static PromptLearner load(LoadedCheckpoint ck, ClipModel clip, ClipTokenizer tokenizer,
      List<String> classNames, Method expected) {
    if (expected != null) {
      ck.requireMethod(expected);
    }
    ck.requireBackbone(clip);
    List<String> classes = classNames == null ? ck.classNames() : List.copyOf(classNames);
    if (ck.classSpecific()) {
      ck.requireClassList(classes);
    }
    PromptLearner learner = PromptLearners.create(clip, tokenizer, classes, ck.config());
    try {
      assign(ck, learner);
      return learner;
    } catch (RuntimeException e) {
      learner.close();
      throw e;
    }
  }

  /** Sets each stored tensor on the learner, after checking that both have exactly the same tensors. */
  private static void assign(LoadedCheckpoint ck, PromptLearner learner) {
    Map<String, PromptParameter> want = new LinkedHashMap<>();
    learner.parameters().forEach(p -> want.put(p.checkpointKey(), p));
    Set<String> missing = new LinkedHashSet<>(want.keySet());
    missing.removeAll(ck.tensors().keySet());
    Set<String> extra = new LinkedHashSet<>(ck.tensors().keySet());
    extra.removeAll(want.keySet());
    String what = "the " + ck.method().officialName + " learner built from the checkpoint's configuration";
    if (!missing.isEmpty() || !extra.isEmpty()) {
      throw new CheckpointException(ck.file() + ": " + what + " has tensors " + want.keySet() + "; the file "
          + (missing.isEmpty() ? "" : "lacks " + missing + (extra.isEmpty() ? "" : " and "))
          + (extra.isEmpty() ? "" : "has unexpected " + extra));
    }
    for (PromptParameter p : want.values()) {
      FloatTensor t = ck.tensors().get(p.checkpointKey());
      String storedName = ck.parameterNames().get(p.checkpointKey());
      if (!p.name().equals(storedName)) {
        throw new CheckpointException(ck.file() + ": tensor '" + p.checkpointKey() + "' is the parameter '"
            + storedName + "' in the file but '" + p.name() + "' in " + what);
      }
      long[] shape = p.value().getShape().getShape();
      if (!Arrays.equals(shape, t.shape())) {
        throw new CheckpointException(ck.file() + ": tensor '" + p.checkpointKey() + "' has shape "
            + t.shapeString() + " in the file, " + what + " for " + learner.classNames().size()
            + " classes expects " + Arrays.toString(shape));
      }
      learner.setParameter(p.name(), t.data(), shape);
    }
  }
}
