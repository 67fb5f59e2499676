package dev.cliptune.clip.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.clip.Activation;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.SafeTensorsWriter;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.testing.Shared;
import dev.cliptune.testing.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * open_clip variants the checkpoint fixtures do not hold, made from their open_clip weights: CustomTextCLIP's
 * {@code text.} tower prefix, an old persistent {@code attn_mask} buffer, a config without {@code quick_gelu}
 * (exact GELU, as open_clip), and a timm tower that cliptune does not build.
 */
class OpenClipLayoutsTest {
  @TempDir
  Path tmp;

  private Path variant(String name, UnaryOperator<String> rename, boolean attnMask) throws IOException {
    Path src = Shared.checkpoints().resolve("vit/open_clip_gelu");
    Path dir = Files.createDirectories(tmp.resolve(name));
    SafeTensorsWriter w = new SafeTensorsWriter();
    try (SafeTensors st = SafeTensors.open(src.resolve("open_clip_model.safetensors"))) {
      for (TensorInfo t : st.tensors()) {
        w.putFloats(rename.apply(t.name()), st.floats(t.name()), t.shape());
      }
    }
    if (attnMask) {
      w.putFloats("attn_mask", new float[77 * 77], 77, 77);
    }
    w.write(dir.resolve("open_clip_model.safetensors"));
    Files.copy(src.resolve("open_clip_config.json"), dir.resolve("open_clip_config.json"));
    return dir;
  }

  @Test
  void customTextTowerPrefixAndOldAttnMaskLoadAsTheSameWeights() throws IOException {
    ClipWeights ref = ClipLoader.load(Shared.checkpoints().resolve("vit/open_clip_gelu"), null);
    Path custom = variant("custom", n -> n.startsWith("visual.") || n.equals("logit_scale") ? n : "text." + n, true);
    ClipWeights w = ClipLoader.load(custom, null);
    assertThat(w.sha256()).isEqualTo(ref.sha256());
    assertThat(w.config().text().activation()).isEqualTo(Activation.GELU);
  }

  private static void write(Path cfg, ObjectNode root) throws IOException {
    Files.deleteIfExists(cfg); // the copy may be read-only like the fixture
    Checkpoints.JSON.writeValue(cfg.toFile(), root);
  }

  @Test
  void quickGeluFollowsTheConfigAndTimmTowersAreRefused() throws IOException {
    Path dir = variant("plain", n -> n, false);
    Path cfg = dir.resolve("open_clip_config.json");
    ObjectNode root = (ObjectNode) Checkpoints.JSON.readTree(cfg.toFile());
    ((ObjectNode) root.get("model_cfg")).remove("quick_gelu");
    write(cfg, root);
    assertThat(ClipLoader.load(dir, null).config().vision().activation()).isEqualTo(Activation.GELU);
    ((ObjectNode) root.get("model_cfg")).put("quick_gelu", true);
    write(cfg, root);
    assertThat(ClipLoader.load(dir, null).config().text().activation()).isEqualTo(Activation.QUICK_GELU);
    ((ObjectNode) root.get("model_cfg").get("vision_cfg")).put("timm_model_name", "vit_base_patch16_224");
    write(cfg, root);
    assertThatThrownBy(() -> ClipLoader.load(dir, null)).hasMessageContaining(cfg.toString())
        .hasMessageContaining("timm_model_name");
  }

  /**
   * timm's open_clip repositories ({@code timm/vit_base_patch16_clip_224.openai}) hold timm's {@code config.json} and
   * {@code model.safetensors} beside open_clip's files: with {@code open_clip_config.json} there, open_clip's weights
   * are read (safetensors before the pickle), as open_clip does; without it, the HF names come first.
   */
  @Test
  void openClipFilesComeBeforeTimmsModelSafetensors() throws IOException {
    Path dir = tmp.resolve("timm-openai");
    TinyModel.writeOpenClip(dir, "open_clip_pytorch_model.bin");
    TinyModel.writeOpenClip(dir, "open_clip_model.safetensors");
    new SafeTensorsWriter().putFloats("cls_token", new float[128], 1, 1, 128)
        .putFloats("patch_embed.proj.weight", new float[128 * 3 * 4 * 4], 128, 3, 4, 4)
        .putFloats("blocks.0.attn.qkv.weight", new float[3 * 128 * 128], 3 * 128, 128)
        .write(dir.resolve("model.safetensors"));
    Files.writeString(dir.resolve("config.json"), "{\"architecture\": \"vit_base_patch16_clip_224\", \"num_classes\": 128}");
    String want = TinyModel.weights().sha256();

    ClipWeights safetensors = ClipLoader.load(dir, null);
    assertThat(safetensors.source()).contains("open_clip_model.safetensors");
    assertThat(safetensors.sha256()).isEqualTo(want);
    Files.delete(dir.resolve("open_clip_model.safetensors"));
    ClipWeights pickle = ClipLoader.load(dir, null);
    assertThat(pickle.source()).contains("open_clip_pytorch_model.bin");
    assertThat(pickle.sha256()).isEqualTo(want);

    Files.delete(dir.resolve("open_clip_config.json"));
    assertThatThrownBy(() -> ClipLoader.load(dir, null)).hasMessageContaining(dir.resolve("model.safetensors").toString());
  }
}
