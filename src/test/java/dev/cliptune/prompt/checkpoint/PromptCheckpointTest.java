package dev.cliptune.prompt.checkpoint;

import static dev.cliptune.prompt.checkpoint.CheckpointFixture.assertBitEqual;
import static dev.cliptune.prompt.checkpoint.CheckpointFixture.config;
import static dev.cliptune.prompt.checkpoint.CheckpointFixture.logits;
import static dev.cliptune.prompt.checkpoint.CheckpointFixture.pixels;
import static dev.cliptune.prompt.checkpoint.CheckpointFixture.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.SafeTensorsWriter;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptLearners;
import dev.cliptune.prompt.PromptParameter;
import dev.cliptune.testing.TinyModel;
import dev.cliptune.train.LrSchedule;
import dev.cliptune.train.Sgd;
import dev.cliptune.train.TrainingStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Prompt checkpoints on the repository's tiny CLIP: round trips, transfer, refusals, corruption, atomic writes. */
class PromptCheckpointTest {
  static final List<String> ABC = List.of("golden_retriever", "tabby cat", "airliner");
  static final List<String> DE = List.of("sunflower", "red panda");
  static final ObjectMapper JSON = new ObjectMapper();

  static ClipWeights weights;
  static ClipModel clip;
  static ClipTokenizer tok;

  @TempDir Path tmp;

  @BeforeAll
  static void load() {
    weights = TinyModel.weights();
    clip = TinyModel.clip();
    tok = TinyModel.tokenizer();
  }

  /** One configuration per method family, sized for the 4-layer tiny model. */
  static Stream<Arguments> families() {
    return Stream.of(
        Arguments.of("CoOp", config(Method.COOP, "N_CTX", 4)),
        Arguments.of("CoOp-CSC", config(Method.COOP, "N_CTX", 2, "CSC", true)),
        Arguments.of("CoCoOp", config(Method.COCOOP, "N_CTX", 4)),
        Arguments.of("MIP", config(Method.MIP, "N_CTX", 4)),
        Arguments.of("MaPLe", config(Method.MAPLE, "PROMPT_DEPTH", 3)),
        Arguments.of("MaPLeShared", config(Method.MAPLE_SHARED, "PROMPT_DEPTH", 3)),
        Arguments.of("IVLP", config(Method.IVLP, "PROMPT_DEPTH_TEXT", 3, "PROMPT_DEPTH_VISION", 3)),
        Arguments.of("VPT", config(Method.VPT, "N_CTX_VISION", 2, "PROMPT_DEPTH_VISION", 3)));
  }

  /** Families whose context is unified (transferable). */
  static Stream<Arguments> unifiedFamilies() {
    return families().filter(a -> !a.get()[0].equals("CoOp-CSC"));
  }

  /** A learner for {@code ABC} moved away from its initialisation by one SGD step, and that optimiser's state. */
  private record Trained(PromptLearner learner, TrainingStep step, NDArray px, NDArray labels) {}

  private static Trained train(NDManager m, MethodConfig config) {
    PromptLearner learner = PromptLearners.create(clip, tok, ABC, config);
    TrainingStep step = new TrainingStep(learner, 0.9, 5e-4);
    NDArray px = pixels(m, clip, 2);
    NDArray labels = m.create(new long[] {0, 2});
    step.run(px, labels, 0.5);
    return new Trained(learner, step, px, labels);
  }

  private static TrainingState state(Sgd sgd) {
    return new TrainingState(1, 7, 0.0035, LrSchedule.official(0.0035, 5).state(), sgd.state(), sgd.steps(),
        "java.util.Random:12345", Map.of("dataset", "fixture"));
  }

  // ------------------------------------------------------------------ round trips

  @ParameterizedTest(name = "{0}")
  @MethodSource("families")
  void roundTripRestoresBitIdenticalParametersLogitsAndOptimiser(String label, MethodConfig config) throws IOException {
    Path f = tmp.resolve(label + ".safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      Trained t = train(m, config);
      try (PromptLearner trained = t.learner(); TrainingStep step = t.step()) {
        PromptCheckpoint.save(f, trained, state(step.optimiser()));
        LoadedCheckpoint ck = PromptCheckpoint.read(f);
        try (PromptLearner loaded = PromptCheckpoint.load(ck, clip, tok, null, config.method());
            TrainingStep resumed = new TrainingStep(loaded, 0.9, 5e-4)) {
          assertThat(loaded.getClass()).isEqualTo(trained.getClass());
          assertThat(loaded.config()).isEqualTo(config);
          assertThat(loaded.classNames()).isEqualTo(ABC);
          Map<String, float[]> want = values(trained);
          Map<String, float[]> got = values(loaded);
          assertThat(got.keySet()).containsExactlyElementsOf(want.keySet());
          for (String name : want.keySet()) {
            assertBitEqual(name, want.get(name), got.get(name));
            assertThat(got.get(name)).as(name + " must differ from a fresh learner's initial value")
                .isNotEqualTo(loaded.initialValue(name));
          }
          FloatTensor before = logits(trained, t.px());
          FloatTensor after = logits(loaded, t.px());
          assertThat(after.shape()).containsExactly(2, 3);
          assertBitEqual("logits", before.data(), after.data());

          // resume: one more step from the restored momentum gives exactly the original run's next step
          resumed.optimiser().restore(ck.trainingState());
          assertThat(resumed.optimiser().steps()).isEqualTo(1);
          step.run(t.px(), t.labels(), 0.25);
          resumed.run(t.px(), t.labels(), 0.25);
          Map<String, float[]> next = values(trained);
          Map<String, float[]> resumedNext = values(loaded);
          for (String name : next.keySet()) {
            assertBitEqual("after resumed step: " + name, next.get(name), resumedNext.get(name));
          }
        }
      }
    }
  }

  @Test
  void trainingStateAndMetadataAreStoredUnderTheirDocumentedKeys() throws IOException {
    Path f = tmp.resolve("coop.safetensors");
    MethodConfig config = config(Method.COOP, "N_CTX", 4, "CLASS_TOKEN_POSITION", "middle", "SEED", 7);
    try (NDManager m = NDManager.newBaseManager()) {
      Trained t = train(m, config);
      try (PromptLearner trained = t.learner(); TrainingStep step = t.step()) {
        TrainingState saved = state(step.optimiser());
        PromptCheckpoint.save(f, trained, saved);

        try (SafeTensors st = SafeTensors.open(f)) {
          assertThat(st.tensors().stream().map(TensorInfo::name))
              .containsExactlyInAnyOrder("ctx", "optimizer/momentum/ctx");
          Map<String, String> md = st.metadata();
          assertThat(md).containsEntry("format", "cliptune-prompt-checkpoint").containsEntry("format_version", "1")
              .containsEntry("method", "CoOp").containsEntry("checkpoint_module", "prompt_learner")
              .containsEntry("backbone_sha256", clip.identity()).containsEntry("epoch", "1")
              .containsEntry("global_step", "7").containsEntry("learning_rate", "0.0035")
              .containsEntry("rng_state", "java.util.Random:12345")
              .containsKeys("cliptune_version", "backbone", "tensors_sha256", "schedule", "optimizer", "extra");
          JsonNode hp = JSON.readTree(md.get("method_config"));
          assertThat(hp.get("N_CTX").asInt()).isEqualTo(4);
          assertThat(hp.get("CSC").asBoolean()).isFalse();
          assertThat(hp.get("CLASS_TOKEN_POSITION").asText()).isEqualTo("middle");
          assertThat(hp.get("SEED").asLong()).isEqualTo(7);
          assertThat(hp.get("CTX_INIT").asText()).isEmpty();
          assertThat(JSON.readValue(md.get("class_names"), List.class)).isEqualTo(ABC);
          assertThat(JSON.readValue(md.get("parameter_names"), Map.class)).isEqualTo(Map.of("ctx", "prompt_learner.ctx"));
          assertThat(JSON.readTree(md.get("backbone_config")).fieldNames()).toIterable()
              .containsExactly("embedDim", "vision", "text"); // the ViT form, unchanged since the first checkpoints
          assertThat(CheckpointFormat.parseClipConfig(f, md.get("backbone_config"))).isEqualTo(clip.config());
          assertThat(JSON.readTree(md.get("optimizer")).get("steps").asLong()).isEqualTo(1);
        }

        LoadedCheckpoint ck = PromptCheckpoint.read(f);
        assertThat(ck.config()).isEqualTo(config);
        assertThat(ck.classNames()).isEqualTo(ABC);
        assertThat(ck.checkpointModule()).isEqualTo("prompt_learner");
        assertThat(ck.backboneConfig()).isEqualTo(clip.config());
        TrainingState back = ck.trainingState();
        assertThat(back.epoch()).isEqualTo(1);
        assertThat(back.globalStep()).isEqualTo(7);
        assertThat(back.learningRate()).isEqualTo(0.0035);
        assertThat(back.schedule()).isEqualTo(LrSchedule.official(0.0035, 5).state());
        assertThat(back.sgdSteps()).isEqualTo(1);
        assertThat(back.rngState()).isEqualTo("java.util.Random:12345");
        assertThat(back.extra()).isEqualTo(Map.of("dataset", "fixture"));
        assertThat(back.momentum().keySet()).containsExactly("prompt_learner.ctx");
        assertBitEqual("momentum", saved.momentum().get("prompt_learner.ctx"), back.momentum().get("prompt_learner.ctx"));

        PromptCheckpoint.save(f, trained, null);
        LoadedCheckpoint weightsOnly = PromptCheckpoint.read(f);
        assertThat(weightsOnly.trainingState()).isNull();
        assertThat(weightsOnly.metadata()).doesNotContainKeys("epoch", "optimizer");
      }
    }
  }

  @Test
  void officialKeyNamesOfMaPLeAndIvlpAreKept() throws IOException {
    try (PromptLearner maple = PromptLearners.create(clip, tok, ABC, config(Method.MAPLE, "PROMPT_DEPTH", 2));
        PromptLearner ivlp = PromptLearners.create(clip, tok, ABC,
            config(Method.IVLP, "PROMPT_DEPTH_TEXT", 2, "PROMPT_DEPTH_VISION", 2))) {
      PromptCheckpoint.save(tmp.resolve("maple.safetensors"), maple, null);
      PromptCheckpoint.save(tmp.resolve("ivlp.safetensors"), ivlp, null);
    }
    LoadedCheckpoint maple = PromptCheckpoint.read(tmp.resolve("maple.safetensors"));
    assertThat(maple.tensors().keySet()).containsExactly("prompt_learner.ctx", "prompt_learner.proj.weight",
        "prompt_learner.proj.bias", "prompt_learner.compound_prompts_text.0",
        "prompt_learner.compound_prompt_projections.0.weight", "prompt_learner.compound_prompt_projections.0.bias");
    assertThat(maple.checkpointModule()).isEqualTo("MultiModalPromptLearner");
    LoadedCheckpoint ivlp = PromptCheckpoint.read(tmp.resolve("ivlp.safetensors"));
    assertThat(ivlp.tensors().keySet()).containsExactly("prompt_learner.ctx",
        "text_encoder.transformer.resblocks.1.VPT_shallow", "image_encoder.VPT",
        "image_encoder.transformer.resblocks.1.VPT_shallow");
    assertThat(ivlp.checkpointModule()).isEqualTo("VLPromptLearner");
  }

  // ------------------------------------------------------------------ transfer to other class lists

  @Test
  void unifiedCoOpContextTransfersToAnotherClassList() throws IOException {
    Path f = tmp.resolve("coop.safetensors");
    MethodConfig config = config(Method.COOP, "N_CTX", 4);
    try (NDManager m = NDManager.newBaseManager()) {
      Trained t = train(m, config);
      float[] ctx;
      try (PromptLearner trained = t.learner(); TrainingStep step = t.step()) {
        PromptCheckpoint.save(f, trained, state(step.optimiser()));
        ctx = trained.parameter("prompt_learner.ctx").value().toFloatArray();
      }
      try (PromptLearner de = PromptCheckpoint.load(f, clip, tok, DE);
          PromptLearner reference = PromptLearners.create(clip, tok, DE, config)) {
        assertThat(de.classNames()).isEqualTo(DE);
        assertThat(de.promptTexts()).containsExactly("X X X X sunflower.", "X X X X red panda.");
        assertBitEqual("ctx", ctx, de.parameter("prompt_learner.ctx").value().toFloatArray());
        FloatTensor l = logits(de, t.px());
        assertThat(l.shape()).containsExactly(2, 2);
        // the same as a learner built for D, E directly with this context: the class rows are the current ones
        reference.setParameter("prompt_learner.ctx", ctx, new long[] {4, clip.config().text().width()});
        assertBitEqual("logits", logits(reference, t.px()).data(), l.data());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unifiedFamilies")
  void everyUnifiedMethodLoadsForAnotherClassList(String label, MethodConfig config) throws IOException {
    Path f = tmp.resolve(label + ".safetensors");
    try (PromptLearner abc = PromptLearners.create(clip, tok, ABC, config)) {
      PromptCheckpoint.save(f, abc, null);
    }
    try (NDManager m = NDManager.newBaseManager(); PromptLearner de = PromptCheckpoint.load(f, clip, tok, DE)) {
      assertThat(de.classNames()).isEqualTo(DE);
      assertThat(logits(de, pixels(m, clip, 3)).shape()).containsExactly(3, 2);
    }
  }

  @Test
  void classSpecificContextRefusesAnotherClassList() throws IOException {
    Path f = tmp.resolve("csc.safetensors");
    try (PromptLearner csc = PromptLearners.create(clip, tok, ABC, config(Method.COOP, "N_CTX", 2, "CSC", true))) {
      PromptCheckpoint.save(f, csc, null);
    }
    assertThat(PromptCheckpoint.read(f).classSpecific()).isTrue();
    assertThatThrownBy(() -> PromptCheckpoint.load(f, clip, tok, DE))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("class-specific")
        .hasMessageContaining("learned for 3 classes")
        .hasMessageContaining("cannot be used for 2 classes")
        .hasMessageContaining("'golden_retriever' in the checkpoint, 'sunflower' requested");
    assertThatThrownBy(() -> PromptCheckpoint.load(f, clip, tok, List.of("golden_retriever", "tabby cat", "zebra")))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("first difference at class 2: 'airliner' in the checkpoint, 'zebra' requested");
    try (PromptLearner same = PromptCheckpoint.load(f, clip, tok, ABC)) {
      assertThat(same.classNames()).isEqualTo(ABC);
    }
  }

  // ------------------------------------------------------------------ refusals

  @Test
  void anotherBackboneIsRefusedNamingBothHashesAndConfigs() throws IOException {
    Path f = tmp.resolve("coop.safetensors");
    try (PromptLearner coop = PromptLearners.create(clip, tok, ABC, config(Method.COOP, "N_CTX", 4))) {
      PromptCheckpoint.save(f, coop, null);
    }
    try (ClipModel other = ClipModel.create(CheckpointFixture.modified(weights))) {
      assertThat(other.identity()).isNotEqualTo(clip.identity());
      assertThatThrownBy(() -> PromptCheckpoint.load(f, other, tok, null))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining(f.toString())
          .hasMessageContaining("another backbone")
          .hasMessageContaining(clip.identity())
          .hasMessageContaining(other.identity())
          .hasMessageContaining(ClipWeights.describe(clip.config()));
    }
  }

  @Test
  void anotherMethodIsRefusedWhenTheCallerAsksForOne() throws IOException {
    Path f = tmp.resolve("coop.safetensors");
    try (PromptLearner coop = PromptLearners.create(clip, tok, ABC, config(Method.COOP, "N_CTX", 4))) {
      PromptCheckpoint.save(f, coop, null);
    }
    LoadedCheckpoint ck = PromptCheckpoint.read(f);
    assertThatThrownBy(() -> PromptCheckpoint.load(ck, clip, tok, null, Method.MAPLE))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("holds CoOp prompts, expected MaPLe");
  }

  // ------------------------------------------------------------------ damaged and edited files

  private Path saveCoOp(String name) throws IOException {
    Path f = tmp.resolve(name);
    try (PromptLearner coop = PromptLearners.create(clip, tok, ABC, config(Method.COOP, "N_CTX", 4))) {
      PromptCheckpoint.save(f, coop, null);
    }
    return f;
  }

  @Test
  void truncatedOrCorruptedFilesAreClearErrors() throws IOException {
    Path f = saveCoOp("coop.safetensors");
    byte[] bytes = Files.readAllBytes(f);

    Path truncated = tmp.resolve("truncated.safetensors");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 100));
    assertThatThrownBy(() -> PromptCheckpoint.read(truncated))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(truncated.toString())
        .hasMessageContaining("truncated");

    Path flipped = tmp.resolve("flipped.safetensors");
    byte[] damaged = bytes.clone();
    damaged[damaged.length - 3] ^= 0x10; // a bit of the last value of ctx
    Files.write(flipped, damaged);
    assertThatThrownBy(() -> PromptCheckpoint.read(flipped))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(flipped.toString())
        .hasMessageContaining("corrupted")
        .hasMessageContaining("tensors_sha256");

    Path header = tmp.resolve("header.safetensors");
    byte[] badHeader = bytes.clone();
    badHeader[9] = '#'; // inside the JSON header
    Files.write(header, badHeader);
    assertThatThrownBy(() -> PromptCheckpoint.read(header))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(header.toString());

    Path model = CheckpointFixture.modelDir().resolve("model.safetensors");
    assertThatThrownBy(() -> PromptCheckpoint.read(model))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("not a cliptune prompt checkpoint");

    assertThatThrownBy(() -> PromptCheckpoint.read(tmp.resolve("absent.safetensors")))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("file not found");
  }

  /** Rewrites a checkpoint with edited metadata and tensors (null value = remove), keeping the rest. */
  private static void rewrite(Path from, Path to, Consumer<Map<String, String>> metadata,
      Map<String, FloatTensor> tensors) throws IOException {
    Map<String, String> md;
    Map<String, FloatTensor> all = new LinkedHashMap<>();
    try (SafeTensors st = SafeTensors.open(from)) {
      md = new LinkedHashMap<>(st.metadata());
      for (TensorInfo t : st.tensors()) {
        all.put(t.name(), new FloatTensor(t.name(), t.shape(), st.floats(t.name())));
      }
    }
    metadata.accept(md);
    tensors.forEach((k, v) -> {
      if (v == null) {
        all.remove(k);
      } else {
        all.put(k, v);
      }
    });
    SafeTensorsWriter w = new SafeTensorsWriter().metadata(md);
    all.values().forEach(t -> w.putFloats(t.name(), t.data(), t.shape()));
    w.write(to);
  }

  private static FloatTensor filler(String name, long... shape) {
    int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    float[] v = new float[n];
    Arrays.fill(v, 0.5f);
    return new FloatTensor(name, shape, v);
  }

  @Test
  void officialTokenPrefixAndSuffixBuffersAreIgnored() throws IOException {
    Path f = saveCoOp("coop.safetensors");
    Path converted = tmp.resolve("converted.safetensors");
    int dt = clip.config().text().width();
    Map<String, FloatTensor> buffers = new LinkedHashMap<>();
    buffers.put("token_prefix", filler("token_prefix", 3, 1, dt));
    buffers.put("token_suffix", filler("token_suffix", 3, 72, dt));
    buffers.put("prompt_learner.token_prefix", filler("prompt_learner.token_prefix", 3, 1, dt));
    buffers.put("prompt_learner.token_suffix", filler("prompt_learner.token_suffix", 3, 72, dt));
    rewrite(f, converted, md -> { }, buffers);
    try (PromptLearner a = PromptCheckpoint.load(f, clip, tok, DE);
        PromptLearner b = PromptCheckpoint.load(converted, clip, tok, DE)) {
      assertBitEqual("ctx", a.parameter("prompt_learner.ctx").value().toFloatArray(),
          b.parameter("prompt_learner.ctx").value().toFloatArray());
      assertThat(b.classNames()).isEqualTo(DE);
    }
  }

  @Test
  void missingExtraOrMisshapenTensorsAreClearErrors() throws IOException {
    Path f = saveCoOp("coop.safetensors");
    int dt = clip.config().text().width();

    Path extra = tmp.resolve("extra.safetensors");
    rewrite(f, extra, md -> { }, Map.of("prompt_learner.bias", filler("prompt_learner.bias", dt)));
    assertThatThrownBy(() -> PromptCheckpoint.read(extra))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(extra.toString())
        .hasMessageContaining("unexpected tensor 'prompt_learner.bias'");

    Path missing = tmp.resolve("missing.safetensors");
    Map<String, FloatTensor> remove = new LinkedHashMap<>();
    remove.put("ctx", null);
    rewrite(f, missing, md -> { }, remove);
    assertThatThrownBy(() -> PromptCheckpoint.read(missing))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("missing tensor(s) [ctx]");

    // metadata says 3 context tokens, the tensor has 4
    Path shape = tmp.resolve("shape.safetensors");
    rewrite(f, shape, md -> md.put("method_config", md.get("method_config").replace("\"N_CTX\":4", "\"N_CTX\":3")),
        Map.of());
    assertThat(PromptCheckpoint.read(shape).config().nCtx()).isEqualTo(3);
    assertThatThrownBy(() -> PromptCheckpoint.load(shape, clip, tok, null))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(shape.toString())
        .hasMessageContaining("tensor 'ctx' has shape [4, " + dt + "] in the file")
        .hasMessageContaining("expects [3, " + dt + "]");

    // a learner of another method has other tensors
    Path method = tmp.resolve("method.safetensors");
    rewrite(f, method, md -> md.put("method", "CoCoOp"), Map.of());
    assertThatThrownBy(() -> PromptCheckpoint.load(method, clip, tok, null))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("lacks [meta_net.linear1.weight");

    Path noSeed = tmp.resolve("noseed.safetensors");
    rewrite(f, noSeed, md -> md.put("method_config", md.get("method_config").replace(",\"SEED\":1", "")), Map.of());
    assertThatThrownBy(() -> PromptCheckpoint.read(noSeed))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("method_config lacks SEED");
  }

  // ------------------------------------------------------------------ atomic writes

  @Test
  void aFailedSaveLeavesTheExistingCheckpointIntact() throws IOException {
    Path f = saveCoOp("coop.safetensors");
    byte[] before = Files.readAllBytes(f);
    try (PromptLearner other = PromptLearners.create(clip, tok, DE, config(Method.COOP, "N_CTX", 4, "SEED", 2))) {
      TrainingState bad = new TrainingState(0, 0, 1e-5, LrSchedule.official(0.002, 5).state(),
          Map.of("prompt_learner.nope", new float[] {1f}), 1, null, null);
      assertThatThrownBy(() -> PromptCheckpoint.save(f, other, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("prompt_learner.nope");
      assertThat(Files.readAllBytes(f)).isEqualTo(before);

      // the rename fails after the whole body was written: the temporary file is removed
      Path dir = tmp.resolve("occupied");
      Files.createDirectories(dir.resolve("keep"));
      assertThatThrownBy(() -> PromptCheckpoint.save(dir, other, null)).isInstanceOf(IOException.class);
      try (Stream<Path> s = Files.list(tmp)) {
        assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("coop.safetensors", "occupied");
      }
      assertThat(Files.readAllBytes(f)).isEqualTo(before);

      PromptCheckpoint.save(f, other, null);
      assertThat(PromptCheckpoint.read(f).classNames()).isEqualTo(DE);
    }
  }

  @Test
  void saveRefusesMomentumOfTheWrongSize() throws IOException {
    try (PromptLearner coop = PromptLearners.create(clip, tok, ABC, config(Method.COOP, "N_CTX", 4))) {
      PromptParameter ctx = coop.parameter("prompt_learner.ctx");
      TrainingState bad = new TrainingState(0, 0, 1e-5, LrSchedule.official(0.002, 5).state(),
          Map.of(ctx.name(), new float[3]), 1, null, null);
      assertThatThrownBy(() -> PromptCheckpoint.save(tmp.resolve("x.safetensors"), coop, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has 3 values");
    }
    assertThat(tmp.resolve("x.safetensors")).doesNotExist();
  }
}
