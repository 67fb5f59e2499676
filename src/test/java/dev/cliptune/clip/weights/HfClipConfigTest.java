package dev.cliptune.clip.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipWeightsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** transformers {@code CLIPConfig} parsing: full, minimal, legacy {@code *_config_dict}, defaults. */
class HfClipConfigTest {
  @TempDir Path tmp;

  private Path write(String json) throws IOException {
    Path p = Files.createTempFile(tmp, "config", ".json");
    Files.writeString(p, json);
    return p;
  }

  @Test
  void fixtureConfigIsTheManifestModel() {
    assertThat(HfClipConfig.read(Checkpoints.hfDir().resolve("config.json")))
        .isEqualTo(Checkpoints.manifestConfig());
  }

  @Test
  void minimalConfigWithPatch16IsVitB16() throws IOException {
    Path p = write("{\"architectures\": [\"CLIPModel\"], \"model_type\": \"clip\", "
        + "\"vision_config\": {\"patch_size\": 16}, \"text_config\": {}, \"torch_dtype\": \"float32\"}");
    assertThat(HfClipConfig.read(p)).isEqualTo(ClipConfig.vitB16());
  }

  @Test
  void emptyConfigTakesTheTransformersDefaultsIncludingPatch32() throws IOException {
    ClipConfig c = HfClipConfig.read(write("{}"));
    ClipConfig b16 = ClipConfig.vitB16();
    assertThat(c.vision().patchSize()).isEqualTo(32);
    assertThat(c.vision().grid()).isEqualTo(7);
    assertThat(c.vision()).usingRecursiveComparison().ignoringFields("patchSize").isEqualTo(b16.vision());
    assertThat(c.text()).isEqualTo(b16.text());
    assertThat(c.embedDim()).isEqualTo(512);
    // null sub-configs are treated like absent ones
    assertThat(HfClipConfig.read(write("{\"text_config\": null, \"vision_config\": null}"))).isEqualTo(c);
  }

  @Test
  void legacyDictFormOverridesTheNewForm() throws IOException {
    Path p = write("""
        {"projection_dim": 256,
         "text_config": {"hidden_size": 999, "num_hidden_layers": 3},
         "text_config_dict": {"hidden_size": 384, "intermediate_size": 1536, "num_attention_heads": 6},
         "vision_config_dict": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24,
                                "num_attention_heads": 16, "patch_size": 14, "image_size": 336,
                                "layer_norm_eps": 1e-6, "hidden_act": "quick_gelu"}}
        """);
    ClipConfig c = HfClipConfig.read(p);
    assertThat(c.embedDim()).isEqualTo(256);
    // as in transformers: text_config_dict (with defaults for absent fields) replaces text_config entirely
    assertThat(c.text().width()).isEqualTo(384);
    assertThat(c.text().layers()).isEqualTo(12);
    assertThat(c.text().heads()).isEqualTo(6);
    assertThat(c.text().mlpHidden()).isEqualTo(1536);
    assertThat(c.vision().width()).isEqualTo(1024);
    assertThat(c.vision().layers()).isEqualTo(24);
    assertThat(c.vision().patchSize()).isEqualTo(14);
    assertThat(c.vision().tokens()).isEqualTo(24 * 24 + 1);
    assertThat(c.vision().layerNormEps()).isEqualTo(1e-6);
  }

  @Test
  void errorsNameFileAndField() throws IOException {
    Path act = write("{\"vision_config\": {\"hidden_act\": \"gelu_pytorch_tanh\"}}");
    assertThatThrownBy(() -> HfClipConfig.read(act))
        .isInstanceOf(ClipWeightsException.class)
        .hasMessageContaining(act.toString())
        .hasMessageContaining("vision_config.hidden_act is \"gelu_pytorch_tanh\"");
    assertThat(HfClipConfig.read(write("{\"vision_config\": {\"hidden_act\": \"gelu\"}}")).vision().activation())
        .isEqualTo(dev.cliptune.clip.Activation.GELU);
    Path notInt = write("{\"text_config\": {\"hidden_size\": \"wide\"}}");
    assertThatThrownBy(() -> HfClipConfig.read(notInt))
        .hasMessageContaining(notInt.toString())
        .hasMessageContaining("text_config.hidden_size must be a positive integer, found \"wide\"");
    Path frac = write("{\"projection_dim\": 12.5}");
    assertThatThrownBy(() -> HfClipConfig.read(frac)).hasMessageContaining("projection_dim must be a positive integer");
    Path grid = write("{\"vision_config\": {\"image_size\": 100, \"patch_size\": 16}}");
    assertThatThrownBy(() -> HfClipConfig.read(grid))
        .hasMessageContaining("vision_config.image_size = 100 is not a multiple of vision_config.patch_size = 16");
    Path type = write("{\"model_type\": \"siglip\"}");
    assertThatThrownBy(() -> HfClipConfig.read(type)).hasMessageContaining("model_type is 'siglip'");
    Path channels = write("{\"vision_config\": {\"num_channels\": 1}}");
    assertThatThrownBy(() -> HfClipConfig.read(channels)).hasMessageContaining("vision_config.num_channels is 1");
    Path broken = write("{\"vision_config\": ");
    assertThatThrownBy(() -> HfClipConfig.read(broken)).hasMessageContaining(broken.toString())
        .hasMessageContaining("not valid JSON");
  }
}
