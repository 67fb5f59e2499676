package dev.cliptune.clip.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The torchvision size/offset rules, the float32 normalisation and the HF config reader. */
class ClipPreprocessorTest {

  @TempDir
  Path tmp;

  @Test
  void resizedSizeKeepsShortSideAndTruncatesLongSide() {
    assertThat(ClipPreprocessor.resizedSize(500, 375, 224)).containsExactly(298, 224); // 298.67 -> 298
    assertThat(ClipPreprocessor.resizedSize(375, 500, 224)).containsExactly(224, 298);
    assertThat(ClipPreprocessor.resizedSize(50, 40, 32)).containsExactly(40, 32);
    assertThat(ClipPreprocessor.resizedSize(37, 64, 32)).containsExactly(32, 55);
    assertThat(ClipPreprocessor.resizedSize(100, 100, 224)).containsExactly(224, 224);
    assertThat(ClipPreprocessor.resizedSize(3, 1000, 224)).containsExactly(224, 74666);
  }

  @Test
  void cropOffsetsRoundHalfToEven() {
    // (257 - 224) / 2 = 16.5 -> 16 ; (259 - 224) / 2 = 17.5 -> 18
    assertThat(ClipPreprocessor.cropOffsets(257, 224, 224)).containsExactly(16, 0);
    assertThat(ClipPreprocessor.cropOffsets(259, 224, 224)).containsExactly(18, 0);
    assertThat(ClipPreprocessor.cropOffsets(224, 257, 224)).containsExactly(0, 16);
    assertThat(ClipPreprocessor.cropOffsets(224, 261, 224)).containsExactly(0, 18); // 18.5 -> 18
    assertThat(ClipPreprocessor.cropOffsets(224, 263, 224)).containsExactly(0, 20); // 19.5 -> 20
    assertThat(ClipPreprocessor.cropOffsets(298, 224, 224)).containsExactly(37, 0);
    assertThat(ClipPreprocessor.cropOffsets(225, 225, 224)).containsExactly(0, 0); // 0.5 -> 0
    assertThat(ClipPreprocessor.cropOffsets(227, 227, 224)).containsExactly(2, 2); // 1.5 -> 2
  }

  @Test
  void centerCropTakesTheRoundedWindow() {
    int w = 7;
    int h = 4;
    byte[] px = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        px[(y * w + x) * 3] = (byte) x;
        px[(y * w + x) * 3 + 1] = (byte) y;
      }
    }
    ClipPreprocessor pre = ClipPreprocessor.openAi(4);
    RgbImage c = pre.centerCrop(new RgbImage(w, h, px));
    // (7 - 4) / 2 = 1.5 -> 2
    assertThat(c.width()).isEqualTo(4);
    assertThat(c.get(0, 0, 0)).isEqualTo(2);
    assertThat(c.get(3, 3, 0)).isEqualTo(5);
    assertThat(c.get(3, 3, 1)).isEqualTo(3);
  }

  @Test
  void centerCropPadsSmallImagesWithBlackLikeTorchvision() {
    byte[] px = new byte[2 * 1 * 3];
    java.util.Arrays.fill(px, (byte) 200);
    RgbImage c = ClipPreprocessor.openAi(5).centerCrop(new RgbImage(2, 1, px));
    // torchvision pads (5-2)//2 = 1 left, 2 right; (5-1)//2 = 2 top, 2 bottom.
    assertThat(ClipPreprocessor.cropOffsets(2, 1, 5)).containsExactly(-1, -2);
    assertThat(c.get(0, 2, 0)).isZero();
    assertThat(c.get(1, 2, 0)).isEqualTo(200);
    assertThat(c.get(2, 2, 0)).isEqualTo(200);
    assertThat(c.get(3, 2, 0)).isZero();
    assertThat(c.get(1, 1, 0)).isZero();
  }

  @Test
  void normalisationIsFloat32DivideThenSubtractThenDivide() {
    ClipPreprocessor pre = ClipPreprocessor.openAi(1);
    byte[] px = {(byte) 0, (byte) 128, (byte) 255};
    float[] t = pre.toNormalizedChw(new RgbImage(1, 1, px));
    float[] mean = ClipPreprocessor.OPENAI_MEAN;
    float[] std = ClipPreprocessor.OPENAI_STD;
    assertThat(t[0]).isEqualTo((0f / 255f - mean[0]) / std[0]);
    assertThat(t[1]).isEqualTo((128f / 255f - mean[1]) / std[1]);
    assertThat(t[2]).isEqualTo((255f / 255f - mean[2]) / std[2]);
    // A double-precision formula rounded at the end is not the same thing for every level.
    int differ = 0;
    for (int v = 0; v < 256; v++) {
      float f32 = ((float) v / 255f - mean[0]) / std[0];
      float f64 = (float) ((v / 255.0 - mean[0]) / std[0]);
      differ += f32 != f64 ? 1 : 0;
    }
    assertThat(differ).as("levels where float32 steps and double math disagree").isPositive();
  }

  @Test
  void applyGivesChannelFirstLayout() {
    ClipPreprocessor pre = new ClipPreprocessor(2, new float[] {0, 0, 0}, new float[] {1, 1, 1});
    byte[] px = new byte[2 * 2 * 3];
    for (int i = 0; i < 4; i++) {
      px[i * 3] = (byte) (10 + i);
      px[i * 3 + 1] = (byte) (20 + i);
      px[i * 3 + 2] = (byte) (30 + i);
    }
    float[] t = pre.apply(new RgbImage(2, 2, px));
    assertThat(t).hasSize(12);
    assertThat(t[0]).isEqualTo(10f / 255f);
    assertThat(t[3]).isEqualTo(13f / 255f);
    assertThat(t[4]).isEqualTo(20f / 255f);
    assertThat(t[11]).isEqualTo(33f / 255f);
  }

  @Test
  void constructorRejectsBadParameters() {
    assertThatThrownBy(() -> new ClipPreprocessor(0, ClipPreprocessor.OPENAI_MEAN, ClipPreprocessor.OPENAI_STD))
        .hasMessageContaining("resolution");
    assertThatThrownBy(() -> new ClipPreprocessor(224, new float[2], ClipPreprocessor.OPENAI_STD))
        .hasMessageContaining("mean");
    assertThatThrownBy(() -> new ClipPreprocessor(224, ClipPreprocessor.OPENAI_MEAN, new float[] {1, 0, 1}))
        .hasMessageContaining("std");
  }

  // ------------------------------------------------------------------------------------------
  // preprocessor_config.json
  // ------------------------------------------------------------------------------------------

  Path config(String json) throws IOException {
    Path p = tmp.resolve("preprocessor_config.json");
    Files.writeString(p, json);
    return p;
  }

  @Test
  void readsOpenAiStyleConfig() throws IOException {
    Path p = config("""
        {
          "crop_size": {"height": 336, "width": 336},
          "do_center_crop": true, "do_normalize": true, "do_resize": true, "do_rescale": true,
          "feature_extractor_type": "CLIPFeatureExtractor",
          "image_mean": [0.5, 0.25, 0.125],
          "image_std": [0.2, 0.3, 0.4],
          "resample": 3, "rescale_factor": 0.00392156862745098,
          "size": {"shortest_edge": 336}
        }""");
    ClipPreprocessor pre = ClipPreprocessor.fromPreprocessorConfig(p, 224);
    assertThat(pre.resolution()).isEqualTo(336);
    assertThat(pre.mean()).containsExactly(0.5f, 0.25f, 0.125f);
    assertThat(pre.std()).containsExactly(0.2f, 0.3f, 0.4f);
  }

  @Test
  void readsLegacyIntSizesAndDefaults() throws IOException {
    ClipPreprocessor pre = ClipPreprocessor.fromPreprocessorConfig(config("{\"crop_size\": 224, \"size\": 224}"), 32);
    assertThat(pre.resolution()).isEqualTo(224);
    assertThat(pre.mean()).containsExactly(ClipPreprocessor.OPENAI_MEAN);
    assertThat(ClipPreprocessor.fromPreprocessorConfig(config("{}"), 32).resolution()).isEqualTo(32);
  }

  @Test
  void rejectsBadConfigFields() throws IOException {
    assertThatThrownBy(() -> ClipPreprocessor.fromPreprocessorConfig(config("{\"resample\": 2}"), 224))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("resample");
    assertThatThrownBy(() -> ClipPreprocessor.fromPreprocessorConfig(config("{\"image_mean\": [0.5, 0.5]}"), 224))
        .hasMessageContaining("image_mean").hasMessageContaining("preprocessor_config.json");
    assertThatThrownBy(() -> ClipPreprocessor.fromPreprocessorConfig(config("{\"image_std\": [1, 0, 1]}"), 224))
        .hasMessageContaining("image_std");
    assertThatThrownBy(() -> ClipPreprocessor.fromPreprocessorConfig(
        config("{\"crop_size\": {\"height\": 224, \"width\": 256}}"), 224))
        .hasMessageContaining("square");
    assertThatThrownBy(() -> ClipPreprocessor.fromPreprocessorConfig(config("{\"crop_size\": \"big\"}"), 224))
        .hasMessageContaining("crop_size");
    assertThatThrownBy(() -> ClipPreprocessor.fromPreprocessorConfig(
        config("{\"crop_size\": 224, \"size\": {\"shortest_edge\": 256}}"), 224))
        .hasMessageContaining("size");
    assertThatThrownBy(() -> ClipPreprocessor.fromPreprocessorConfig(config("{\"do_center_crop\": false}"), 224))
        .hasMessageContaining("do_center_crop");
    assertThatThrownBy(() -> ClipPreprocessor.fromPreprocessorConfig(config("{\"rescale_factor\": 1.0}"), 224))
        .hasMessageContaining("rescale_factor");
    assertThatThrownBy(() -> ClipPreprocessor.fromPreprocessorConfig(config("not json"), 224))
        .hasMessageContaining("JSON");
    assertThatThrownBy(() -> ClipPreprocessor.fromPreprocessorConfig(tmp.resolve("missing.json"), 224))
        .hasMessageContaining("not found");
  }
}
