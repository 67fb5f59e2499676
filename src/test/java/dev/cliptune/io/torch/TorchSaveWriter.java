package dev.cliptune.io.torch;

import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.Half;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state dict as {@code torch.save} does (a zip: {@code PREFIX/data.pkl} with an {@code OrderedDict} of
 * {@code _rebuild_tensor_v2} calls, one stored storage per tensor under {@code PREFIX/data/N}, {@code byteorder}),
 * for tests that need a {@code pytorch_model.bin} or an open_clip {@code .bin} of weights they already hold.
 */
public final class TorchSaveWriter {
  private TorchSaveWriter() {}

  /** {@code tensors} in order, contiguous, as float32 ({@code FloatStorage}) or float16 ({@code HalfStorage}). */
  public static void write(Path file, String prefix, Collection<FloatTensor> tensors, boolean half)
      throws IOException {
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
      PickleBytes p = PickleBytes.proto2().orderedDict().op('(');
      int n = 0;
      for (FloatTensor t : tensors) {
        int[] size = t.intShape();
        int[] stride = new int[size.length];
        for (int i = size.length - 1, s = 1; i >= 0; s *= size[i], i--) {
          stride[i] = s;
        }
        float[] v = t.data();
        p.unicode(t.name()).tensor(half ? "HalfStorage" : "FloatStorage", Integer.toString(n), v.length, 0, size,
            stride);
        ByteBuffer b = ByteBuffer.allocate((half ? 2 : 4) * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
          if (half) {
            b.putShort(Half.fromFloat(x));
          } else {
            b.putFloat(x);
          }
        }
        TorchFileTest.put(z, prefix + "/data/" + n, b.array(), true);
        n++;
      }
      TorchFileTest.put(z, prefix + "/data.pkl", p.op('u', '.').bytes(), true);
      TorchFileTest.put(z, prefix + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII), true);
    }
  }
}
