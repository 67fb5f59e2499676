package dev.cliptune.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;
import dev.cliptune.io.SafeTensorsWriter;
import dev.cliptune.io.torch.TorchSaveWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes ViT weights in the layouts users hold, for tests that need them without the shared fixtures: OpenAI's
 * state dict (as a safetensors file or a {@code torch.save} zip) and open_clip's hub layout.
 */
public final class CheckpointLayouts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CheckpointLayouts() {}

  /**
   * Writes {@code w} in OpenAI's layout into {@code dir}: {@code file} with the state-dict names of
   * {@code clip/model.py} (a safetensors file when the name ends in {@code .safetensors}, with the head counts in
   * its {@code __metadata__} as the parity fixture's; a {@code torch.save} zip otherwise) and {@code config.json}
   * with {@code build_model}'s keys and the head counts, which OpenAI files do not store. Returns the weights file.
   */
  public static Path writeOpenAi(ClipWeights w, Path dir, String file) throws IOException {
    Files.createDirectories(dir);
    Path weightsFile = dir.resolve(file);
    ClipConfig c = w.config();
    VisionConfig v = c.vision();
    TextConfig t = c.text();
    if (file.endsWith(".safetensors")) {
      SafeTensorsWriter sw = new SafeTensorsWriter().metadata("vision_heads", Integer.toString(v.heads()))
          .metadata("text_heads", Integer.toString(t.heads()));
      w.tensors().values().forEach(x -> sw.putFloats(x.name(), x.data(), x.shape()));
      sw.write(weightsFile);
    } else {
      TorchSaveWriter.write(weightsFile, "archive", w.tensors().values(), false);
    }
    ObjectNode cfg = JSON.createObjectNode().put("embed_dim", c.embedDim()).put("image_resolution", v.imageSize())
        .put("vision_layers", v.layers()).put("vision_width", v.width()).put("vision_patch_size", v.patchSize())
        .put("vision_heads", v.heads()).put("context_length", t.contextLength()).put("vocab_size", t.vocabSize())
        .put("transformer_width", t.width()).put("transformer_heads", t.heads()).put("transformer_layers", t.layers());
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), cfg);
    return weightsFile;
  }

  /**
   * Writes {@code w} as open_clip pushes a model to the hub into {@code dir}: {@code open_clip_config.json}
   * ({@code quick_gelu} true, {@code head_width} from the heads) and {@code file}, {@code open_clip_model.safetensors}
   * or {@code open_clip_pytorch_model.bin}. Returns the weights file.
   */
  public static Path writeOpenClip(ClipWeights w, Path dir, String file) throws IOException {
    Path weightsFile = writeOpenAi(w, dir, file);
    Files.delete(dir.resolve("config.json"));
    ClipConfig c = w.config();
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
}
