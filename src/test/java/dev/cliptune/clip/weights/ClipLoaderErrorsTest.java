package dev.cliptune.clip.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.ClipWeightsException;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;
import dev.cliptune.io.DType;
import dev.cliptune.io.SafeTensorsException;
import dev.cliptune.testing.CheckpointLayouts;
import dev.cliptune.testing.TinyModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure names the file and the tensor or field, and says what was expected and found. Runs on the embedded
 * tiny CLIP ({@code models/tiny}, HF layout) and an OpenAI-layout copy of it written here, so without ../shared.
 */
class ClipLoaderErrorsTest {
  @TempDir Path tmp;

  /** The HF {@code CLIPModel} layout: {@code models/tiny}. */
  private static Path hfDir() {
    return TinyModel.dir();
  }

  /** The tiny model in OpenAI's layout (safetensors with the heads in its metadata, and build_model's config.json). */
  private Path openAiDir() throws IOException {
    Path dir = tmp.resolve("openai-layout");
    if (!Files.isDirectory(dir)) {
      TinyModel.writeOpenAi(dir, "model.safetensors");
    }
    return dir;
  }

  private static ClipConfig expected() {
    return TinyModel.weights().config();
  }

  /** A copy of a fixture layout whose model.safetensors went through {@code edit}. */
  private Path edited(Path fixture, String name, Consumer<Map<String, Checkpoints.Entry>> edit) throws IOException {
    Path dir = Checkpoints.copy(fixture, tmp.resolve(name));
    Files.delete(dir.resolve("model.safetensors"));
    Checkpoints.rewrite(fixture.resolve("model.safetensors"), dir.resolve("model.safetensors"), edit);
    return dir;
  }

  @Test
  void missingTensorHf() throws IOException {
    String t = "vision_model.encoder.layers.2.mlp.fc1.bias";
    Path dir = edited(hfDir(), "missing", m -> m.remove(t));
    int mlp = expected().vision().mlpHidden();
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .isInstanceOf(ClipWeightsException.class)
        .hasMessageContaining(dir.resolve("model.safetensors").toString())
        .hasMessageContaining("missing tensor '" + t + "'")
        .hasMessageContaining("visual.transformer.resblocks.2.mlp.c_fc.bias")
        .hasMessageContaining("expected shape [" + mlp + "]");
  }

  @Test
  void missingTensorOpenAi() throws IOException {
    String t = "transformer.resblocks.3.attn.out_proj.weight";
    Path dir = edited(openAiDir(), "missing", m -> m.remove(t));
    int w = expected().text().width();
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining(dir.resolve("model.safetensors").toString())
        .hasMessageContaining("missing tensor '" + t + "', expected shape [" + w + ", " + w + "]");
  }

  @Test
  void missingTensorNeededForInference() throws IOException {
    Path dir = edited(openAiDir(), "noconv", m -> m.remove("visual.conv1.weight"));
    Files.delete(dir.resolve("config.json"));
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining(dir.resolve("model.safetensors").toString())
        .hasMessageContaining("missing tensor 'visual.conv1.weight'")
        .hasMessageContaining("vision width");
  }

  @Test
  void wrongShape() throws IOException {
    String t = "transformer.resblocks.1.mlp.c_fc.bias";
    int mlp = expected().text().mlpHidden();
    Path dir = edited(openAiDir(), "shape",
        m -> m.put(t, new Checkpoints.Entry(DType.F32, new long[] {mlp - 1}, Checkpoints.zerosF32(mlp - 1))));
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining(dir.resolve("model.safetensors").toString())
        .hasMessageContaining("tensor '" + t + "' has shape [" + (mlp - 1) + "], expected [" + mlp + "]");
  }

  @Test
  void wrongShapeOfOneHfQkvPart() throws IOException {
    String t = "text_model.encoder.layers.0.self_attn.v_proj.weight";
    int w = expected().text().width();
    Path dir = edited(hfDir(), "qkv",
        m -> m.put(t, new Checkpoints.Entry(DType.F32, new long[] {w, w - 2}, Checkpoints.zerosF32((long) w * (w - 2)))));
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining("tensor '" + t + "' (OpenAI 'transformer.resblocks.0.attn.in_proj_weight') has shape ["
            + w + ", " + (w - 2) + "], expected [" + w + ", " + w + "]");
  }

  @Test
  void nonFloatingDtype() throws IOException {
    String t = "ln_final.bias";
    int w = expected().text().width();
    Path dir = edited(openAiDir(), "dtype",
        m -> m.put(t, new Checkpoints.Entry(DType.I32, new long[] {w}, ByteBuffer.allocate(4 * w))));
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining("tensor '" + t + "' has dtype I32, expected a floating-point dtype");
  }

  @Test
  void truncatedFile() throws IOException {
    Path dir = Checkpoints.copy(hfDir(), tmp.resolve("trunc"));
    Path f = dir.resolve("model.safetensors");
    f.toFile().setWritable(true);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 1000);
    }
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .isInstanceOf(SafeTensorsException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("truncated");
  }

  @Test
  void unexpectedTensorIsAnErrorUnlessAllowed() throws IOException {
    int w = expected().vision().width();
    Path dir = edited(hfDir(), "extra", m -> {
      m.put("vision_model.embeddings.patch_embedding.bias", new Checkpoints.Entry(DType.F32, new long[] {w},
          Checkpoints.zerosF32(w)));
      m.put("text_model.embeddings.position_ids", new Checkpoints.Entry(DType.I64, new long[] {1, 77},
          ByteBuffer.allocate(8 * 77)));
    });
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining(dir.resolve("model.safetensors").toString())
        .hasMessageContaining("unexpected tensor(s) 'vision_model.embeddings.patch_embedding.bias'")
        .hasMessageNotContaining("position_ids");
    ClipWeights w2 = ClipLoader.load(dir, LoadOptions.defaults().withAllowUnknownTensors(true));
    ClipLoaderFixtureTest.assertBitEqual(ClipLoader.load(hfDir()), w2);
    assertThat(w2.source()).contains("1 unknown tensor(s) skipped");
  }

  @Test
  void configWidthDisagreesWithTensors() throws IOException {
    Path dir = Checkpoints.copy(hfDir(), tmp.resolve("width"));
    int w = expected().vision().width();
    Checkpoints.editConfig(dir, c -> ((ObjectNode) c.get("vision_config")).put("hidden_size", 64));
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining(dir.resolve("config.json").toString())
        .hasMessageContaining("vision_config.hidden_size = 64")
        .hasMessageContaining("vision_model.embeddings.patch_embedding.weight")
        .hasMessageContaining("the vision width is " + w);
  }

  @Test
  void configLayersDisagreeWithTensors() throws IOException {
    Path dir = Checkpoints.copy(hfDir(), tmp.resolve("layers"));
    int layers = expected().text().layers();
    Checkpoints.editConfig(dir, c -> ((ObjectNode) c.get("text_config")).put("num_hidden_layers", layers + 1));
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining(dir.resolve("config.json").toString())
        .hasMessageContaining("text_config.num_hidden_layers = " + (layers + 1))
        .hasMessageContaining("text_model.encoder.layers.{i}.*' for i = 0.." + (layers - 1))
        .hasMessageContaining("number of text layers is " + layers);
  }

  @Test
  void defaultedConfigFieldDisagreeingSaysItIsADefault() throws IOException {
    Path dir = Checkpoints.copy(hfDir(), tmp.resolve("default"));
    Checkpoints.editConfig(dir, c -> ((ObjectNode) c.get("vision_config")).remove("patch_size"));
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining("vision_config.patch_size = 32 (the patch size; a transformers default")
        .hasMessageContaining("the patch size is " + expected().vision().patchSize());
  }

  @Test
  void headsThatDoNotDivideTheWidth() throws IOException {
    Path dir = Checkpoints.copy(hfDir(), tmp.resolve("heads"));
    int w = expected().vision().width();
    Checkpoints.editConfig(dir, c -> ((ObjectNode) c.get("vision_config")).put("num_attention_heads", 5));
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining(dir.resolve("config.json").toString())
        .hasMessageContaining("vision_config.num_attention_heads = 5")
        .hasMessageContaining("5 vision heads do not divide the vision width " + w);
    assertThatThrownBy(() -> ClipLoader.load(hfDir(), LoadOptions.defaults().withTextHeads(7)))
        .hasMessageContaining("LoadOptions.textHeads = 7");
  }

  @Test
  void hiddenActGeluIsExactGeluAndOthersAreRefused() throws IOException {
    Path dir = Checkpoints.copy(hfDir(), tmp.resolve("act"));
    Checkpoints.editConfig(dir, c -> ((ObjectNode) c.get("text_config")).put("hidden_act", "gelu"));
    ClipWeights w = ClipLoader.load(dir);
    assertThat(w.config().text().activation()).isEqualTo(dev.cliptune.clip.Activation.GELU);
    assertThat(w.config().vision().activation()).isEqualTo(dev.cliptune.clip.Activation.QUICK_GELU);
    assertThat(w.sha256()).isNotEqualTo(ClipLoader.load(hfDir()).sha256());
    Checkpoints.editConfig(dir, c -> ((ObjectNode) c.get("text_config")).put("hidden_act", "gelu_new"));
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining(dir.resolve("config.json").toString())
        .hasMessageContaining("text_config.hidden_act is \"gelu_new\"")
        .hasMessageContaining("quick_gelu");
  }

  @Test
  void openAiConfigDisagreesWithTensors() throws IOException {
    Path dir = Checkpoints.copy(openAiDir(), tmp.resolve("oa"));
    int layers = expected().vision().layers();
    Checkpoints.editConfig(dir, c -> c.put("vision_layers", layers - 1));
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining(dir.resolve("config.json").toString())
        .hasMessageContaining("vision_layers = " + (layers - 1))
        .hasMessageContaining("visual.transformer.resblocks.{i}.*")
        .hasMessageContaining("number of vision layers is " + layers);
  }

  @Test
  void openAiHeadsPriority() throws IOException {
    var expected = expected();
    // metadata wins over config.json
    Path dir = Checkpoints.copy(openAiDir(), tmp.resolve("prio"));
    Checkpoints.editConfig(dir, c -> c.put("vision_heads", 8).put("transformer_heads", 2));
    assertThat(ClipLoader.load(dir).config()).isEqualTo(expected);
    // explicit option wins over metadata
    ClipWeights w = ClipLoader.load(dir, LoadOptions.defaults().withHeads(8, 2));
    assertThat(w.config().vision().heads()).isEqualTo(8);
    assertThat(w.config().text().heads()).isEqualTo(2);
    assertThat(w.sha256()).isNotEqualTo(ClipLoader.load(dir).sha256());
    // without metadata: config.json
    Path noMeta = tmp.resolve("nometa");
    Checkpoints.copy(dir, noMeta);
    Files.delete(noMeta.resolve("model.safetensors"));
    Checkpoints.rewrite(openAiDir().resolve("model.safetensors"), noMeta.resolve("model.safetensors"),
        m -> {}, meta -> {
          meta.remove("vision_heads");
          meta.remove("text_heads");
        });
    assertThat(ClipLoader.load(noMeta).config().vision().heads()).isEqualTo(8);
    // neither metadata nor config: width / 64 as clip.load assumes (2 heads for the tiny model's width 128, not 4)
    Files.delete(noMeta.resolve("config.json"));
    ClipConfig assumed = ClipLoader.load(noMeta).config();
    assertThat(assumed.vision().heads()).isEqualTo(expected.vision().width() / 64).isNotEqualTo(expected.vision().heads());
    assertThat(assumed.text().heads()).isEqualTo(expected.text().width() / 64);
    assertThat(ClipLoader.load(noMeta, LoadOptions.defaults().withHeads(expected.vision().heads(),
        expected.text().heads())).config()).isEqualTo(expected);
  }

  /** A width that is not a multiple of 64 and no head count anywhere: a clear error, not a guess. */
  @Test
  void openAiWidthNotAMultipleOf64WithoutHeads() throws IOException {
    ClipConfig odd = new ClipConfig(48, new VisionConfig(96, 1, 3, 8, 32, 384, 1e-5),
        new TextConfig(64 + 32, 1, 2, 8, 100, 384, 1e-5));
    Path dir = tmp.resolve("odd");
    Path file = CheckpointLayouts.writeOpenAi(ClipWeights.random(odd, 1), dir, "ViT-odd.pt");
    assertThat(ClipLoader.load(file).config()).isEqualTo(odd);
    Files.delete(dir.resolve("config.json"));
    assertThatThrownBy(() -> ClipLoader.load(file))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("cannot determine the vision head count")
        .hasMessageContaining("not a multiple of 64");
  }

  @Test
  void notACheckpoint() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Files.writeString(empty.resolve("pytorch_model.bin"), "x");
    assertThatThrownBy(() -> ClipLoader.load(empty))
        .hasMessageContaining(empty.resolve("pytorch_model.bin").toString())
        .hasMessageContaining("not a checkpoint file");
    Path none = Files.createDirectories(tmp.resolve("none"));
    Files.writeString(none.resolve("ViT-B-16.pt"), "x");
    assertThatThrownBy(() -> ClipLoader.load(none))
        .hasMessageContaining(none + ": no checkpoint (expected one of model.safetensors")
        .hasMessageContaining("it holds ViT-B-16.pt: pass that file itself");
    Path other = edited(hfDir(), "other", m -> {
      m.clear();
      m.put("foo.weight", new Checkpoints.Entry(DType.F32, new long[] {2}, Checkpoints.zerosF32(2)));
    });
    assertThatThrownBy(() -> ClipLoader.load(other)).hasMessageContaining("not a CLIP checkpoint")
        .hasMessageContaining("foo.weight");
    assertThatThrownBy(() -> ClipLoader.load(tmp.resolve("nope"))).hasMessageContaining("nope: no such file or directory");
  }

  @Test
  void shardIndexPointingToAMissingTensor() throws IOException {
    Path dir = Checkpoints.copy(hfDir(), tmp.resolve("badindex"));
    Files.move(dir.resolve("model.safetensors"), dir.resolve("model-00001-of-00001.safetensors"));
    Files.writeString(dir.resolve("model.safetensors.index.json"),
        "{\"weight_map\": {\"logit_scale\": \"model-00001-of-00001.safetensors\", \"ghost\": \"model-00001-of-00001.safetensors\"}}");
    assertThatThrownBy(() -> ClipLoader.load(dir))
        .hasMessageContaining("model.safetensors.index.json")
        .hasMessageContaining("'ghost'");
  }
}
