package dev.cliptune.clip.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.testing.Shared;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Compares the Java preprocessing with the PIL + torchvision reference tensors in
 * {@code fixtures/parity} ({@code manifest.json} → {@code images}). Everything is read from the
 * manifest (resolution, mean/std, images, sizes, offsets), so another fixture set works unchanged.
 *
 * <p>Tolerance: {@value #TOLERANCE} absolute on the normalised values. The float32 arithmetic is
 * reproduced step by step, so the expected error is 0; one uint8 level would be ~0.0146.
 */
class PreprocessParityTest {

  /** Max |java - reference| allowed on normalised pixel values. */
  static final float TOLERANCE = 1e-6f;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the manifest says about the model's preprocessing. */
  record Setup(Path parity, JsonNode images, ClipPreprocessor pre) {}

  static Setup setup() throws IOException {
    Path parity = Shared.parity();
    JsonNode manifest = JSON.readTree(parity.resolve("manifest.json").toFile());
    JsonNode model = manifest.get("model");
    int r = model.get("dims").get("image_resolution").intValue();
    JsonNode pp = model.get("preprocessing");
    float[] mean = floats(pp.get("mean"));
    float[] std = floats(pp.get("std"));
    return new Setup(parity, manifest.get("images"), new ClipPreprocessor(r, mean, std));
  }

  static float[] floats(JsonNode arr) {
    float[] out = new float[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) arr.get(i).doubleValue();
    }
    return out;
  }

  static int[] ints(JsonNode arr) {
    int[] out = new int[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).intValue();
    }
    return out;
  }

  /** Largest |a - b| and where it is. */
  record Diff(double max, int index, int count) {
    static Diff of(float[] a, float[] b, double tol) {
      assertThat(a).hasSameSizeAs(b);
      double max = 0;
      int at = -1;
      int over = 0;
      for (int i = 0; i < a.length; i++) {
        double d = Math.abs((double) a[i] - b[i]);
        if (d > max || Double.isNaN(d)) {
          max = d;
          at = i;
        }
        if (d > tol) {
          over++;
        }
      }
      return new Diff(max, at, over);
    }

    String where(int r) {
      if (index < 0) {
        return "everywhere equal";
      }
      int plane = r * r;
      return "worst at c=" + index / plane + " y=" + (index % plane) / r + " x=" + index % r;
    }
  }

  @Test
  void manifestHasImages() throws IOException {
    Setup s = setup();
    assertThat(s.images().get("entries")).as("manifest images.entries").isNotEmpty();
    // the manifest's dims and the model's own preprocessor_config.json (crop size, mean, std) agree
    ClipPreprocessor declared = ClipPreprocessor.fromPreprocessorConfig(
        s.parity().resolve("model/hf/preprocessor_config.json"), -1);
    assertThat(s.pre().resolution()).isEqualTo(declared.resolution());
    assertThat(s.pre().mean()).containsExactly(declared.mean());
    assertThat(s.pre().std()).containsExactly(declared.std());
  }

  /** One dynamic test per manifest entry: sizes, offsets and the tensor from our own decode. */
  @TestFactory
  Stream<DynamicTest> everyManifestImage() throws IOException {
    Setup s = setup();
    ClipPreprocessor pre = s.pre();
    int r = pre.resolution();
    Path refFile = s.parity().resolve(s.images().get("file").asText());
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode e : s.images().get("entries")) {
      String file = e.get("file").asText();
      tests.add(DynamicTest.dynamicTest(file, () -> {
        RgbImage img = ImageDecoder.decode(s.parity().resolve(file));
        int[] size = ints(e.get("size"));
        assertThat(new int[] {img.width(), img.height()}).as(file + " decoded size").containsExactly(size);

        int[] resized = ClipPreprocessor.resizedSize(img.width(), img.height(), r);
        if (e.has("resized_size")) {
          assertThat(resized).as(file + " resized size").containsExactly(ints(e.get("resized_size")));
        }
        int[] off = ClipPreprocessor.cropOffsets(resized[0], resized[1], r);
        if (e.has("crop_offset_left_top")) {
          assertThat(off).as(file + " crop offsets").containsExactly(ints(e.get("crop_offset_left_top")));
        }

        float[] expected;
        try (SafeTensors st = SafeTensors.open(refFile)) {
          assertThat(st.info(e.get("tensor").asText()).shape()).containsExactly(3, r, r);
          expected = st.floats(e.get("tensor").asText());
        }
        float[] actual = pre.apply(img);
        Diff d = Diff.of(actual, expected, TOLERANCE);
        boolean jpegLike = e.has("decoded_rgb_tensor");
        System.out.printf("[image parity] %-22s own decode: max|diff|=%.3g (%s), %d values > %.0e%s%n",
            file, d.max(), d.where(r), d.count(), TOLERANCE,
            jpegLike ? "  [JPEG: own decoder, reported only]" : "");
        if (!jpegLike) {
          assertThat(d.max()).as(file + " max |java - reference| (" + d.where(r) + ")").isLessThanOrEqualTo(TOLERANCE);
        }
      }));
      if (e.has("decoded_rgb_tensor")) {
        String name = e.get("decoded_rgb_tensor").asText();
        tests.add(DynamicTest.dynamicTest(file + " from reference decode", () -> {
          byte[] pixels;
          long[] shape;
          float[] expected;
          RgbImage own = ImageDecoder.decode(s.parity().resolve(file));
          try (SafeTensors st = SafeTensors.open(refFile)) {
            shape = st.info(name).shape();
            pixels = st.u8(name);
            expected = st.floats(e.get("tensor").asText());
          }
          assertThat(shape).hasSize(3);
          assertThat(shape[2]).isEqualTo(3);
          RgbImage ref = new RgbImage((int) shape[1], (int) shape[0], pixels);

          // Own JPEG decode vs PIL's: reported, not required to match.
          int maxLevel = 0;
          int differing = 0;
          for (int i = 0; i < pixels.length; i++) {
            int dl = Math.abs((pixels[i] & 0xff) - (own.rgb()[i] & 0xff));
            maxLevel = Math.max(maxLevel, dl);
            differing += dl != 0 ? 1 : 0;
          }
          System.out.printf("[image parity] %-22s own decode vs PIL decode: max %d levels, %d of %d samples differ%n",
              file, maxLevel, differing, pixels.length);

          float[] actual = pre.apply(ref);
          Diff d = Diff.of(actual, expected, TOLERANCE);
          System.out.printf("[image parity] %-22s reference decode: max|diff|=%.3g (%s)%n", file, d.max(), d.where(r));
          assertThat(d.max()).as(file + " from PIL-decoded pixels (" + d.where(r) + ")").isLessThanOrEqualTo(TOLERANCE);
        }));
      }
    }
    return tests.stream();
  }
}
