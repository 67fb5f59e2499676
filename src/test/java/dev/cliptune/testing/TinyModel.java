package dev.cliptune.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.Models;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.clip.weights.LoadOptions;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.SafeTensorsWriter;
import dev.cliptune.io.torch.TorchSaveWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tiny CLIP shipped in the repository ({@code models/tiny}, {@code builtin:tiny}: 32-px images, 4 + 4 layers
 * of width 128, context 32, the world's 921-token BPE) for tests that need a real CLIP but no official
 * reference, so they run without {@code ../shared}. Weights, tokenizer and one frozen {@link ClipModel} are
 * loaded once per test JVM and shared: nothing writes to a frozen CLIP (FrozenClipTest checks it), so tests
 * must not close {@link #clip()}.
 */
public final class TinyModel {
  private static ClipWeights weights;
  private static ClipTokenizer tokenizer;
  private static ClipModel clip;

  private TinyModel() {}

  /** The model directory ({@code models/tiny} of the checkout). */
  public static Path dir() {
    return Models.resolve(Models.BUILTIN_TINY);
  }

  public static synchronized ClipWeights weights() {
    if (weights == null) {
      weights = ClipLoader.load(dir(), LoadOptions.defaults());
    }
    return weights;
  }

  public static synchronized ClipTokenizer tokenizer() {
    if (tokenizer == null) {
      tokenizer = ClipTokenizer.fromDirectory(dir());
    }
    return tokenizer;
  }

  /** The shared frozen model; do not close it. */
  public static synchronized ClipModel clip() {
    if (clip == null) {
      clip = ClipModel.create(weights());
    }
    return clip;
  }

  /**
   * Writes the tiny model in OpenAI's layout into {@code dir}: {@code FILE} ({@code model.safetensors} or a
   * {@code .pt}/{@code .bin} name, then a {@code torch.save} zip) with the state-dict names of {@code clip/model.py},
   * and {@code config.json} with {@code build_model}'s keys (the head counts OpenAI files do not store). Returns
   * the weights file.
   */
  public static Path writeOpenAi(Path dir, String file) throws IOException {
    Files.createDirectories(dir);
    Path weightsFile = dir.resolve(file);
    if (file.endsWith(".safetensors")) {
      SafeTensorsWriter w = new SafeTensorsWriter();
      weights().tensors().values().forEach(t -> w.putFloats(t.name(), t.data(), t.shape()));
      w.write(weightsFile);
    } else {
      TorchSaveWriter.write(weightsFile, "archive", weights().tensors().values(), false);
    }
    ClipConfig c = weights().config();
    VisionConfig v = c.vision();
    TextConfig t = c.text();
    ObjectNode cfg = JSON.createObjectNode().put("embed_dim", c.embedDim()).put("image_resolution", v.imageSize())
        .put("vision_layers", v.layers()).put("vision_width", v.width()).put("vision_patch_size", v.patchSize())
        .put("vision_heads", v.heads()).put("context_length", t.contextLength()).put("vocab_size", t.vocabSize())
        .put("transformer_width", t.width()).put("transformer_heads", t.heads()).put("transformer_layers", t.layers());
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), cfg);
    return weightsFile;
  }

  /**
   * Writes the tiny model as open_clip pushes a model to the hub into {@code dir}: {@code open_clip_config.json}
   * and {@code open_clip_model.safetensors} or {@code open_clip_pytorch_model.bin} (by {@code file}'s name).
   */
  public static Path writeOpenClip(Path dir, String file) throws IOException {
    Path weightsFile = writeOpenAi(dir, file);
    Files.delete(dir.resolve("config.json"));
    ClipConfig c = weights().config();
    ObjectNode model = JSON.createObjectNode().put("embed_dim", c.embedDim()).put("quick_gelu", true);
    model.putObject("vision_cfg").put("image_size", c.vision().imageSize()).put("layers", c.vision().layers())
        .put("width", c.vision().width()).put("patch_size", c.vision().patchSize())
        .put("head_width", c.vision().headDim());
    model.putObject("text_cfg").put("context_length", c.text().contextLength()).put("vocab_size", c.text().vocabSize())
        .put("width", c.text().width()).put("heads", c.text().heads()).put("layers", c.text().layers());
    ObjectNode root = JSON.createObjectNode();
    root.set("model_cfg", model);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("open_clip_config.json").toFile(), root);
    return weightsFile;
  }

  private static final ObjectMapper JSON = new ObjectMapper();
}
