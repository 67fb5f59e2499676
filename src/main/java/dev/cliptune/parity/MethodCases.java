package dev.cliptune.parity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptLearners;
import dev.cliptune.prompt.PromptParameter;
import dev.cliptune.prompt.PromptSrc;
import dev.cliptune.train.LrSchedule;
import dev.cliptune.train.TrainingStep;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The prompt-learning method cases of a manifest ({@code methods[]}): one check per reference tensor of the
 * case file except its inputs and starting parameters. A case is computed once, on its first selected
 * check: build the learner from the case's official configuration and class names, compare its deterministic
 * initialisation with {@code init/*}, load {@code params/*}, then evaluation logits and debug activations,
 * the training loss, gradients and two SGD steps — through the trainer's own {@link TrainingStep} — and the
 * same with the official float16 casts where the case records them.
 */
final class MethodCases {
  private final JsonNode manifest;
  private final Path dir;
  private final Supplier<ClipModel> model;
  private final Supplier<ClipTokenizer> tokenizer;
  private final Function<String, SafeTensors> files;
  private final Map<String, Map<String, float[]>> computed = new HashMap<>();

  MethodCases(JsonNode manifest, Path dir, Supplier<ClipModel> model, Supplier<ClipTokenizer> tokenizer,
      Function<String, SafeTensors> files) {
    this.manifest = manifest;
    this.dir = dir;
    this.model = model;
    this.tokenizer = tokenizer;
    this.files = files;
  }

  void plan(List<Planned> out) {
    planGpa(out);
    for (JsonNode c : manifest.path("methods")) {
      planFile(out, "methods", c);
    }
  }

  /** One check per reference tensor of entry {@code c}'s file except its inputs and starting parameters. */
  private void planFile(List<Planned> out, String group, JsonNode c) {
    String id = c.path("id").asText();
    String method = c.path("method").asText();
    String file = c.path("file").asText();
    Tolerances tol = new Tolerances(c.path("tolerances"));
    for (TensorInfo t : files.apply(file).tensors()) {
      String tensor = t.name();
      if (tensor.startsWith("inputs/") || tensor.startsWith("params/")) {
        continue;
      }
      String name = id + "/" + tensor;
      out.add(new Planned(group, method, id, name, () -> check(name, c, file, tensor, tol)));
      if (tensor.startsWith("aggregated/")) {
        // the aggregation arithmetic alone, from the reference's own epoch states: bit for bit
        String exact = "aggregated_from_reference_epochs/" + tensor.substring("aggregated/".length());
        out.add(new Planned(group, method, id, id + "/" + exact,
            () -> check(id + "/" + exact, c, file, exact, tensor, EXACT)));
      }
    }
  }

  /** Tolerance 0 for every tensor. */
  private static final Tolerances EXACT = new Tolerances(null) {
    @Override
    boolean has(String t) {
      return true;
    }

    @Override
    double get(String t, double maxAbs) {
      return 0;
    }
  };

  private Check check(String name, JsonNode c, String file, String tensor, Tolerances tol) {
    return check(name, c, file, tensor, tensor, tol);
  }

  /** {@code computedKey} of the implementation against the reference tensor {@code tensor}. */
  private Check check(String name, JsonNode c, String file, String computedKey, String tensor, Tolerances tol) {
    SafeTensors ref = files.apply(file);
    Map<String, float[]> got = computed.computeIfAbsent(c.path("id").asText(),
        k -> c.has("epochs") ? computeSchedule(c, ref) : compute(c, ref));
    float[] mine = got.get(computedKey);
    if (mine == null) {
      return Check.fail(name, "not produced by the implementation");
    }
    if (ref.info(tensor).dtype().isFloating()) {
      float[] want = ref.floats(tensor);
      if (want.length != mine.length) {
        return Check.fail(name, "computed " + mine.length + " values, reference " + ref.info(tensor).shapeString());
      }
      double t = tol.get(tensor, Compare.maxAbsValue(want));
      return Check.compare(name, Compare.maxAbs(mine, want), t, tol.has(tensor) ? "" : "(derived tol)");
    }
    long[] want = ref.longs(tensor);
    long[] m = new long[mine.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = (long) mine[i];
    }
    double err = Compare.maxAbs(m, want);
    return Check.compare(name, err, 0, err == 0 ? "" : Compare.firstDifference(m, want));
  }

  private static MethodConfig config(JsonNode c, boolean fp16) {
    return config(c, c, fp16);
  }

  /**
   * The method configuration of {@code c}'s {@code official_config}, with the frozen targets' templates of
   * {@code withTemplates} ({@code frozen_features.templates} or {@code .template}) when it lists them.
   */
  private static MethodConfig config(JsonNode c, JsonNode withTemplates, boolean fp16) {
    Method m = Method.parse(c.path("method").asText());
    Map<String, Object> keys = new LinkedHashMap<>();
    c.path("official_config").fields().forEachRemaining(e -> keys.put(e.getKey(), e.getValue().asText()));
    MethodConfig cfg = MethodConfig.fromOfficial(m, keys);
    JsonNode ff = withTemplates.path("frozen_features");
    List<String> templates = ff.has("templates") ? strings(ff.path("templates"))
        : ff.has("template") ? List.of(ff.path("template").asText()) : List.of();
    if (!templates.isEmpty()) {
      cfg = cfg.toBuilder().templates(String.join(MethodConfig.TEMPLATE_SEPARATOR, templates)).build();
    }
    return fp16 ? cfg.with("FP16_CASTS", "true", "official_fp16_roundtrip") : cfg;
  }

  private static List<String> strings(JsonNode arr) {
    List<String> out = new java.util.ArrayList<>();
    arr.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Everything one case produces, by reference tensor name. */
  private Map<String, float[]> compute(JsonNode c, SafeTensors ref) {
    Map<String, float[]> out = new HashMap<>();
    ClipModel clip = model.get();
    List<String> classes = strings(c.path("classnames"));
    JsonNode opt = c.path("optimizer");
    double lr = opt.path("lr").asDouble();
    double momentum = opt.path("momentum").asDouble();
    double wd = opt.path("weight_decay").asDouble();
    try (NDManager m = NDManager.newBaseManager(clip.device());
        PromptLearner learner = PromptLearners.create(clip, tokenizer.get(), classes, config(c, false))) {
      out.put("buffers/tokenized_prompts", floats(learner.tokenizedPrompts()));
      for (PromptParameter p : learner.parameters()) {
        out.put("init/" + p.name(), learner.initialValue(p.name()));
      }
      loadParams(learner, ref);
      learner.recordBuffers((n, v) -> out.put(n, floats(v)));
      NDArray px = m.create(ref.floats("inputs/pixel_values"), new Shape(ref.info("inputs/pixel_values").shape()));
      NDArray labels = m.create(ref.longs("inputs/labels"));
      Probe probe = (n, v) -> out.put("debug/" + n, v.toFloatArray());
      try (NDManager s = m.newSubManager()) {
        px.tempAttach(s);
        out.put("logits", learner.logits(px, probe).toFloatArray());
      }
      try (TrainingStep step = new TrainingStep(learner, momentum, wd)) {
        boolean terms = ref.has("loss_terms/total");
        // step 1: the loss terms and the training forward's own activations (zero-shot logits, ...)
        step.probe(terms ? (n, v) -> {
          if (n.startsWith("loss_terms/")) {
            out.put(n, floats(v));
          } else {
            out.putIfAbsent("debug/" + n, floats(v));
          }
        } : Probe.NONE);
        step.onGradients(ps -> grads(ps, "grad/", out));
        out.put("loss", new float[] {step.run(px, labels, lr).loss()});
        values(learner, "after_step1/", out);
        step.probe(terms ? (n, v) -> {
          if (n.startsWith("loss_terms/")) {
            out.put("loss_terms_step2/" + n.substring("loss_terms/".length()), floats(v));
          }
        } : Probe.NONE);
        step.onGradients(ps -> grads(ps, "grad_step2/", out));
        out.put("loss_step2", new float[] {step.run(px, labels, lr).loss()});
        values(learner, "after_step2/", out);
      }
      if (ref.has("official_fp16_roundtrip/logits")) {
        try (PromptLearner half = PromptLearners.create(clip, tokenizer.get(), classes, config(c, true));
            TrainingStep step = new TrainingStep(half, momentum, wd)) {
          loadParams(half, ref);
          try (NDManager s = m.newSubManager()) {
            px.tempAttach(s);
            out.put("official_fp16_roundtrip/logits", half.logits(px, Probe.NONE).toFloatArray());
          }
          step.onGradients(ps -> grads(ps, "official_fp16_roundtrip/grad/", out));
          out.put("official_fp16_roundtrip/loss", new float[] {step.run(px, labels, lr).loss()});
          values(half, "official_fp16_roundtrip/after_step1/", out);
        }
      }
    }
    return out;
  }

  /** The values of {@code v} as float32 (token ids are exact in float32). */
  private static float[] floats(NDArray v) {
    if (v.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
      return v.toFloatArray();
    }
    try (NDArray f = v.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)) {
      return f.toFloatArray();
    }
  }

  // ------------------------------------------------------------------ multi-epoch schedules (PromptSRC's GPA)

  /**
   * The manifest's {@code gpa_schedules[]}: {@code epochs} epochs of {@code batches_per_epoch} = 1 batch (the
   * file's inputs) through the one {@link TrainingStep} at the rates of the schedule's {@code optim} (Dassl's
   * constant warm-up and cosine, {@link LrSchedule}), with {@link PromptLearner#epochEnded} after each epoch:
   * one check per reference tensor (per-epoch parameters, rates, losses, GPA weights, aggregated prompts and
   * the logits after aggregation).
   */
  private void planGpa(List<Planned> out) {
    // the float64 GPA weights the manifest records: per case, per schedule and for the official configs
    List<JsonNode> weighted = new java.util.ArrayList<>();
    manifest.path("methods").forEach(c -> {
      if (c.has("gpa")) {
        weighted.add(c);
      }
    });
    manifest.path("gpa_schedules").forEach(weighted::add);
    for (JsonNode c : weighted) {
      JsonNode g = c.path("gpa");
      JsonNode cfg = c.path("official_config");
      int n = cfg.path("OPTIM.MAX_EPOCH").asInt(g.path("MAX_EPOCH").asInt(c.path("epochs").asInt()));
      String name = c.path("id").asText() + "/gpa_weights_float64";
      out.add(new Planned("gpa", c.path("method").asText(), c.path("id").asText(), name, () -> weightsCheck(name,
          g.path("GPA_MEAN").asDouble(cfg.path("TRAINER.PROMPTSRC.GPA_MEAN").asDouble()),
          g.path("GPA_STD").asDouble(cfg.path("TRAINER.PROMPTSRC.GPA_STD").asDouble()), n, g.path("weights"))));
    }
    JsonNode tables = manifest.path("gpa_official_weight_tables");
    for (int i = 0; i < tables.size(); i++) {
      JsonNode t = tables.get(i);
      String name = "gpa_official_weight_tables/" + i;
      out.add(new Planned("gpa", "PromptSRC", "gpa_official_weight_tables", name, () -> weightsCheck(name,
          t.path("GPA_MEAN").asDouble(), t.path("GPA_STD").asDouble(), t.path("MAX_EPOCH").asInt(), t.path("weights"))));
    }
    for (JsonNode c : manifest.path("gpa_schedules")) {
      planFile(out, "gpa", c);
    }
  }

  /** Relative tolerance of the float64 weights: a few ulps (exp and the normalising sum may round differently). */
  private static final double GPA_WEIGHT_RTOL = 1e-13;

  private static Check weightsCheck(String name, double mean, double std, int epochs, JsonNode want) {
    if (want.size() != epochs) {
      return Check.fail(name, "the manifest lists " + want.size() + " weights for " + epochs + " epochs");
    }
    double[] got = PromptSrc.gpaWeights(mean, std, epochs);
    double worst = 0;
    for (int e = 0; e < epochs; e++) {
      double w = want.get(e).asDouble();
      worst = Math.max(worst, w == 0 ? Math.abs(got[e]) : Math.abs(got[e] - w) / Math.abs(w));
    }
    return Check.compare(name, worst, GPA_WEIGHT_RTOL, "relative error, N(" + mean + ", " + std + "^2), " + epochs
        + " epochs");
  }

  private JsonNode caseNamed(String id) {
    for (JsonNode c : manifest.path("methods")) {
      if (c.path("id").asText().equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException(dir.resolve("manifest.json") + ": gpa schedule names based_on_case '" + id
        + "', which is not in methods[]");
  }

  private Map<String, float[]> computeSchedule(JsonNode c, SafeTensors ref) {
    Map<String, float[]> out = new HashMap<>();
    ClipModel clip = model.get();
    JsonNode templatesFrom = c.has("based_on_case") ? caseNamed(c.path("based_on_case").asText()) : c;
    JsonNode o = c.path("optim");
    int epochs = c.path("epochs").asInt(o.path("MAX_EPOCH").asInt());
    if (c.path("batches_per_epoch").asInt(1) != 1) {
      throw new IllegalArgumentException(c.path("id").asText() + ": only one batch per epoch (the file's inputs) is supported");
    }
    LrSchedule schedule = new LrSchedule(o.path("LR").asDouble(), o.path("MAX_EPOCH").asInt(epochs),
        o.path("WARMUP_EPOCH").asInt(0), o.path("WARMUP_CONS_LR").asDouble());
    MethodConfig cfg = config(c, templatesFrom, false);
    try (NDManager m = NDManager.newBaseManager(clip.device());
        PromptLearner learner = PromptLearners.create(clip, tokenizer.get(), strings(c.path("classnames")), cfg);
        TrainingStep step = new TrainingStep(learner, o.path("MOMENTUM").asDouble(), o.path("WEIGHT_DECAY").asDouble())) {
      out.put("buffers/tokenized_prompts", floats(learner.tokenizedPrompts()));
      loadParams(learner, ref);
      NDArray px = m.create(ref.floats("inputs/pixel_values"), new Shape(ref.info("inputs/pixel_values").shape()));
      NDArray labels = m.create(ref.longs("inputs/labels"));
      float[] lrs = new float[epochs];
      float[] losses = new float[epochs];
      for (int e = 0; e < epochs; e++) {
        lrs[e] = (float) schedule.lr(e);
        losses[e] = step.run(px, labels, schedule.lr(e)).loss();
        values(learner, "epoch" + (e + 1) + "/", out);
        learner.epochEnded(e + 1, epochs);
      }
      out.put("lr", lrs);
      out.put("loss_per_epoch", losses);
      double[] w = PromptSrc.gpaWeights(cfg.gpaMean(), cfg.gpaStd(), epochs);
      float[] wf = new float[epochs];
      for (int e = 0; e < epochs; e++) {
        wf[e] = (float) w[e];
      }
      out.put("gpa/weights", wf);
      values(learner, "aggregated/", out);
      try (NDManager s = m.newSubManager()) {
        px.tempAttach(s);
        float[] logits = learner.logits(px, Probe.NONE).toFloatArray();
        // only the prompts are aggregated: the official model's logits (frozen weights summed too) differ by ~1 ulp
        out.put("logits_after_gpa", logits);
        out.put("logits_after_gpa_prompt_only", logits);
      }
      for (int e = 1; e <= epochs; e++) {
        loadParams(learner, ref, "epoch" + e + "/");
        learner.epochEnded(e, epochs);
      }
      values(learner, "aggregated_from_reference_epochs/", out);
    }
    return out;
  }

  private static float[] floats(long[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = v[i];
    }
    return f;
  }

  private static void loadParams(PromptLearner learner, SafeTensors ref) {
    loadParams(learner, ref, "params/");
  }

  private static void loadParams(PromptLearner learner, SafeTensors ref, String prefix) {
    for (PromptParameter p : learner.parameters()) {
      String t = prefix + p.name();
      learner.setParameter(p.name(), ref.floats(t), ref.info(t).shape());
    }
  }

  private static void grads(List<PromptParameter> parameters, String prefix, Map<String, float[]> out) {
    for (PromptParameter p : parameters) {
      try (NDArray g = p.value().getGradient()) {
        out.put(prefix + p.name(), g.toFloatArray());
      }
    }
  }

  private static void values(PromptLearner learner, String prefix, Map<String, float[]> out) {
    for (PromptParameter p : learner.parameters()) {
      out.put(prefix + p.name(), p.value().toFloatArray());
    }
  }
}
