package dev.cliptune.prompt.checkpoint;

import static dev.cliptune.prompt.checkpoint.CheckpointFormat.*;

import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.SafeTensorsException;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A prompt checkpoint as read from disk, checked for consistency but not yet tied to a model
 * ({@link dev.cliptune.prompt.checkpoint.PromptCheckpoint#read}).
 *
 * @param file             where it was read from (for messages)
 * @param metadata         the raw {@code __metadata__}
 * @param config           the method and all its hyper-parameters
 * @param checkpointModule the official module name ({@code prompt_learner}, {@code MultiModalPromptLearner}, ...)
 * @param backboneIdentity {@link ClipModel#identity()} of the backbone the prompts were learned on
 * @param backboneConfig   that backbone's dimensions
 * @param classNames       the class names the prompts were learned for, in class-index order
 * @param parameterNames   checkpoint key → parameter name in the whole model ({@code ctx → prompt_learner.ctx})
 * @param tensors          the learned tensors by checkpoint key, in the learner's order (no optimiser state, no
 *                         dropped buffers)
 * @param trainingState    the saved training state, or null for a weights-only checkpoint
 */
public record LoadedCheckpoint(Path file, Map<String, String> metadata, MethodConfig config, String checkpointModule,
    String backboneIdentity, ClipConfig backboneConfig, List<String> classNames, Map<String, String> parameterNames,
    Map<String, FloatTensor> tensors, TrainingState trainingState) {

  /**
   * Reads and checks a checkpoint (see {@link dev.cliptune.prompt.checkpoint.PromptCheckpoint#read}): format, metadata, the
   * tensor set against {@code parameter_names}, the momentum buffers against their parameters, and the tensors'
   * SHA-256.
   */
  public static LoadedCheckpoint read(Path file) {
    try (SafeTensors st = SafeTensors.open(file)) {
      Map<String, String> md = st.metadata();
      String format = md.get(K_FORMAT);
      if (!FORMAT.equals(format)) {
        throw new CheckpointException(file + ": not a cliptune prompt checkpoint: __metadata__ " + K_FORMAT
            + " is " + (format == null ? "absent" : "'" + format + "'") + ", expected '" + FORMAT + "'");
      }
      String version = require(file, md, K_VERSION);
      if (!VERSION.equals(version)) {
        throw new CheckpointException(file + ": prompt checkpoint format version " + version
            + " is not supported (this cliptune reads version " + VERSION + ")");
      }
      Method method;
      try {
        method = Method.parse(require(file, md, K_METHOD));
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(file + ": __metadata__ " + K_METHOD + ": " + e.getMessage(), e);
      }
      MethodConfig config = parseMethodConfig(file, method, require(file, md, K_METHOD_CONFIG));
      Map<String, String> parameterNames = parseStringMap(file, K_PARAMETER_NAMES, require(file, md,
          K_PARAMETER_NAMES));
      ClipConfig backbone = parseClipConfig(file, require(file, md, K_BACKBONE_CONFIG));
      List<String> classNames = parseStringList(file, K_CLASS_NAMES, require(file, md, K_CLASS_NAMES));
      if (classNames.isEmpty()) {
        throw new CheckpointException(file + ": __metadata__ " + K_CLASS_NAMES + " is empty");
      }

      Map<String, FloatTensor> found = new LinkedHashMap<>();
      Map<String, FloatTensor> momentumByKey = new LinkedHashMap<>();
      for (TensorInfo t : st.tensors()) {
        String key = t.name();
        if (isDroppedBuffer(key)) {
          continue;
        }
        FloatTensor ft = new FloatTensor(key, t.shape(), st.floats(key));
        if (key.startsWith(MOMENTUM_PREFIX)) {
          momentumByKey.put(key.substring(MOMENTUM_PREFIX.length()), ft);
        } else if (parameterNames.containsKey(key)) {
          found.put(key, ft);
        } else {
          throw new CheckpointException(file + ": unexpected tensor '" + key + "': not among the "
              + method.officialName + " parameters of __metadata__ " + K_PARAMETER_NAMES + " "
              + parameterNames.keySet());
        }
      }
      Set<String> missing = new LinkedHashSet<>(parameterNames.keySet());
      missing.removeAll(found.keySet());
      if (!missing.isEmpty()) {
        throw new CheckpointException(file + ": missing tensor(s) " + missing + " of the " + method.officialName
            + " parameters " + parameterNames.keySet());
      }
      Map<String, FloatTensor> tensors = new LinkedHashMap<>();
      parameterNames.keySet().forEach(k -> tensors.put(k, found.get(k)));

      List<FloatTensor> hashed = new ArrayList<>(tensors.values());
      Map<String, float[]> momentum = new LinkedHashMap<>();
      for (Map.Entry<String, FloatTensor> e : momentumByKey.entrySet()) {
        FloatTensor param = tensors.get(e.getKey());
        FloatTensor buf = e.getValue();
        if (param == null || !Arrays.equals(param.shape(), buf.shape())) {
          throw new CheckpointException(file + ": momentum buffer '" + buf.name() + "' " + buf.shapeString()
              + (param == null ? " belongs to no parameter" : " does not match its parameter " + param.shapeString()));
        }
        hashed.add(buf);
        momentum.put(parameterNames.get(e.getKey()), buf.data());
      }
      String expected = require(file, md, K_TENSORS_SHA);
      String actual = tensorsSha256(hashed);
      if (!expected.equals(actual)) {
        throw new CheckpointException(file + ": corrupted: the tensor data hashes to sha256 " + actual
            + " but __metadata__ " + K_TENSORS_SHA + " says " + expected
            + " (the file was damaged or edited after it was written)");
      }
      TrainingState state = parseTrainingState(file, md, momentum);
      return new LoadedCheckpoint(file, md, config, require(file, md, K_MODULE), require(file, md, K_BACKBONE_SHA),
          backbone, classNames, Collections.unmodifiableMap(parameterNames), Collections.unmodifiableMap(tensors), state);
    } catch (SafeTensorsException e) {
      throw new CheckpointException("cannot read prompt checkpoint: " + e.getMessage(), e);
    }
  }

  public Method method() {
    return config.method();
  }

  /** The tensor stored under a checkpoint key; a clear error when there is none. */
  public FloatTensor tensor(String key) {
    FloatTensor t = tensors.get(key);
    if (t == null) {
      throw new CheckpointException(file + ": no tensor '" + key + "' in this " + method().officialName
          + " checkpoint (it has " + tensors.keySet() + ")");
    }
    return t;
  }

  /** Whether the context has a class axis (CoOp CSC: {@code ctx [C, n, Dt]}), which ties it to its class list. */
  public boolean classSpecific() {
    FloatTensor ctx = tensors.get("ctx");
    return ctx != null && ctx.shape().length == 3;
  }

  /** Refuses a checkpoint of another method. */
  public void requireMethod(Method expected) {
    if (method() != expected) {
      throw new CheckpointException(file + ": holds " + method().officialName + " prompts, expected "
          + expected.officialName);
    }
  }

  /** Refuses a model other than the backbone the prompts were learned on (prompts live in its embedding space). */
  public void requireBackbone(ClipModel clip) {
    if (!backboneIdentity.equals(clip.identity())) {
      throw new CheckpointException(file + ": the prompts were learned on another backbone: the checkpoint's "
          + "backbone is sha256 " + backboneIdentity + " (" + ClipWeights.describe(backboneConfig)
          + "), the model given is sha256 " + clip.identity() + " (" + ClipWeights.describe(clip.config())
          + "). Load the model the prompts were trained with.");
    }
  }

  /**
   * Refuses a class list other than the one a class-specific context was learned for (its rows belong to
   * those classes, in that order).
   */
  public void requireClassList(List<String> requested) {
    if (requested.equals(classNames)) {
      return;
    }
    int common = Math.min(requested.size(), classNames.size());
    int i = 0;
    while (i < common && requested.get(i).equals(classNames.get(i))) {
      i++;
    }
    String difference = i < common
        ? "first difference at class " + i + ": '" + classNames.get(i) + "' in the checkpoint, '" + requested.get(i)
            + "' requested"
        : "the first " + common + " names agree";
    throw new CheckpointException(file + ": the " + method().officialName + " context is class-specific (ctx "
        + tensor("ctx").shapeString() + ", one context per class) and was learned for " + classNames.size()
        + " classes; it cannot be used for " + requested.size() + " classes (" + difference
        + "). Only a unified context transfers to other class lists.");
  }
}
