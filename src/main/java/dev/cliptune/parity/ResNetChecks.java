package dev.cliptune.parity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ResNetConfig;
import dev.cliptune.clip.Tensors;
import dev.cliptune.clip.VisionInput;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.weights.LoadOptions;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.TensorInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The ResNet CLIP checks of a checkpoints fixture set ({@code manifest.json} with {@code models} and
 * {@code references}, e.g. {@code ../shared/fixtures/checkpoints}): for every model whose architecture is a
 * ModifiedResNet, its configuration inferred from the weights ({@code <model>/config}), every tensor of its
 * reference files ({@code <file>/<tensor>}: token ids of the prompts, image and text features, logits, every
 * {@code debug/*} activation of the tower), and the method cases of {@code rn_cases} through {@link MethodCases}
 * (logits, loss, gradients, two SGD steps, debug activations). Tolerances come from the manifest; tensors without
 * one get {@link Tolerances}' derived tolerance.
 *
 * <p>A set whose manifest has these sections is recognised by {@link ParityRunner}; a runner covering the other
 * checks of the set (files, hostile files) includes these through {@link #plan()}.
 */
final class ResNetChecks implements ParityRunner.FixtureContext {
  /** Groups for {@code --only}: the reference activations; the cases are in {@code methods}. */
  static final String GROUP = "references";

  private final Path dir;
  private final JsonNode m;
  private final Map<String, SafeTensors> files = new HashMap<>();
  private final Map<String, ClipModel> models = new HashMap<>();
  private final Map<String, Map<String, float[]>> debug = new HashMap<>();
  private ClipTokenizer tokenizer;
  private NDManager manager;

  ResNetChecks(Path dir, JsonNode manifest) {
    this.dir = dir;
    this.m = manifest;
  }

  /** Whether a manifest describes a checkpoints set with ResNet models. */
  static boolean recognises(JsonNode manifest) {
    return manifest.has("models") && manifest.has("references") && !resNetModels(manifest).isEmpty();
  }

  /** The ids of the manifest's models whose image tower is a ModifiedResNet. */
  static List<String> resNetModels(JsonNode manifest) {
    List<String> out = new ArrayList<>();
    manifest.path("models").fields().forEachRemaining(e -> {
      if (e.getValue().path("architecture").asText().contains("ResNet")
          || e.getValue().path("dims").path("vision_layers").isArray()) {
        out.add(e.getKey());
      }
    });
    return out;
  }

  // ------------------------------------------------------------------ shared, loaded on first use

  private SafeTensors file(String relative) {
    return files.computeIfAbsent(relative, r -> SafeTensors.open(dir.resolve(r)));
  }

  private ClipTokenizer tokenizer() {
    if (tokenizer == null) {
      JsonNode t = m.path("tokenizer");
      tokenizer = t.has("bpe_file") ? ClipTokenizer.fromBpeGz(dir.resolve(t.path("bpe_file").asText()))
          : ClipTokenizer.fromDirectory(dir.resolve(t.path("vocab_json").asText("tokenizer/vocab.json")).getParent());
    }
    return tokenizer;
  }

  /** The directory of a model's reference weights (its {@code model.safetensors} and {@code config.json}). */
  private Path weightsDir(String model) {
    return dir.resolve(m.path("models").path(model).path("weights_reference").asText(model + "/model.safetensors"))
        .getParent();
  }

  private ClipModel model(String id) {
    return models.computeIfAbsent(id, k -> {
      if (manager == null) {
        manager = NDManager.newBaseManager();
      }
      return ClipModel.create(ClipLoader.load(weightsDir(k), LoadOptions.defaults()));
    });
  }

  private int contextLength() {
    return m.path("tokenizer").path("context_length").asInt(77);
  }

  // ------------------------------------------------------------------ plan

  @Override
  public List<Planned> plan() {
    List<Planned> out = new ArrayList<>();
    for (String id : resNetModels(m)) {
      String cfgName = id + "/config";
      out.add(Planned.of(GROUP, cfgName, () -> configCheck(cfgName, id)));
      for (Map.Entry<String, JsonNode> e : references(id).entrySet()) {
        planReference(out, id, e.getKey(), e.getValue());
      }
    }
    JsonNode cases = m.path("rn_cases");
    if (cases.isArray() && !cases.isEmpty()) {
      String id = resNetModels(m).get(0);
      ObjectNode asMethods = new ObjectMapper().createObjectNode();
      asMethods.set("methods", cases);
      new MethodCases(asMethods, dir, () -> model(id), this::tokenizer, this::file).plan(out);
    }
    return out;
  }

  /** The reference files of a model: {@code references} entries whose {@code files[]} entry names the model. */
  private Map<String, JsonNode> references(String model) {
    Map<String, String> modelOf = new HashMap<>();
    for (JsonNode f : m.path("files")) {
      modelOf.put(f.path("path").asText(), f.path("model").asText(null));
    }
    Map<String, JsonNode> out = new LinkedHashMap<>();
    m.path("references").fields().forEachRemaining(e -> {
      String owner = modelOf.get(e.getKey());
      if (model.equals(owner) || (owner == null && e.getKey().startsWith(model + "/"))) {
        out.put(e.getKey(), e.getValue());
      }
    });
    return out;
  }

  private void planReference(List<Planned> out, String model, String refFile, JsonNode ref) {
    Tolerances tol = new Tolerances(ref.path("tolerances"));
    String base = refFile.replaceFirst("\\.safetensors$", "");
    Map<String, List<String>> prompts = Map.of(
        "text_tokens", texts(ref.path("class_prompts")),
        "prompts/text_tokens", texts(ref.path("prompts")));
    for (TensorInfo info : file(refFile).tensors()) {
      String t = info.name();
      String name = base + "/" + t;
      Supplier<Check> run;
      if (t.equals("pixel_values") || t.equals("extra/pixel_values")) {
        continue; // inputs (the parity set's preprocessing checks cover them)
      } else if (prompts.containsKey(t)) {
        run = () -> tokensCheck(name, refFile, t, prompts.get(t));
      } else {
        run = () -> tensorCheck(name, refFile, t, tol, () -> compute(model, refFile, t));
      }
      out.add(Planned.of(GROUP, name, run));
    }
  }

  private static List<String> texts(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(n -> out.add(n.asText()));
    return out;
  }

  // ------------------------------------------------------------------ checks

  private Check configCheck(String name, String id) {
    ClipConfig c = model(id).config();
    JsonNode d = m.path("models").path(id).path("dims");
    if (!c.isResNet()) {
      return Check.fail(name, "loaded a ViT image encoder: " + ClipWeights.describe(c));
    }
    ResNetConfig r = c.resnet();
    List<Integer> layers = new ArrayList<>();
    d.path("vision_layers").forEach(n -> layers.add(n.asInt()));
    int[][] pairs = {
        {r.imageSize(), d.path("image_resolution").asInt()},
        {r.width(), d.path("vision_width").asInt()},
        {r.heads(), d.path("vision_heads").asInt(ResNetConfig.officialHeads(r.width()))},
        {c.embedDim(), d.path("embed_dim").asInt()},
        {c.text().width(), d.path("text_width").asInt()},
        {c.text().layers(), d.path("text_layers").asInt()},
        {c.text().heads(), d.path("text_heads").asInt()},
        {c.text().contextLength(), d.path("context_length").asInt()},
        {c.text().vocabSize(), d.path("vocab_size").asInt()}};
    double worst = r.layers().equals(layers) ? 0 : Double.POSITIVE_INFINITY;
    for (int[] p : pairs) {
      worst = Math.max(worst, Math.abs(p[0] - p[1]));
    }
    return Check.compare(name, worst, 0, worst == 0 ? "" : "loaded " + ClipWeights.describe(c) + ", manifest " + d);
  }

  private Check tokensCheck(String name, String refFile, String tensor, List<String> texts) {
    return ManifestFixtures.tokensCheck(name, file(refFile).longs(tensor), texts, tokenizer(), contextLength());
  }

  private Check tensorCheck(String name, String refFile, String tensor, Tolerances tol, Supplier<float[]> compute) {
    SafeTensors ref = file(refFile);
    float[] want = ref.floats(tensor);
    float[] got = compute.get();
    if (got.length != want.length) {
      return Check.fail(name, "computed " + got.length + " values, reference " + ref.info(tensor).shapeString());
    }
    double t = tol.get(tensor, Compare.maxAbsValue(want));
    return Check.compare(name, Compare.maxAbs(got, want), t, tol.has(tensor) ? "" : "(derived tol)");
  }

  /** One output tensor of a reference file, computed from that file's inputs. */
  private float[] compute(String model, String refFile, String tensor) {
    ClipModel clip = model(model);
    SafeTensors ref = file(refFile);
    try (NDManager s = manager.newSubManager(clip.device())) {
      switch (tensor) {
        case "image_features":
          return clip.encodeImage(input(s, ref, "pixel_values")).toFloatArray();
        case "extra/image_features":
          return clip.encodeImage(input(s, ref, "extra/pixel_values")).toFloatArray();
        case "text_features":
          return clip.encodeText(ids(s, ref, "text_tokens")).toFloatArray();
        case "prompts/text_features":
          return clip.encodeText(ids(s, ref, "prompts/text_tokens")).toFloatArray();
        case "logit_scale_exp":
          return new float[] {clip.logitScaleExp()};
        case "logits": {
          NDArray img = clip.encodeImage(input(s, ref, "pixel_values"));
          NDArray txt = clip.encodeText(ids(s, ref, "text_tokens"));
          return clip.logits(img, txt).toFloatArray();
        }
        default:
          if (tensor.startsWith("debug/")) {
            return debugActivation(model, refFile, tensor);
          }
          throw new IllegalStateException("no computation for reference tensor '" + tensor + "'");
      }
    }
  }

  /** Every {@code debug/*} activation of one image-tower pass over the reference images, recorded once. */
  private float[] debugActivation(String model, String refFile, String tensor) {
    Map<String, float[]> rec = debug.computeIfAbsent(refFile, f -> {
      Map<String, float[]> r = new HashMap<>();
      ClipModel clip = model(model);
      SafeTensors ref = file(refFile);
      try (NDManager s = manager.newSubManager(clip.device())) {
        clip.encodeImage(VisionInput.of(input(s, ref, "pixel_values")), (n, v) -> r.put("debug/" + n, v.toFloatArray()));
      }
      return r;
    });
    float[] all = rec.get(tensor);
    if (all == null) {
      throw new IllegalStateException("the image tower records no activation named '" + tensor.substring(6)
          + "'; it records " + rec.keySet());
    }
    // debug/* cover the first images only: compare that prefix
    long want = file(refFile).info(tensor).numel();
    return want < all.length ? Arrays.copyOf(all, (int) want) : all;
  }

  private static NDArray input(NDManager s, SafeTensors ref, String tensor) {
    return Tensors.owned(s, ref.floats(tensor), new Shape(ref.info(tensor).shape()));
  }

  private static NDArray ids(NDManager s, SafeTensors ref, String tensor) {
    return s.create(ref.longs(tensor), new Shape(ref.info(tensor).shape()));
  }

  @Override
  public void close() {
    files.values().forEach(SafeTensors::close);
    models.values().forEach(ClipModel::close);
    if (manager != null) {
      manager.close();
    }
  }
}
