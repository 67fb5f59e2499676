package dev.cliptune.parity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.image.ImageDecoder;
import dev.cliptune.clip.image.RgbImage;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.clip.tokenizer.TextTooLongException;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.clip.weights.LoadOptions;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.zeroshot.ZeroShotClassifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A {@code manifest.json} fixture set: tokenisation cases, preprocessing of images, the CLIP forward pass
 * (features, zero-shot logits, every {@code debug/*} activation) and the method cases.
 */
final class ManifestFixtures implements ParityRunner.FixtureContext {
  private final Path dir;
  private final JsonNode m;
  private final Map<String, SafeTensors> files = new HashMap<>();
  private ClipTokenizer tokenizer;
  private ClipWeights hfWeights;
  private ClipModel model;
  private NDManager manager;
  private Map<String, float[]> clipDebug;

  ManifestFixtures(Path dir, JsonNode manifest) {
    this.dir = dir;
    this.m = manifest;
    if (!m.has("model")) {
      throw new ParityRunner.NotAFixtureSet(dir.resolve("manifest.json") + ": expected a 'model' section");
    }
  }

  // ------------------------------------------------------------------ shared, loaded on first use

  private SafeTensors file(String relative) {
    return files.computeIfAbsent(relative, r -> SafeTensors.open(dir.resolve(r)));
  }

  private Path hfDir() {
    return dir.resolve(m.path("model").path("hf_dir").asText("model/hf"));
  }

  private Path openaiDir() {
    return dir.resolve(m.path("model").path("openai_dir").asText("model/openai"));
  }

  private ClipTokenizer tokenizer() {
    if (tokenizer == null) {
      tokenizer = ClipTokenizer.fromDirectory(hfDir());
    }
    return tokenizer;
  }

  private ClipWeights hfWeights() {
    if (hfWeights == null) {
      hfWeights = ClipLoader.load(hfDir(), LoadOptions.defaults());
    }
    return hfWeights;
  }

  private ClipModel model() {
    if (model == null) {
      model = ClipModel.create(hfWeights());
      manager = NDManager.newBaseManager(model.device());
    }
    return model;
  }

  private int contextLength() {
    return m.path("tokenisation").path("context_length").asInt(m.path("model").path("dims").path("context_length").asInt(77));
  }

  @Override
  public List<Planned> plan() {
    List<Planned> out = new ArrayList<>();
    planTokenisation(out);
    planPreprocess(out);
    planClip(out);
    new MethodCases(m, dir, this::model, this::tokenizer, this::file).plan(out);
    return out;
  }

  // ------------------------------------------------------------------ tokenisation

  private void planTokenisation(List<Planned> out) {
    JsonNode cases = m.path("tokenisation").path("cases");
    for (int i = 0; i < cases.size(); i++) {
      JsonNode c = cases.get(i);
      String name = String.format("tokenisation/case%02d", i);
      out.add(Planned.of("tokenisation", name, () -> tokenisationCase(name, c)));
    }
  }

  private Check tokenisationCase(String name, JsonNode c) {
    String text = c.path("text").asText();
    String shown = text.length() > 40 ? text.substring(0, 37) + "..." : text;
    shown = "'" + shown.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "'";
    int ctx = contextLength();
    ClipTokenizer tok = tokenizer();
    long[] bpe = Arrays.stream(tok.encode(text)).asLongStream().toArray();
    long[] refBpe = longs(c.path("bpe_ids"));
    double err = Compare.maxAbs(bpe, refBpe);
    String note = Double.isNaN(err) || err > 0 ? "bpe ids " + Compare.firstDifference(bpe, refBpe) : "";
    if (c.path("too_long").asBoolean(false)) {
      // the manifest writes the official f-string with the text elided as "<text>"
      String expected = c.path("error").asText().replace("<text>", text);
      try {
        tok.tokenize(text, ctx, false);
        return Check.fail(name, shown + ": expected the error '" + expected + "' but got tokens");
      } catch (TextTooLongException e) {
        if (!e.getMessage().equals(expected)) {
          return Check.fail(name, shown + ": error message '" + e.getMessage() + "', expected '" + expected + "'");
        }
      }
    } else {
      long[] tokens = tok.tokenize(text, ctx, false);
      double e2 = Compare.maxAbs(tokens, longs(c.path("tokens")));
      err = Double.isNaN(e2) || Double.isNaN(err) ? Double.NaN : Math.max(err, e2);
    }
    long[] trunc = tok.tokenize(text, ctx, true);
    double e3 = Compare.maxAbs(trunc, longs(c.path("tokens_truncate_true")));
    err = Double.isNaN(e3) || Double.isNaN(err) ? Double.NaN : Math.max(err, e3);
    return Check.compare(name, err, 0, (shown + " " + note).trim());
  }

  private static long[] longs(JsonNode arr) {
    long[] out = new long[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).asLong();
    }
    return out;
  }

  // ------------------------------------------------------------------ preprocessing

  /** float32 arithmetic of (x/255 - mean)/std; one uint8 level off is about 0.015 after normalisation. */
  static final double PREPROCESS_TOL = 1e-5;

  private ClipPreprocessor preprocessor() {
    JsonNode p = m.path("model").path("preprocessing");
    int r = m.path("model").path("dims").path("image_resolution").asInt();
    return new ClipPreprocessor(r, floats(p.path("mean")), floats(p.path("std")));
  }

  private static float[] floats(JsonNode arr) {
    float[] out = new float[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) arr.get(i).asDouble();
    }
    return out;
  }

  private void planPreprocess(List<Planned> out) {
    JsonNode images = m.path("images");
    String refFile = images.path("file").asText("reference/preprocess.safetensors");
    for (JsonNode e : images.path("entries")) {
      String file = e.path("file").asText();
      String name = "preprocess/" + Path.of(file).getFileName();
      out.add(Planned.of("preprocess", name, () -> preprocessCase(name, refFile, e)));
    }
  }

  private Check preprocessCase(String name, String refFile, JsonNode e) {
    ClipPreprocessor pre = preprocessor();
    int r = pre.resolution();
    SafeTensors ref = file(refFile);
    RgbImage img;
    String note = "";
    Path imageFile = dir.resolve(e.path("file").asText());
    if (e.has("decoded_rgb_tensor")) {
      String t = e.path("decoded_rgb_tensor").asText();
      TensorInfo info = ref.info(t);
      img = new RgbImage((int) info.shape()[1], (int) info.shape()[0], ref.u8(t));
      float[] own = pre.apply(ImageDecoder.decode(imageFile));
      note = String.format("resized from the reference decode; own decoder differs by %.3g",
          Compare.maxAbs(own, ref.floats(e.path("tensor").asText())));
    } else {
      img = ImageDecoder.decode(imageFile);
    }
    JsonNode size = e.path("size");
    if (size.isArray() && (img.width() != size.get(0).asInt() || img.height() != size.get(1).asInt())) {
      return Check.fail(name, "decoded size " + img.width() + "x" + img.height() + ", manifest says " + size);
    }
    if (e.has("resized_size")) {
      int[] rs = ClipPreprocessor.resizedSize(img.width(), img.height(), r);
      int[] off = ClipPreprocessor.cropOffsets(rs[0], rs[1], r);
      JsonNode wantRs = e.path("resized_size");
      JsonNode wantOff = e.path("crop_offset_left_top");
      if (rs[0] != wantRs.get(0).asInt() || rs[1] != wantRs.get(1).asInt()
          || off[0] != wantOff.get(0).asInt() || off[1] != wantOff.get(1).asInt()) {
        return Check.fail(name, "resized " + Arrays.toString(rs) + " crop " + Arrays.toString(off)
            + ", manifest says " + wantRs + " crop " + wantOff);
      }
    }
    float[] got = pre.apply(img);
    float[] want = ref.floats(e.path("tensor").asText());
    return Check.compare(name, Compare.maxAbs(got, want), PREPROCESS_TOL, note);
  }

  // ------------------------------------------------------------------ CLIP

  private void planClip(List<Planned> out) {
    JsonNode clip = m.path("clip");
    if (clip.isMissingNode()) {
      return;
    }
    String refFile = clip.path("file").asText("reference/clip.safetensors");
    Tolerances tol = new Tolerances(clip.path("tolerances"));
    out.add(Planned.of("clip", "clip/weights/hf_equals_openai", this::layoutsAgree));
    out.add(Planned.of("clip", "clip/config", this::configMatches));
    String imageT = clip.path("image_features").path("tensor").asText("image_features");
    out.add(Planned.of("clip", "clip/" + imageT, () -> tensorCheck("clip/" + imageT, refFile, imageT, tol,
        () -> imageFeatures(refFile))));
    JsonNode tf = clip.path("text_features");
    String tokensT = tf.path("tokens").asText("text_tokens");
    String textT = tf.path("tensor").asText("text_features");
    out.add(Planned.of("clip", "clip/" + tokensT, () -> tokensCheck("clip/" + tokensT, refFile, tokensT,
        textList(tf.path("prompts")))));
    out.add(Planned.of("clip", "clip/" + textT, () -> tensorCheck("clip/" + textT, refFile, textT, tol,
        () -> textFeatures(refFile, tokensT))));
    JsonNode zs = clip.path("zero_shot");
    if (!zs.isMissingNode()) {
      List<String> templates = List.of(zs.path("template").asText());
      List<String> classes = textList(zs.path("classnames"));
      out.add(Planned.of("clip", "clip/zero_shot/tokens", () -> tokensCheck("clip/zero_shot/tokens", refFile,
          "zero_shot/tokens", ZeroShotClassifier.prompts(templates, classes))));
      out.add(Planned.of("clip", "clip/zero_shot/text_features", () -> tensorCheck(
          "clip/zero_shot/text_features", refFile, "zero_shot/text_features", tol,
          () -> encodeTextsOf(ZeroShotClassifier.prompts(templates, classes)))));
      out.add(Planned.of("clip", "clip/zero_shot/logit_scale_exp", () -> tensorCheck(
          "clip/zero_shot/logit_scale_exp", refFile, "zero_shot/logit_scale_exp", tol,
          () -> new float[] {model().logitScaleExp()})));
      out.add(Planned.of("clip", "clip/zero_shot/logits", () -> tensorCheck("clip/zero_shot/logits", refFile,
          "zero_shot/logits", tol, () -> zeroShotLogits(refFile, templates, classes))));
    }
    JsonNode ens = clip.path("zero_shot_ensemble");
    if (!ens.isMissingNode()) {
      List<String> templates = textList(ens.path("templates"));
      List<String> classes = textList(ens.path("classnames"));
      out.add(Planned.of("clip", "clip/zero_shot_ensemble/tokens", () -> tokensCheck(
          "clip/zero_shot_ensemble/tokens", refFile, "zero_shot_ensemble/tokens",
          ZeroShotClassifier.prompts(templates, classes))));
      out.add(Planned.of("clip", "clip/zero_shot_ensemble/text_features_normalised", () -> tensorCheck(
          "clip/zero_shot_ensemble/text_features_normalised", refFile,
          "zero_shot_ensemble/text_features_normalised", tol, () -> ensembleFeatures(templates, classes))));
      out.add(Planned.of("clip", "clip/zero_shot_ensemble/logits", () -> tensorCheck(
          "clip/zero_shot_ensemble/logits", refFile, "zero_shot_ensemble/logits", tol,
          () -> zeroShotLogits(refFile, templates, classes))));
    }
    // every debug/* activation the reference file holds (the manifest describes them with {i} patterns)
    for (TensorInfo info : file(refFile).tensors()) {
      String t = info.name();
      if (t.startsWith("debug/")) {
        String name = "clip/" + t;
        out.add(Planned.of("clip", name, () -> tensorCheck(name, refFile, t, tol, () -> debugActivation(refFile, t))));
      }
    }
  }

  private static List<String> textList(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(n -> out.add(n.asText()));
    return out;
  }

  private Check tensorCheck(String name, String refFile, String tensor, Tolerances tol, Supplier<float[]> compute) {
    SafeTensors ref = file(refFile);
    float[] want = ref.floats(tensor);
    float[] got = compute.get();
    if (got == null) {
      return Check.fail(name, "not computed");
    }
    if (got.length != want.length) {
      return Check.fail(name, "computed " + got.length + " values, reference " + ref.info(tensor).shapeString());
    }
    double t = tol.get(tensor, Compare.maxAbsValue(want));
    return Check.compare(name, Compare.maxAbs(got, want), t, tol.has(tensor) ? "" : "(derived tol)");
  }

  private Check tokensCheck(String name, String refFile, String tensor, List<String> texts) {
    return tokensCheck(name, file(refFile).longs(tensor), texts, tokenizer(), contextLength());
  }

  /** Token ids of {@code texts} ({@code [n, ctx]}, padded, not truncated) against the reference ids: exact. */
  static Check tokensCheck(String name, long[] want, List<String> texts, ClipTokenizer tok, int ctx) {
    long[] got = new long[texts.size() * ctx];
    for (int i = 0; i < texts.size(); i++) {
      System.arraycopy(tok.tokenize(texts.get(i), ctx, false), 0, got, i * ctx, ctx);
    }
    double err = Compare.maxAbs(got, want);
    return Check.compare(name, err, 0, err == 0 ? "" : Compare.firstDifference(got, want));
  }

  private Check layoutsAgree() {
    String name = "clip/weights/hf_equals_openai";
    ClipWeights hf = hfWeights();
    ClipWeights oa = ClipLoader.load(openaiDir(), LoadOptions.defaults());
    if (!hf.tensors().keySet().equals(oa.tensors().keySet())) {
      return Check.fail(name, "tensor names differ between layouts");
    }
    double worst = 0;
    for (Map.Entry<String, FloatTensor> e : hf.tensors().entrySet()) {
      FloatTensor o = oa.get(e.getKey());
      if (!Arrays.equals(o.shape(), e.getValue().shape())) {
        return Check.fail(name, e.getKey() + ": shape " + e.getValue().shapeString() + " vs " + o.shapeString());
      }
      worst = Math.max(worst, Compare.maxAbs(e.getValue().data(), o.data()));
    }
    return Check.compare(name, worst, 0, hf.tensors().size() + " tensors");
  }

  private Check configMatches() {
    String name = "clip/config";
    var c = hfWeights().config();
    JsonNode d = m.path("model").path("dims");
    int[][] pairs = {
        {c.vision().imageSize(), d.path("image_resolution").asInt()},
        {c.vision().patchSize(), d.path("patch_size").asInt()},
        {c.vision().width(), d.path("vision_width").asInt()},
        {c.vision().layers(), d.path("vision_layers").asInt()},
        {c.vision().heads(), d.path("vision_heads").asInt()},
        {c.text().width(), d.path("text_width").asInt()},
        {c.text().layers(), d.path("text_layers").asInt()},
        {c.text().heads(), d.path("text_heads").asInt()},
        {c.embedDim(), d.path("embed_dim").asInt()},
        {c.text().contextLength(), d.path("context_length").asInt()},
        {c.text().vocabSize(), d.path("vocab_size").asInt()}};
    double worst = 0;
    for (int[] p : pairs) {
      worst = Math.max(worst, Math.abs(p[0] - p[1]));
    }
    return Check.compare(name, worst, 0, worst == 0 ? "" : "loaded " + c + ", manifest " + d);
  }

  private NDArray referencePixels(String refFile) {
    SafeTensors ref = file(refFile);
    TensorInfo info = ref.info("pixel_values");
    return manager.create(ref.floats("pixel_values"), new Shape(info.shape()));
  }

  private float[] imageFeatures(String refFile) {
    model();
    try (NDManager sub = manager.newSubManager(); NDArray px = referencePixels(refFile)) {
      px.attach(sub);
      return model.encodeImage(px).toFloatArray();
    }
  }

  private float[] textFeatures(String refFile, String tokensTensor) {
    model();
    SafeTensors ref = file(refFile);
    try (NDManager sub = manager.newSubManager()) {
      NDArray ids = sub.create(ref.longs(tokensTensor), new Shape(ref.info(tokensTensor).shape()));
      return model.encodeText(ids).toFloatArray();
    }
  }

  private float[] encodeTextsOf(List<String> prompts) {
    model();
    try (NDManager sub = manager.newSubManager()) {
      int ctx = contextLength();
      long[] ids = new long[prompts.size() * ctx];
      for (int i = 0; i < prompts.size(); i++) {
        System.arraycopy(tokenizer().tokenize(prompts.get(i), ctx, false), 0, ids, i * ctx, ctx);
      }
      return model.encodeText(sub.create(ids, new Shape(prompts.size(), ctx))).toFloatArray();
    }
  }

  private float[] ensembleFeatures(List<String> templates, List<String> classes) {
    try (ZeroShotClassifier zs = ZeroShotClassifier.build(model(), tokenizer(), classes, templates)) {
      return zs.textFeatures().toFloatArray();
    }
  }

  private float[] zeroShotLogits(String refFile, List<String> templates, List<String> classes) {
    try (ZeroShotClassifier zs = ZeroShotClassifier.build(model(), tokenizer(), classes, templates);
        NDManager sub = manager.newSubManager()) {
      NDArray px = referencePixels(refFile);
      px.attach(sub);
      return zs.logits(px).toFloatArray();
    }
  }

  /** Every debug activation of one image pass and one text pass, recorded once. */
  private float[] debugActivation(String refFile, String tensor) {
    if (clipDebug == null) {
      model();
      Map<String, float[]> rec = new HashMap<>();
      Probe probe = (n, v) -> rec.put("debug/" + n, v.toFloatArray());
      SafeTensors ref = file(refFile);
      String tokensT = m.path("clip").path("text_features").path("tokens").asText("text_tokens");
      try (NDManager sub = manager.newSubManager()) {
        NDArray px = referencePixels(refFile);
        px.attach(sub);
        model.encodeImage(dev.cliptune.clip.VisionInput.of(px), probe);
        NDArray ids = sub.create(ref.longs(tokensT), new Shape(ref.info(tokensT).shape()));
        model.encodeText(ids, probe);
      }
      clipDebug = rec;
    }
    float[] all = clipDebug.get(tensor);
    if (all == null) {
      throw new IllegalStateException("the model records no activation named " + tensor);
    }
    // debug/text/* cover only the first rows of the prompts: compare that prefix.
    long want = file(refFile).info(tensor).numel();
    return want < all.length ? Arrays.copyOf(all, (int) want) : all;
  }

  @Override
  public void close() {
    files.values().forEach(SafeTensors::close);
    if (manager != null) {
      manager.close();
    }
    if (model != null) {
      model.close();
    }
  }
}
