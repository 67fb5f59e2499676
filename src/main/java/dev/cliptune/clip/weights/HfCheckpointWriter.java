package dev.cliptune.clip.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.io.AtomicFiles;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.SafeTensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes CLIP weights in the HuggingFace {@code CLIPModel} layout that every cliptune command (and
 * {@code transformers}) loads: {@code config.json} in the full form, {@code model.safetensors} with HF names
 * (q/k/v split, projections transposed), and {@code preprocessor_config.json}. The inverse of {@link ClipLoader}'s
 * mapping; every file is written atomically.
 */
public final class HfCheckpointWriter {
  private HfCheckpointWriter() {}

  public static void write(ClipWeights w, Path dir, Map<String, String> metadata) throws IOException {
    Files.createDirectories(dir);
    SafeTensorsWriter st = new SafeTensorsWriter().metadata("format", "pt");
    if (metadata != null) {
      st.metadata(metadata);
    }
    for (Map.Entry<String, FloatTensor> e : w.tensors().entrySet()) {
      FloatTensor t = e.getValue();
      ClipLoader.Recipe r = ClipLoader.recipe(ClipLoader.Layout.HF, e.getKey());
      if (r instanceof ClipLoader.Direct d) {
        st.putFloats(d.src(), t.data(), t.shape());
      } else if (r instanceof ClipLoader.Scalar sc) {
        st.putFloats(sc.src(), t.data(), t.shape());
      } else if (r instanceof ClipLoader.Transposed tr) {
        int rows = (int) t.shape()[0];
        int cols = (int) t.shape()[1];
        float[] out = new float[t.data().length];
        for (int i = 0; i < rows; i++) {
          for (int j = 0; j < cols; j++) {
            out[j * rows + i] = t.data()[i * cols + j];
          }
        }
        st.putFloats(tr.src(), out, cols, rows);
      } else if (r instanceof ClipLoader.Stacked sk) {
        List<String> parts = sk.srcs();
        int n = parts.size();
        long rows = t.shape()[0] / n;
        long rest = t.data().length / t.shape()[0];
        for (int k = 0; k < n; k++) {
          float[] part = new float[(int) (rows * rest)];
          System.arraycopy(t.data(), (int) (k * rows * rest), part, 0, part.length);
          long[] shape = t.shape().clone();
          shape[0] = rows;
          st.putFloats(parts.get(k), part, shape);
        }
      }
    }
    st.write(dir.resolve("model.safetensors"));
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    AtomicFiles.writeString(dir.resolve("config.json"), json.writeValueAsString(config(w.config())) + "\n");
    AtomicFiles.writeString(dir.resolve("preprocessor_config.json"),
        json.writeValueAsString(preprocessor(w.config())) + "\n");
  }

  static Map<String, Object> config(ClipConfig c) {
    Map<String, Object> text = new LinkedHashMap<>();
    text.put("model_type", "clip_text_model");
    text.put("vocab_size", c.text().vocabSize());
    text.put("hidden_size", c.text().width());
    text.put("intermediate_size", c.text().mlpHidden());
    text.put("projection_dim", c.embedDim());
    text.put("num_hidden_layers", c.text().layers());
    text.put("num_attention_heads", c.text().heads());
    text.put("max_position_embeddings", c.text().contextLength());
    text.put("hidden_act", c.text().activation().hfName);
    text.put("layer_norm_eps", c.text().layerNormEps());
    text.put("bos_token_id", c.text().vocabSize() - 2);
    text.put("eos_token_id", c.text().vocabSize() - 1);
    Map<String, Object> vision = new LinkedHashMap<>();
    vision.put("model_type", "clip_vision_model");
    vision.put("hidden_size", c.vision().width());
    vision.put("intermediate_size", c.vision().mlpHidden());
    vision.put("projection_dim", c.embedDim());
    vision.put("num_hidden_layers", c.vision().layers());
    vision.put("num_attention_heads", c.vision().heads());
    vision.put("num_channels", 3);
    vision.put("image_size", c.vision().imageSize());
    vision.put("patch_size", c.vision().patchSize());
    vision.put("hidden_act", c.vision().activation().hfName);
    vision.put("layer_norm_eps", c.vision().layerNormEps());
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("architectures", List.of("CLIPModel"));
    top.put("model_type", "clip");
    top.put("projection_dim", c.embedDim());
    top.put("logit_scale_init_value", 2.6592);
    top.put("torch_dtype", "float32");
    top.put("text_config", text);
    top.put("vision_config", vision);
    return top;
  }

  static Map<String, Object> preprocessor(ClipConfig c) {
    Map<String, Object> p = new LinkedHashMap<>();
    int r = c.vision().imageSize();
    p.put("crop_size", Map.of("height", r, "width", r));
    p.put("do_center_crop", true);
    p.put("do_convert_rgb", true);
    p.put("do_normalize", true);
    p.put("do_rescale", true);
    p.put("do_resize", true);
    p.put("image_mean", List.of(0.48145466, 0.4578275, 0.40821073));
    p.put("image_std", List.of(0.26862954, 0.26130258, 0.27577711));
    p.put("image_processor_type", "CLIPImageProcessor");
    p.put("resample", 3);
    p.put("rescale_factor", 1.0 / 255);
    p.put("size", Map.of("shortest_edge", r));
    return p;
  }
}
