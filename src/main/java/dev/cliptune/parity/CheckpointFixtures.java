package dev.cliptune.parity;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.ClipWeightsException;
import dev.cliptune.clip.weights.LoadOptions;
import dev.cliptune.io.DType;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.Half;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.SafeTensorsException;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.io.torch.TorchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A checkpoint fixture set ({@code manifest.json} with {@code models} and {@code files}; the set {@code
 * ../shared/fixtures/checkpoints}): real PyTorch files of every format and layout, reference weights and features,
 * and hostile files. Check kinds, each planned from the manifest alone:
 *
 * <ul>
 *   <li>{@code weights/<file>}: every {@code role: checkpoint} file loaded as the CLI loads it, compared bit for
 *       bit with its {@code weights.reference} after rounding to the dtype the file stores (tolerance 0);
 *   <li>{@code features/<reference>/<tensor>}: every output of a reference file of a ViT model recomputed from
 *       every checkpoint whose {@code features.reference} it is (the worst of them is reported);
 *   <li>{@code refuse/<file>}: every {@code role: hostile} file must be refused with the manifest's code (or an
 *       {@code also_acceptable} one), and the message must name what {@code message_should_name} lists and the
 *       offset when the manifest gives one;
 *   <li>the ResNet models' inferred configs, reference activations and {@code rn_cases} method cases:
 *       planned by {@link ResNetChecks}.
 * </ul>
 */
final class CheckpointFixtures implements ParityRunner.FixtureContext {
  private final Path dir;
  private final JsonNode m;
  private final Map<String, SafeTensors> files = new HashMap<>();
  private final Map<String, Map<String, float[]>> outputsByCheckpoint = new HashMap<>();
  private final ResNetChecks resNet;

  CheckpointFixtures(Path dir, JsonNode manifest) {
    this.dir = dir;
    this.m = manifest;
    this.resNet = new ResNetChecks(dir, manifest);
    if (!m.path("files").isArray() || !m.path("models").isObject()) {
      throw new ParityRunner.NotAFixtureSet(dir.resolve("manifest.json") + ": expected 'files' and 'models'");
    }
  }

  /** True for a manifest of this kind (files with roles, models, no single 'model'). */
  static boolean accepts(JsonNode manifest) {
    return manifest.path("files").isArray() && manifest.path("models").isObject() && !manifest.has("model");
  }

  private SafeTensors file(String relative) {
    return files.computeIfAbsent(relative, r -> SafeTensors.open(dir.resolve(r)));
  }

  @Override
  public List<Planned> plan() {
    List<Planned> out = new ArrayList<>();
    for (JsonNode f : m.path("files")) {
      if (f.path("role").asText().equals("checkpoint") && f.has("weights")) {
        String name = "weights/" + f.path("path").asText();
        out.add(Planned.of("weights", name, () -> weightsCheck(name, f)));
      }
    }
    for (Map.Entry<String, JsonNode> r : iterable(m.path("references"))) {
      planFeatures(out, r.getKey(), r.getValue());
    }
    out.addAll(resNet.plan()); // the ResNet models' configs, reference activations and rn_cases
    for (JsonNode f : m.path("files")) {
      if (f.path("role").asText().equals("hostile")) {
        String name = "refuse/" + f.path("path").asText();
        out.add(Planned.of("hostile", name, () -> refusalCheck(name, f)));
      }
    }
    return out;
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode obj) {
    return obj::fields;
  }

  // ------------------------------------------------------------------ weights

  private Check weightsCheck(String name, JsonNode f) {
    Path path = dir.resolve(f.path("path").asText());
    JsonNode w = f.path("weights");
    SafeTensors ref = file(w.path("reference").asText());
    Set<String> f16 = texts(w.path("float16_rounded"));
    Set<String> bf16 = texts(w.path("bfloat16_rounded"));
    DType single = singleFloatDtype(f.path("stored_dtypes"));
    Function<String, FloatTensor> loaded;
    String note;
    if (ClipLoader.detectLayout(path) == ClipLoader.Layout.OPENAI_RESNET) {
      // the ResNet model is built elsewhere: its weights are checked as read (OpenAI names, float32)
      ClipLoader.StateDict sd = ClipLoader.readFloatTensors(path);
      loaded = sd.tensors()::get;
      note = sd.description();
    } else {
      ClipWeights cw = ClipLoader.load(path, LoadOptions.defaults());
      String problem = configProblem(cw, f.path("features"));
      if (problem != null) {
        return Check.fail(name, problem);
      }
      loaded = n -> cw.has(n) ? cw.get(n) : null;
      note = cw.config().vision().activation().hfName;
    }
    Set<String> ignore = texts(w.path("ignore"));
    double worst = 0;
    int compared = 0;
    for (TensorInfo t : ref.tensors()) {
      if (ignore.contains(t.name()) || !t.dtype().isFloating()) {
        continue;
      }
      FloatTensor got = loaded.apply(t.name());
      if (got == null) {
        return Check.fail(name, "no tensor '" + t.name() + "' loaded from " + path.getFileName());
      }
      if (got.data().length != t.numel()) {
        return Check.fail(name, t.name() + ": shape " + got.shapeString() + ", reference " + t.shapeString());
      }
      DType stored = f16.contains(t.name()) ? DType.F16 : bf16.contains(t.name()) ? DType.BF16 : single;
      float[] want = ref.floats(t.name());
      for (int i = 0; i < want.length; i++) {
        float e = round(want[i], stored);
        if (Float.floatToIntBits(e) != Float.floatToIntBits(got.data()[i])) {
          worst = Math.max(worst, Double.isNaN(e - got.data()[i]) ? Double.POSITIVE_INFINITY
              : Math.max(Math.abs((double) e - got.data()[i]), Double.MIN_VALUE));
        }
      }
      compared++;
    }
    return Check.compare(name, worst, 0, compared + " tensors, bit for bit; " + note);
  }

  /** The loaded head counts and activation against the manifest's {@code features}; null when they agree. */
  private static String configProblem(ClipWeights cw, JsonNode features) {
    var c = cw.config();
    if (features.has("vision_heads") && features.path("vision_heads").asInt() != c.vision().heads()) {
      return "vision heads " + c.vision().heads() + ", manifest " + features.path("vision_heads").asInt();
    }
    if (features.has("text_heads") && features.path("text_heads").asInt() != c.text().heads()) {
      return "text heads " + c.text().heads() + ", manifest " + features.path("text_heads").asInt();
    }
    String act = features.path("activation").asText("");
    String want = act.startsWith("quick_gelu") ? "quick_gelu" : act.startsWith("gelu") ? "gelu" : null;
    if (want != null && !(want.equals(c.vision().activation().hfName) && want.equals(c.text().activation().hfName))) {
      return "activation " + c.vision().activation().hfName + "/" + c.text().activation().hfName + ", manifest "
          + act;
    }
    return null;
  }

  /** The floating dtype a file stores everything in, when it names exactly one; else float32. */
  private static DType singleFloatDtype(JsonNode storedDtypes) {
    List<String> floating = new ArrayList<>();
    storedDtypes.fieldNames().forEachRemaining(k -> {
      if (k.startsWith("float") || k.startsWith("bfloat")) {
        floating.add(k);
      }
    });
    if (floating.size() != 1) {
      return DType.F32;
    }
    return switch (floating.get(0)) {
      case "float16" -> DType.F16;
      case "bfloat16" -> DType.BF16;
      default -> DType.F32;
    };
  }

  /** {@code x} rounded to {@code d} (nearest even) and back to float32. */
  static float round(float x, DType d) {
    return switch (d) {
      case F16 -> Half.toFloat(Half.fromFloat(x));
      case BF16 -> {
        int b = Float.floatToIntBits(x);
        if (Float.isNaN(x)) {
          yield x;
        }
        int r = b + 0x7fff + ((b >>> 16) & 1);
        yield Float.intBitsToFloat(r & 0xffff0000);
      }
      default -> x;
    };
  }

  private static Set<String> texts(JsonNode arr) {
    Set<String> s = new HashSet<>();
    arr.forEach(n -> s.add(n.asText()));
    return s;
  }

  // ------------------------------------------------------------------ features

  private void planFeatures(List<Planned> out, String refFile, JsonNode ref) {
    List<String> sources = new ArrayList<>();
    String model = null;
    for (JsonNode f : m.path("files")) {
      if (refFile.equals(f.path("features").path("reference").asText(null)) && f.path("role").asText().equals("checkpoint")) {
        sources.add(f.path("path").asText());
        model = f.path("model").asText(model);
      }
    }
    if (model == null) {
      model = m.path("files").findParents("path").stream().filter(f -> f.path("path").asText().equals(refFile))
          .map(f -> f.path("model").asText(null)).findFirst().orElse(null);
    }
    if (model != null && ResNetChecks.resNetModels(m).contains(model)) {
      return; // planned by ResNetChecks
    }
    Tolerances tol = new Tolerances(ref.path("tolerances"));
    for (String t : outputs(ref)) {
      String name = "features/" + refFile + "/" + t;
      out.add(Planned.of("features", name, () -> featureCheck(name, refFile, t, sources, tol)));
    }
  }

  /** The reference's outputs: its tensors minus the inputs (pixel values, token ids). */
  private List<String> outputs(JsonNode ref) {
    List<String> out = new ArrayList<>();
    ref.path("tensors").fieldNames().forEachRemaining(t -> {
      if (!t.endsWith("pixel_values") && !t.endsWith("text_tokens")) {
        out.add(t);
      }
    });
    return out;
  }

  private Check featureCheck(String name, String refFile, String tensor, List<String> sources, Tolerances tol) {
    if (sources.isEmpty()) {
      return Check.fail(name, "no checkpoint in the manifest names " + refFile + " as its features reference");
    }
    SafeTensors ref = file(refFile);
    float[] want = ref.floats(tensor);
    double t = tol.get(tensor, Compare.maxAbsValue(want));
    double worst = -1;
    String worstFile = null;
    for (String src : sources) {
      float[] got = outputs(src, refFile).get(tensor);
      if (got == null) {
        return Check.fail(name, "cannot compute '" + tensor + "' (not an output cliptune knows)");
      }
      double e = Compare.maxAbs(got, want);
      if (Double.isNaN(e)) {
        return Check.fail(name, src + ": " + got.length + " values, reference " + ref.info(tensor).shapeString());
      }
      if (e > worst) {
        worst = e;
        worstFile = src;
      }
    }
    return Check.compare(name, worst, t, "worst of " + sources.size() + " checkpoints: " + worstFile
        + (tol.has(tensor) ? "" : " (derived tol)"));
  }

  /** Every output of {@code refFile} computed with the model loaded from {@code checkpoint} (once per pair). */
  private Map<String, float[]> outputs(String checkpoint, String refFile) {
    return outputsByCheckpoint.computeIfAbsent(checkpoint + "\u0000" + refFile, k -> {
      SafeTensors ref = file(refFile);
      Map<String, float[]> out = new LinkedHashMap<>();
      try (ClipModel model = ClipModel.create(ClipLoader.load(dir.resolve(checkpoint), LoadOptions.defaults()));
          NDManager mg = NDManager.newBaseManager(model.device())) {
        for (TensorInfo t : ref.tensors()) {
          String n = t.name();
          if (n.endsWith("pixel_values")) {
            var px = mg.create(ref.floats(n), new Shape(t.shape()));
            out.put(n.replace("pixel_values", "image_features"), model.encodeImage(px).toFloatArray());
          } else if (n.endsWith("text_tokens")) {
            var ids = mg.create(ref.longs(n), new Shape(t.shape()));
            out.put(n.replace("text_tokens", "text_features"), model.encodeText(ids).toFloatArray());
          }
        }
        float scale = model.logitScaleExp();
        out.put("logit_scale_exp", new float[] {scale});
        float[] img = out.get("image_features");
        float[] txt = out.get("text_features");
        int e = model.config().embedDim();
        if (img != null && txt != null) {
          out.put("logits", logits(img, txt, e, scale));
        }
      }
      return out;
    });
  }

  /** {@code s * normalise(img) @ normalise(txt)^T}, as the official {@code CLIP.forward}. */
  static float[] logits(float[] img, float[] txt, int dim, float scale) {
    int ni = img.length / dim;
    int nt = txt.length / dim;
    float[] a = normalised(img, dim);
    float[] b = normalised(txt, dim);
    float[] out = new float[ni * nt];
    for (int i = 0; i < ni; i++) {
      for (int j = 0; j < nt; j++) {
        float s = 0;
        for (int k = 0; k < dim; k++) {
          s += a[i * dim + k] * b[j * dim + k];
        }
        out[i * nt + j] = scale * s;
      }
    }
    return out;
  }

  private static float[] normalised(float[] x, int dim) {
    float[] out = x.clone();
    for (int r = 0; r < x.length / dim; r++) {
      double ss = 0;
      for (int k = 0; k < dim; k++) {
        ss += (double) x[r * dim + k] * x[r * dim + k];
      }
      float n = (float) Math.sqrt(ss);
      for (int k = 0; k < dim; k++) {
        out[r * dim + k] = x[r * dim + k] / n;
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ hostile files

  private Check refusalCheck(String name, JsonNode f) {
    Path path = dir.resolve(f.path("path").asText());
    JsonNode r = f.path("refusal");
    Set<String> codes = texts(r.path("also_acceptable"));
    codes.add(r.path("code").asText());
    try {
      ClipWeights w = ClipLoader.load(path, LoadOptions.defaults());
      return Check.fail(name, "loaded (" + w.tensors().size() + " tensors) instead of refusing with "
          + r.path("code").asText());
    } catch (TorchFileException | ClipWeightsException | SafeTensorsException e) {
      String code = codeOf(e);
      String msg = e.getMessage();
      if (!codes.contains(code)) {
        return Check.fail(name, "refused as " + code + ", expected " + codes + ": " + msg);
      }
      List<String> missing = new ArrayList<>();
      for (JsonNode word : r.path("message_should_name")) {
        if (!msg.toLowerCase(Locale.ROOT).contains(word.asText().toLowerCase(Locale.ROOT))) {
          missing.add(word.asText());
        }
      }
      if (r.has("offset") && !msg.contains("offset " + r.path("offset").asLong())) {
        missing.add("offset " + r.path("offset").asLong());
      }
      if (!missing.isEmpty() || !msg.contains(path.getFileName().toString())) {
        return Check.fail(name, "message does not name " + (missing.isEmpty() ? "the file" : missing) + ": " + msg);
      }
      return Check.compare(name, 0, 0, code + ": " + msg.substring(msg.indexOf(path.getFileName().toString())));
    }
  }

  private static String codeOf(RuntimeException e) {
    if (e instanceof TorchFileException t) {
      return t.code();
    }
    if (e instanceof ClipWeightsException c && c.code() != null) {
      return c.code();
    }
    return e instanceof SafeTensorsException ? "bad-safetensors-header" : "unclassified";
  }

  @Override
  public void close() {
    resNet.close();
    files.values().forEach(SafeTensors::close);
  }
}
