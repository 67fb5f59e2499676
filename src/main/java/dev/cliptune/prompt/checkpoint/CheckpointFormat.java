package dev.cliptune.prompt.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.ImageEncoderConfig;
import dev.cliptune.clip.ResNetConfig;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;
import dev.cliptune.config.Setting;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.PromptLearner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cliptune prompt-checkpoint format, version {@value #VERSION}: one safetensors file.
 *
 * <p><b>Tensors</b> (float32): every learnable tensor under its official checkpoint key
 * ({@link dev.cliptune.prompt.PromptParameter#checkpointKey()}: {@code ctx}, {@code meta_net.linear1.weight},
 * {@code prompt_learner.compound_prompts_text.0}, {@code image_encoder.VPT}, ...), and, when a training state is
 * saved, each SGD momentum buffer under {@value #MOMENTUM_PREFIX}{@code <checkpoint key>}. Files converted
 * from official checkpoints may also hold {@code token_prefix} / {@code token_suffix} (with or without the
 * {@code prompt_learner.} prefix): those buffers are ignored, as the official loader deletes them.
 *
 * <p><b>{@code __metadata__}</b> (strings; JSON for structured values):
 * <ul>
 *   <li>{@code format} = {@value #FORMAT}, {@code format_version} = {@value #VERSION}, {@code cliptune_version};
 *   <li>{@code method} (official trainer name), {@code method_config} (JSON object of the official keys
 *       {@code N_CTX}, {@code CTX_INIT}, {@code CSC}, {@code CLASS_TOKEN_POSITION}, {@code PROMPT_DEPTH},
 *       {@code N_CTX_TEXT}, {@code N_CTX_VISION}, {@code PROMPT_DEPTH_TEXT}, {@code PROMPT_DEPTH_VISION} and
 *       cliptune's {@code FP16_CASTS}, {@code MIP_SHARED_LN_FINAL}, {@code SEED}), {@code checkpoint_module},
 *       {@code parameter_names} (JSON: checkpoint key → parameter name in the whole model);
 *   <li>{@code backbone_sha256} ({@link dev.cliptune.clip.ClipModel#identity()}), {@code backbone_config}
 *       (JSON of {@link ClipConfig}), {@code backbone} (a readable one-line description);
 *   <li>{@code class_names} (JSON list, in class-index order);
 *   <li>{@code tensors_sha256}: see {@link #tensorsSha256};
 *   <li>with a training state: {@code epoch}, {@code global_step}, {@code learning_rate}, {@code schedule}
 *       (JSON of the {@link TrainingState.Schedule}), {@code optimizer} (JSON: type, steps, momentum buffer
 *       keys), {@code rng_state} (when known), {@code extra} (JSON). A file without {@code epoch} holds weights only.
 * </ul>
 */
public final class CheckpointFormat {
  public static final String FORMAT = "cliptune-prompt-checkpoint";
  public static final String VERSION = "1";
  /** Key prefix of the SGD momentum buffers. */
  public static final String MOMENTUM_PREFIX = "optimizer/momentum/";

  public static final String K_FORMAT = "format";
  public static final String K_VERSION = "format_version";
  public static final String K_CLIPTUNE = "cliptune_version";
  public static final String K_METHOD = "method";
  public static final String K_METHOD_CONFIG = "method_config";
  public static final String K_MODULE = "checkpoint_module";
  public static final String K_PARAMETER_NAMES = "parameter_names";
  public static final String K_BACKBONE_SHA = "backbone_sha256";
  public static final String K_BACKBONE_CONFIG = "backbone_config";
  public static final String K_BACKBONE = "backbone";
  public static final String K_CLASS_NAMES = "class_names";
  public static final String K_TENSORS_SHA = "tensors_sha256";
  public static final String K_EPOCH = "epoch";
  public static final String K_GLOBAL_STEP = "global_step";
  public static final String K_LR = "learning_rate";
  public static final String K_SCHEDULE = "schedule";
  public static final String K_OPTIMIZER = "optimizer";
  public static final String K_RNG = "rng_state";
  public static final String K_EXTRA = "extra";

  /** The official buffers rebuilt from the current class names, never loaded. */
  private static final Set<String> DROPPED = Set.of("token_prefix", "token_suffix", "prompt_learner.token_prefix",
      "prompt_learner.token_suffix");
  private static final String HASH_TAG = "cliptune.prompt-checkpoint.tensors.v1";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The keys of {@code method_config}, in the order they are written. */
  private static final List<String> CONFIG_KEYS = MethodConfig.KEYS.names();

  private CheckpointFormat() {}

  /** Whether a tensor key is one of the official {@code token_prefix} / {@code token_suffix} buffers. */
  public static boolean isDroppedBuffer(String key) {
    return DROPPED.contains(key);
  }

  /**
   * SHA-256 (lower-case hex) of tensors: {@code SHA-256(utf8(tag) 0x00, then for each tensor in
   * String.compareTo order of the names: utf8(name) 0x00, rank as int32 LE, each dimension as int64 LE, each
   * value's float32 bits as int32 LE)} with tag {@value #HASH_TAG}. Covers every tensor of the file except the
   * dropped buffers (so a converter may add or remove those).
   */
  public static String tensorsSha256(Collection<FloatTensor> tensors) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    md.update(HASH_TAG.getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    List<FloatTensor> sorted = new ArrayList<>(tensors);
    sorted.sort(Comparator.comparing(FloatTensor::name));
    for (FloatTensor t : sorted) {
      md.update(t.name().getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      ByteBuffer head = ByteBuffer.allocate(4 + 8 * t.shape().length).order(ByteOrder.LITTLE_ENDIAN);
      head.putInt(t.shape().length);
      for (long d : t.shape()) {
        head.putLong(d);
      }
      md.update(head.array());
      ByteBuffer data = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
      FloatBuffer fb = data.asFloatBuffer(); // keeps raw bits, NaN payloads included
      fb.put(t.data());
      md.update(data.array());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * The {@code __metadata__} of a checkpoint of {@code learner}.
   *
   * @param parameterNames checkpoint key → parameter name of every learned tensor
   * @param tensors        every tensor the file will hold (learned tensors and momentum buffers), for the hash
   * @param state          the training state, or null for weights only
   */
  public static Map<String, String> metadata(PromptLearner learner, Map<String, String> parameterNames,
      Collection<FloatTensor> tensors, TrainingState state) {
    ClipModel clip = learner.clip();
    MethodConfig config = learner.config();
    String version = CheckpointFormat.class.getPackage().getImplementationVersion();
    Map<String, String> m = new LinkedHashMap<>();
    m.put(K_FORMAT, FORMAT);
    m.put(K_VERSION, VERSION);
    m.put(K_CLIPTUNE, version == null ? "dev" : version);
    m.put(K_METHOD, config.method().officialName);
    m.put(K_METHOD_CONFIG, methodConfigJson(config));
    m.put(K_MODULE, learner.checkpointModule());
    m.put(K_PARAMETER_NAMES, json(parameterNames));
    m.put(K_BACKBONE_SHA, clip.identity());
    m.put(K_BACKBONE_CONFIG, clipConfigJson(clip.config()));
    m.put(K_BACKBONE, ClipWeights.describe(clip.config()));
    m.put(K_CLASS_NAMES, json(learner.classNames()));
    m.put(K_TENSORS_SHA, tensorsSha256(tensors));
    if (state != null) {
      m.putAll(trainingStateMetadata(state));
    }
    return m;
  }

  // ------------------------------------------------------------------ method configuration

  /** The configuration as a JSON object of official keys (every field, so nothing depends on defaults). */
  public static String methodConfigJson(MethodConfig c) {
    ObjectNode o = JSON.createObjectNode();
    for (Setting<MethodConfig> key : MethodConfig.KEYS.all()) {
      o.set(key.name(), JSON.valueToTree(key.value(c)));
    }
    return o.toString();
  }

  /** Parses {@link #methodConfigJson}; every key must be present and no other. */
  static MethodConfig parseMethodConfig(Path file, Method method, String json) {
    JsonNode o = parseJson(file, K_METHOD_CONFIG, json);
    String where = file + ": __metadata__ " + K_METHOD_CONFIG;
    if (!o.isObject()) {
      throw new CheckpointException(where + " is not a JSON object: " + json);
    }
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      if (!CONFIG_KEYS.contains(e.getKey())) {
        throw new CheckpointException(where + " has the unknown key " + e.getKey() + "; expected " + CONFIG_KEYS);
      }
    }
    MethodConfig c = MethodConfig.defaults(method);
    for (String key : CONFIG_KEYS) {
      JsonNode v = o.get(key);
      if (v == null && MethodConfig.LATER_KEYS.contains(key)) {
        continue; // written before the key existed: the method's default
      }
      if (v == null || !v.isValueNode() || v.isNull()) {
        throw new CheckpointException(where + " lacks " + key + " (found " + json + ")");
      }
      try {
        c = c.with(key, v.asText(), where + "." + key);
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(e.getMessage(), e);
      }
    }
    return c;
  }

  // ------------------------------------------------------------------ training state

  /** The metadata entries of a training state (its momentum buffers are tensors, written by the caller). */
  private static Map<String, String> trainingStateMetadata(TrainingState s) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(K_EPOCH, Integer.toString(s.epoch()));
    m.put(K_GLOBAL_STEP, Long.toString(s.globalStep()));
    m.put(K_LR, Double.toString(s.learningRate()));
    TrainingState.Schedule sc = s.schedule();
    ObjectNode schedule = JSON.createObjectNode();
    schedule.put("type", "cosine with constant warm-up, stepped per epoch");
    schedule.put("base_lr", sc.baseLr());
    schedule.put("epochs", sc.epochs());
    schedule.put("warmup_epochs", sc.warmupEpochs());
    schedule.put("warmup_lr", sc.warmupLr());
    m.put(K_SCHEDULE, schedule.toString());
    ObjectNode optimizer = JSON.createObjectNode();
    optimizer.put("type", "SGD");
    optimizer.put("steps", s.sgdSteps());
    optimizer.put("momentum_buffers", MOMENTUM_PREFIX + "<checkpoint key>");
    m.put(K_OPTIMIZER, optimizer.toString());
    if (s.rngState() != null) {
      m.put(K_RNG, s.rngState());
    }
    m.put(K_EXTRA, json(s.extra()));
    return m;
  }

  /**
   * The training state of a file's metadata, or null when it holds weights only (no {@code epoch}).
   *
   * @param momentum the momentum buffers read from the tensors, by parameter name
   */
  static TrainingState parseTrainingState(Path file, Map<String, String> md, Map<String, float[]> momentum) {
    if (!md.containsKey(K_EPOCH)) {
      if (!momentum.isEmpty()) {
        throw new CheckpointException(file + ": has momentum buffers " + momentum.keySet()
            + " but no training state (__metadata__ lacks " + K_EPOCH + ")");
      }
      return null;
    }
    JsonNode schedule = parseJson(file, K_SCHEDULE, require(file, md, K_SCHEDULE));
    JsonNode optimizer = parseJson(file, K_OPTIMIZER, require(file, md, K_OPTIMIZER));
    try {
      return new TrainingState(
          Integer.parseInt(require(file, md, K_EPOCH)),
          Long.parseLong(require(file, md, K_GLOBAL_STEP)),
          Double.parseDouble(require(file, md, K_LR)),
          new TrainingState.Schedule(field(file, K_SCHEDULE, schedule, "base_lr").asDouble(),
              field(file, K_SCHEDULE, schedule, "epochs").asInt(),
              field(file, K_SCHEDULE, schedule, "warmup_epochs").asInt(),
              field(file, K_SCHEDULE, schedule, "warmup_lr").asDouble()),
          momentum,
          field(file, K_OPTIMIZER, optimizer, "steps").asLong(),
          md.get(K_RNG),
          parseStringMap(file, K_EXTRA, require(file, md, K_EXTRA)));
    } catch (NumberFormatException e) {
      throw new CheckpointException(file + ": __metadata__ training state has a malformed number: " + e.getMessage());
    }
  }

  /** A metadata entry that must be present. */
  static String require(Path file, Map<String, String> md, String key) {
    String v = md.get(key);
    if (v == null) {
      throw new CheckpointException(file + ": __metadata__ lacks '" + key + "'");
    }
    return v;
  }

  private static JsonNode field(Path file, String key, JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || !v.isValueNode()) {
      throw new CheckpointException(file + ": __metadata__ " + key + " lacks '" + name + "' (found " + o + ")");
    }
    return v;
  }

  // ------------------------------------------------------------------ JSON helpers

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value, e);
    }
  }

  static JsonNode parseJson(Path file, String key, String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new CheckpointException(file + ": __metadata__ " + key + " is not valid JSON: " + e.getOriginalMessage());
    }
  }

  static List<String> parseStringList(Path file, String key, String text) {
    try {
      return List.copyOf(JSON.readValue(text, new TypeReference<List<String>>() {}));
    } catch (JsonProcessingException e) {
      throw new CheckpointException(file + ": __metadata__ " + key + " is not a JSON list of strings: " + text);
    }
  }

  static Map<String, String> parseStringMap(Path file, String key, String text) {
    try {
      return new LinkedHashMap<>(JSON.readValue(text, new TypeReference<LinkedHashMap<String, String>>() {}));
    } catch (JsonProcessingException e) {
      throw new CheckpointException(file + ": __metadata__ " + key + " is not a JSON object of strings: " + text);
    }
  }

  /**
   * {@code {"embedDim", "vision" | "resnet", "text"}}: the ViT form is the one written before ResNet CLIPs existed
   * (so older checkpoints still read), a ResNet CLIP's image tower is under {@code resnet}.
   */
  static String clipConfigJson(ClipConfig c) {
    ObjectNode o = JSON.createObjectNode();
    o.put("embedDim", c.embedDim());
    o.set(c.isResNet() ? "resnet" : "vision", JSON.valueToTree(c.image()));
    o.set("text", JSON.valueToTree(c.text()));
    return json(o);
  }

  static ClipConfig parseClipConfig(Path file, String text) {
    try {
      JsonNode o = JSON.readTree(text);
      ImageEncoderConfig image = o.has("resnet") ? JSON.treeToValue(o.get("resnet"), ResNetConfig.class)
          : JSON.treeToValue(o.get("vision"), VisionConfig.class);
      return new ClipConfig(o.path("embedDim").asInt(), image, JSON.treeToValue(o.get("text"), TextConfig.class));
    } catch (JsonProcessingException | RuntimeException e) {
      throw new CheckpointException(file + ": __metadata__ " + K_BACKBONE_CONFIG + " is not a CLIP configuration: "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
  }
}
