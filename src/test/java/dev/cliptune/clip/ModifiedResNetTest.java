package dev.cliptune.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.parity.Compare;
import dev.cliptune.testing.Shared;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ModifiedResNet tower on the checkpoints set's ResNet CLIP: BatchNorm folded into the convolutions against
 * libtorch's batch_norm (both against the official features, tolerance 1e-4 as the manifest's), large batches
 * encoded in chunks, and visual prompts refused.
 */
class ModifiedResNetTest {
  private static final double TOL = 1e-4;

  private static Path rn() {
    return Shared.checkpoints().resolve("rn");
  }

  @Test
  void foldedBatchNormMatchesTheOfficialFeatures() {
    ClipWeights w = ClipLoader.load(rn());
    try (SafeTensors ref = SafeTensors.open(rn().resolve("reference.safetensors"));
        NDManager m = NDManager.newBaseManager()) {
      float[] want = ref.floats("image_features");
      NDArray px = Tensors.owned(m, ref.floats("pixel_values"), new Shape(ref.info("pixel_values").shape()));
      double[] err = new double[2];
      for (int i = 0; i < 2; i++) {
        boolean fold = i == 1;
        try (NDManager own = m.newSubManager()) {
          ModifiedResNet tower = new ModifiedResNet(w.config().resnet(), n -> {
            FloatTensor t = w.get(n);
            return Tensors.owned(own, t.data(), new Shape(t.shape()));
          }, own, fold);
          err[i] = Compare.maxAbs(tower.forward(px, Probe.NONE).toFloatArray(), want);
        }
      }
      System.out.printf("image_features max abs error: batch_norm %.3e, folded %.3e (tolerance %.0e)%n", err[0],
          err[1], TOL);
      assertThat(err[0]).isLessThanOrEqualTo(TOL);
      assertThat(err[1]).isLessThanOrEqualTo(TOL);
    }
  }

  @Test
  void largeBatchesAreEncodedInChunksWithTheSameFeatures() {
    try (ClipModel clip = ClipModel.create(ClipLoader.load(rn())); NDManager m = NDManager.newBaseManager()) {
      int r = clip.config().imageSize();
      int b = 2 * ClipModel.RESNET_PIXELS_PER_CALL / (r * r) + 3;
      float[] v = new float[b * 3 * r * r];
      Random rng = new Random(7);
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) rng.nextGaussian();
      }
      NDArray px = Tensors.owned(m, v, new Shape(b, 3, r, r));
      float[] whole = clip.encodeImage(VisionInput.of(px), Probe.NONE).toFloatArray();
      float[] chunked = clip.encodeImage(px).toFloatArray();
      assertThat(chunked).hasSize(b * clip.config().embedDim());
      assertThat(Compare.maxAbs(whole, chunked)).isLessThanOrEqualTo(1e-5);
      // rows are independent: the last image alone gives its row
      float[] last = clip.encodeImage(VisionInput.of(px.get((b - 1) + ":")), Probe.NONE).toFloatArray();
      float[] lastRow = java.util.Arrays.copyOfRange(chunked, chunked.length - last.length, chunked.length);
      assertThat(Compare.maxAbs(last, lastRow)).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void visualPromptsAreRefused() {
    try (ClipModel clip = ClipModel.create(ClipLoader.load(rn())); NDManager m = NDManager.newBaseManager()) {
      int r = clip.config().imageSize();
      NDArray px = m.zeros(new Shape(1, 3, r, r));
      NDArray prompt = m.zeros(new Shape(2, 256));
      assertThatThrownBy(() -> clip.encodeImage(new VisionInput(px, prompt, List.of()), Probe.NONE))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("ModifiedResNet");
      assertThatThrownBy(() -> clip.encodeImage(VisionInput.of(m.zeros(new Shape(1, 3, 32, 32))), Probe.NONE))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B, 3, 64, 64]");
    }
  }
}
