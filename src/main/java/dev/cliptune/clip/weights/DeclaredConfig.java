package dev.cliptune.clip.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.clip.Activation;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipWeightsException;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * What a {@code config.json} says about the model dimensions, with the name of the field each value
 * came from (so that a disagreement with the tensors can name it). Two forms are understood:
 *
 * <ul>
 *   <li>{@link Form#HF}: a transformers {@code CLIPConfig} ({@code text_config} / {@code vision_config},
 *       or the legacy {@code text_config_dict} / {@code vision_config_dict}); absent fields take the
 *       transformers defaults, so every dimension is present.
 *   <li>{@link Form#OPENAI}: the keyword arguments of the official {@code build_model} ({@code embed_dim},
 *       {@code image_resolution}, {@code vision_layers}, {@code vision_width}, {@code vision_patch_size},
 *       {@code context_length}, {@code vocab_size}, {@code transformer_width}, {@code transformer_heads},
 *       {@code transformer_layers}) plus {@code vision_heads}; only the fields present are declared.
 * </ul>
 */
final class DeclaredConfig {
  /** The model dimensions a configuration can declare. */
  enum Dim {
    EMBED("embedding dimension"),
    VISION_WIDTH("vision width"),
    VISION_LAYERS("number of vision layers"),
    VISION_HEADS("number of vision heads"),
    VISION_MLP("vision MLP hidden size"),
    PATCH("patch size"),
    IMAGE("image size"),
    TEXT_WIDTH("text width"),
    TEXT_LAYERS("number of text layers"),
    TEXT_HEADS("number of text heads"),
    TEXT_MLP("text MLP hidden size"),
    CONTEXT("text context length"),
    VOCAB("vocabulary size");

    final String label;

    Dim(String label) {
      this.label = label;
    }
  }

  enum Form {
    HF("HuggingFace CLIPConfig"), OPENAI("OpenAI build_model arguments"), OPEN_CLIP("open_clip model_cfg");

    final String label;

    Form(String label) {
      this.label = label;
    }
  }

  /** A declared value and the JSON path it came from; {@code defaulted} when the field was absent. */
  record Value(int value, String key, boolean defaulted) {
    String describe() {
      return key + " = " + value + (defaulted ? " (a transformers default: the field is absent)" : "");
    }

    /** Like {@link #describe()}, naming what the value means. */
    String describe(String label) {
      return key + " = " + value + " (the " + label + (defaulted ? "; a transformers default: the field is absent" : "")
          + ")";
    }
  }

  static final double DEFAULT_EPS = 1e-5;

  private static final ObjectMapper JSON = new ObjectMapper();

  final Path file;
  final Form form;
  final Map<Dim, Value> values = new EnumMap<>(Dim.class);
  double visionEps = DEFAULT_EPS;
  double textEps = DEFAULT_EPS;
  Activation visionAct = Activation.QUICK_GELU;
  Activation textAct = Activation.QUICK_GELU;

  private DeclaredConfig(Path file, Form form) {
    this.file = file;
    this.form = form;
  }

  Value get(Dim d) {
    return values.get(d);
  }

  /** The configuration when every dimension is declared (always the case for the HF form). */
  ClipConfig toClipConfig() {
    for (Dim d : Dim.values()) {
      if (!values.containsKey(d)) {
        throw new ClipWeightsException(file + ": does not declare the " + d.label);
      }
    }
    return new ClipConfig(v(Dim.EMBED),
        new VisionConfig(v(Dim.VISION_WIDTH), v(Dim.VISION_LAYERS), v(Dim.VISION_HEADS), v(Dim.PATCH),
            v(Dim.IMAGE), v(Dim.VISION_MLP), visionEps, visionAct),
        new TextConfig(v(Dim.TEXT_WIDTH), v(Dim.TEXT_LAYERS), v(Dim.TEXT_HEADS), v(Dim.CONTEXT), v(Dim.VOCAB),
            v(Dim.TEXT_MLP), textEps, textAct));
  }

  private int v(Dim d) {
    return values.get(d).value();
  }

  /** Reads a config.json file as JSON; a clear error naming the file when it is not a JSON object. */
  static JsonNode readJson(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ClipWeightsException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ClipWeightsException(file + ": expected a JSON object");
    }
    return root;
  }

  /** Which form a parsed config.json has, or null when it has neither form's keys. */
  static Form detectForm(JsonNode root) {
    for (String k : new String[] {"text_config", "vision_config", "text_config_dict", "vision_config_dict",
        "projection_dim"}) {
      if (root.has(k)) {
        return Form.HF;
      }
    }
    if ("clip".equals(root.path("model_type").asText(null))) {
      return Form.HF;
    }
    for (String k : new String[] {"embed_dim", "vision_width", "transformer_width", "vision_layers",
        "vision_patch_size", "image_resolution", "transformer_layers", "context_length"}) {
      if (root.has(k)) {
        return Form.OPENAI;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // HuggingFace CLIPConfig

  /**
   * Parses a transformers {@code CLIPConfig}. As in transformers, {@code text_config_dict} (when
   * present) is instantiated with the {@code CLIPTextConfig} defaults and then overrides every field of
   * {@code text_config}, so {@code text_config} is effectively ignored; likewise for vision.
   */
  static DeclaredConfig parseHf(Path file, JsonNode root) {
    String mt = root.path("model_type").asText(null);
    if (mt != null && !mt.equals("clip")) {
      throw new ClipWeightsException(file + ": model_type is '" + mt + "', expected 'clip' (a CLIPModel config)");
    }
    DeclaredConfig c = new DeclaredConfig(file, Form.HF);
    c.put(Dim.EMBED, root, "projection_dim", "projection_dim", 512);

    String tk = root.has("text_config_dict") && !root.get("text_config_dict").isNull() ? "text_config_dict" : "text_config";
    JsonNode text = sub(file, root, tk);
    c.put(Dim.VOCAB, text, "vocab_size", tk, 49408);
    c.put(Dim.TEXT_WIDTH, text, "hidden_size", tk, 512);
    c.put(Dim.TEXT_MLP, text, "intermediate_size", tk, 2048);
    c.put(Dim.TEXT_LAYERS, text, "num_hidden_layers", tk, 12);
    c.put(Dim.TEXT_HEADS, text, "num_attention_heads", tk, 8);
    c.put(Dim.CONTEXT, text, "max_position_embeddings", tk, 77);
    c.textEps = c.eps(text, tk);
    c.textAct = c.act(text, tk);

    String vk = root.has("vision_config_dict") && !root.get("vision_config_dict").isNull() ? "vision_config_dict" : "vision_config";
    JsonNode vision = sub(file, root, vk);
    c.put(Dim.VISION_WIDTH, vision, "hidden_size", vk, 768);
    c.put(Dim.VISION_MLP, vision, "intermediate_size", vk, 3072);
    c.put(Dim.VISION_LAYERS, vision, "num_hidden_layers", vk, 12);
    c.put(Dim.VISION_HEADS, vision, "num_attention_heads", vk, 12);
    c.put(Dim.IMAGE, vision, "image_size", vk, 224);
    c.put(Dim.PATCH, vision, "patch_size", vk, 32);
    c.visionEps = c.eps(vision, vk);
    c.visionAct = c.act(vision, vk);
    JsonNode ch = vision.get("num_channels");
    if (ch != null && !ch.isNull() && !(ch.canConvertToExactIntegral() && ch.asInt() == 3)) {
      throw new ClipWeightsException(file + ": " + vk + ".num_channels is " + ch + ", expected 3 (RGB)");
    }
    c.checkGrid();
    return c;
  }

  private static JsonNode sub(Path file, JsonNode root, String key) {
    JsonNode n = root.get(key);
    if (n == null || n.isNull()) {
      return JSON.createObjectNode();
    }
    if (!n.isObject()) {
      throw new ClipWeightsException(file + ": " + key + " must be a JSON object, found " + n.getNodeType());
    }
    return n;
  }

  private void put(Dim d, JsonNode obj, String field, String prefix, int dflt) {
    String key = prefix.equals(field) ? field : prefix + "." + field;
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      values.put(d, new Value(dflt, key, true));
    } else {
      values.put(d, new Value(positiveInt(n, key), key, false));
    }
  }

  private int positiveInt(JsonNode n, String key) {
    if (!n.isNumber() || !n.canConvertToExactIntegral() || n.asLong() <= 0 || n.asLong() > Integer.MAX_VALUE) {
      throw new ClipWeightsException(file + ": " + key + " must be a positive integer, found " + n);
    }
    return n.asInt();
  }

  private double eps(JsonNode obj, String prefix) {
    JsonNode n = obj.get("layer_norm_eps");
    if (n == null || n.isNull()) {
      return DEFAULT_EPS;
    }
    if (!n.isNumber() || !(n.asDouble() > 0) || Double.isInfinite(n.asDouble())) {
      throw new ClipWeightsException(file + ": " + prefix + ".layer_norm_eps must be a positive number, found " + n);
    }
    return n.asDouble();
  }

  private Activation act(JsonNode obj, String prefix) {
    JsonNode n = obj.get("hidden_act");
    if (n == null || n.isNull()) {
      return Activation.QUICK_GELU; // transformers' CLIP default
    }
    for (Activation a : Activation.values()) {
      if (n.isTextual() && n.asText().equals(a.hfName)) {
        return a;
      }
    }
    throw new ClipWeightsException(file + ": " + prefix + ".hidden_act is " + n + ", but only \"quick_gelu\" "
        + "(x * sigmoid(1.702 x), OpenAI's CLIP) and \"gelu\" (exact erf GELU) are supported");
  }

  private void checkGrid() {
    Value img = values.get(Dim.IMAGE);
    Value patch = values.get(Dim.PATCH);
    if (img != null && patch != null && img.value() % patch.value() != 0) {
      throw new ClipWeightsException(file + ": " + img.describe() + " is not a multiple of " + patch.describe());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // OpenAI build_model arguments

  static DeclaredConfig parseOpenAi(Path file, JsonNode root) {
    DeclaredConfig c = new DeclaredConfig(file, Form.OPENAI);
    if (root.path("vision_layers").isArray()) {
      throw new ClipWeightsException(file + ": vision_layers is a list " + root.get("vision_layers")
          + " (a ModifiedResNet image encoder), but the weights hold a ViT image encoder");
    }
    c.putPresent(Dim.EMBED, root, "embed_dim");
    c.putPresent(Dim.IMAGE, root, "image_resolution");
    c.putPresent(Dim.VISION_LAYERS, root, "vision_layers");
    c.putPresent(Dim.VISION_WIDTH, root, "vision_width");
    c.putPresent(Dim.PATCH, root, "vision_patch_size");
    c.putPresent(Dim.VISION_HEADS, root, "vision_heads");
    c.putPresent(Dim.CONTEXT, root, "context_length");
    c.putPresent(Dim.VOCAB, root, "vocab_size");
    c.putPresent(Dim.TEXT_WIDTH, root, "transformer_width");
    c.putPresent(Dim.TEXT_HEADS, root, "transformer_heads");
    c.putPresent(Dim.TEXT_LAYERS, root, "transformer_layers");
    c.checkGrid();
    return c;
  }

  private void putPresent(Dim d, JsonNode obj, String field) {
    JsonNode n = obj.get(field);
    if (n != null && !n.isNull()) {
      values.put(d, new Value(positiveInt(n, field), field, false));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // open_clip open_clip_config.json

  /**
   * Parses an open_clip {@code open_clip_config.json} ({@code {"model_cfg": {...}, "preprocess_cfg": ...}}, or a
   * bare {@code model_cfg} as in open_clip's {@code model_configs/*.json}). Declares what open_clip would build:
   * fields present, and the head counts with open_clip's defaults (vision {@code width / head_width}, head_width 64;
   * text {@code heads} 8). The activation is QuickGELU only when {@code quick_gelu} is true (absent means exact
   * GELU, as in open_clip).
   */
  static DeclaredConfig parseOpenClip(Path file, JsonNode root) {
    JsonNode cfg = root.has("model_cfg") ? root.get("model_cfg") : root;
    if (!cfg.isObject()) {
      throw new ClipWeightsException(file + ": model_cfg must be a JSON object");
    }
    String mc = root.has("model_cfg") ? "model_cfg." : "";
    for (String k : new String[] {"timm_model_name", "hf_model_name"}) {
      JsonNode n = cfg.path("vision_cfg").path(k).isMissingNode() ? cfg.path("text_cfg").path(k) : cfg.path("vision_cfg").path(k);
      if (!n.isMissingNode() && !n.isNull()) {
        throw new ClipWeightsException(file + ": " + k + " = " + n + ": a tower built from timm or transformers, "
            + "not the CLIP architecture cliptune runs (ViT and text transformer of OpenAI's model.py)");
      }
    }
    DeclaredConfig c = new DeclaredConfig(file, Form.OPEN_CLIP);
    c.putPresent(Dim.EMBED, cfg, "embed_dim", mc);
    Activation a = cfg.path("quick_gelu").asBoolean(false) ? Activation.QUICK_GELU : Activation.GELU;
    c.visionAct = a;
    c.textAct = a;
    JsonNode v = cfg.path("vision_cfg");
    String vk = mc + "vision_cfg.";
    if (v.path("layers").isArray()) {
      throw new ClipWeightsException(file + ": " + vk + "layers is a list " + v.get("layers")
          + " (a ModifiedResNet image encoder); only ViT image encoders are supported");
    }
    JsonNode image = v.path("image_size");
    if (image.isArray()) {
      if (image.size() != 2 || image.get(0).asInt() != image.get(1).asInt()) {
        throw new ClipWeightsException(file + ": " + vk + "image_size " + image + " is not square");
      }
      c.values.put(Dim.IMAGE, new Value(c.positiveInt(image.get(0), vk + "image_size"), vk + "image_size", false));
    } else {
      c.putPresent(Dim.IMAGE, v, "image_size", vk);
    }
    c.putPresent(Dim.VISION_LAYERS, v, "layers", vk);
    c.putPresent(Dim.VISION_WIDTH, v, "width", vk);
    c.putPresent(Dim.PATCH, v, "patch_size", vk);
    int vw = v.has("width") ? c.positiveInt(v.get("width"), vk + "width") : 768;
    int headWidth = v.has("head_width") ? c.positiveInt(v.get("head_width"), vk + "head_width") : 64;
    if (vw % headWidth != 0) {
      throw new ClipWeightsException(file + ": " + vk + "width " + vw + " is not a multiple of head_width " + headWidth);
    }
    c.values.put(Dim.VISION_HEADS, new Value(vw / headWidth, vk + "width / head_width", !v.has("head_width")));
    if (v.has("mlp_ratio")) {
      c.values.put(Dim.VISION_MLP, new Value((int) Math.round(vw * v.get("mlp_ratio").asDouble()), vk + "mlp_ratio",
          false));
    }
    JsonNode t = cfg.path("text_cfg");
    String tk = mc + "text_cfg.";
    c.putPresent(Dim.CONTEXT, t, "context_length", tk);
    c.putPresent(Dim.VOCAB, t, "vocab_size", tk);
    c.putPresent(Dim.TEXT_WIDTH, t, "width", tk);
    c.putPresent(Dim.TEXT_LAYERS, t, "layers", tk);
    if (t.has("heads")) {
      c.putPresent(Dim.TEXT_HEADS, t, "heads", tk);
    } else {
      c.values.put(Dim.TEXT_HEADS, new Value(8, tk + "heads", true));
    }
    if (t.has("mlp_ratio")) {
      int tw = t.has("width") ? c.positiveInt(t.get("width"), tk + "width") : 512;
      c.values.put(Dim.TEXT_MLP, new Value((int) Math.round(tw * t.get("mlp_ratio").asDouble()), tk + "mlp_ratio",
          false));
    }
    c.checkGrid();
    return c;
  }

  private void putPresent(Dim d, JsonNode obj, String field, String prefix) {
    JsonNode n = obj.get(field);
    if (n != null && !n.isNull()) {
      values.put(d, new Value(positiveInt(n, prefix + field), prefix + field, false));
    }
  }
}
