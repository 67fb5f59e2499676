package dev.cliptune.clip.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;
import dev.cliptune.io.DType;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.SafeTensorsWriter;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.testing.Shared;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Test helpers: the parity fixture's two checkpoint layouts, and edited copies of them. */
final class Checkpoints {
  static final ObjectMapper JSON = new ObjectMapper();

  private Checkpoints() {}

  /** One tensor of a safetensors file being rewritten. */
  record Entry(DType dtype, long[] shape, ByteBuffer data) {}

  static JsonNode manifestModel() {
    try {
      return JSON.readTree(Shared.parity().resolve("manifest.json").toFile()).get("model");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path hfDir() {
    return Shared.parity().resolve(manifestModel().get("hf_dir").asText());
  }

  static Path openAiDir() {
    return Shared.parity().resolve(manifestModel().get("openai_dir").asText());
  }

  /** The configuration the manifest's {@code model.dims} (and derived MLP sizes, eps) describe. */
  static ClipConfig manifestConfig() {
    JsonNode m = manifestModel();
    JsonNode d = m.get("dims");
    JsonNode der = m.get("derived");
    double eps = m.get("layer_norm_eps").asDouble();
    return new ClipConfig(d.get("embed_dim").asInt(),
        new VisionConfig(d.get("vision_width").asInt(), d.get("vision_layers").asInt(),
            d.get("vision_heads").asInt(), d.get("patch_size").asInt(), d.get("image_resolution").asInt(),
            der.get("mlp_hidden_vision").asInt(), eps),
        new TextConfig(d.get("text_width").asInt(), d.get("text_layers").asInt(), d.get("text_heads").asInt(),
            d.get("context_length").asInt(), d.get("vocab_size").asInt(), der.get("mlp_hidden_text").asInt(), eps));
  }

  /** Copies {@code model.safetensors} and {@code config.json} (when present) of {@code from} into {@code to}. */
  static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    for (String f : new String[] {"model.safetensors", "config.json"}) {
      if (Files.exists(from.resolve(f))) {
        Files.copy(from.resolve(f), to.resolve(f));
      }
    }
    return to;
  }

  /** Writes {@code to} with the tensors and metadata of {@code from}, after {@code edit} changed them. */
  static void rewrite(Path from, Path to, Consumer<Map<String, Entry>> edit) throws IOException {
    rewrite(from, to, edit, m -> {});
  }

  static void rewrite(Path from, Path to, Consumer<Map<String, Entry>> edit,
      Consumer<Map<String, String>> editMetadata) throws IOException {
    try (SafeTensors st = SafeTensors.open(from)) {
      Map<String, Entry> tensors = new LinkedHashMap<>();
      for (TensorInfo t : st.tensors()) {
        tensors.put(t.name(), new Entry(t.dtype(), t.shape(), st.raw(t.name())));
      }
      edit.accept(tensors);
      Map<String, String> meta = new LinkedHashMap<>(st.metadata());
      editMetadata.accept(meta);
      SafeTensorsWriter w = new SafeTensorsWriter().metadata(meta);
      tensors.forEach((n, e) -> w.put(n, e.dtype(), e.shape(), e.data()));
      w.write(to);
    }
  }

  /** Rewrites {@code dir/config.json} after {@code edit}. */
  static void editConfig(Path dir, Consumer<ObjectNode> edit) throws IOException {
    Path p = dir.resolve("config.json");
    ObjectNode root = (ObjectNode) JSON.readTree(p.toFile());
    edit.accept(root);
    Files.delete(p); // the copy may be read-only like the fixture
    JSON.writerWithDefaultPrettyPrinter().writeValue(p.toFile(), root);
  }

  static ByteBuffer zerosF32(long n) {
    return ByteBuffer.allocate(Math.toIntExact(4 * n));
  }
}
