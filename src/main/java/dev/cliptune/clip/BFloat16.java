package dev.cliptune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * bfloat16 tensors through DJL's PyTorch binding, which cannot name that type: every DJL call that passes a data
 * type to libtorch goes through the JNI's {@code GetScalarTypeFromDType} ({@code djl_pytorch_utils.h}), whose
 * {@code default:} branch is a bare {@code throw;} — outside a catch block that is {@code std::terminate}, so
 * {@code toType(BFLOAT16)}, {@code zeros(shape, BFLOAT16)} or {@code create(buffer, shape, BFLOAT16)} abort the
 * JVM ("terminate called without an active exception"; DJL 0.35.1 and 0.36.0, docs/BENCHMARKS.md). Operations that
 * take no data type (linear, matmul, layer_norm, gelu, add, mul by a scalar, reshape, split, concat) run on
 * bfloat16 tensors unchanged, and {@code toType(FLOAT32)} converts back (type 0 is mapped).
 *
 * <p>The one missing piece, float32 → bfloat16, is made here by libtorch itself: a TorchScript module written by
 * this class (constant source, never read from a file) whose {@code forward(x)} is {@code torch.to(x, 15)}
 * (15 = {@code torch.bfloat16}, round to nearest even), loaded once from memory with DJL's module loader and run
 * outside inference mode, so its outputs are ordinary tensors that may meet autograd.
 *
 * <p>DJL reports a bfloat16 array's type as {@link DataType#UNKNOWN} (the JNI's {@code GetDTypeFromScalarType}
 * maps every unlisted type to 9); {@link #is} relies on that, so never pass such an array to a DJL call that sends
 * its own type back to the JNI ({@code softmax} and {@code logSoftmax}, {@code zerosLike}, {@code toDevice},
 * {@code set(Buffer)}, a manager's {@code create}/{@code zeros} with that type) — use {@link #softmax}.
 */
public final class BFloat16 {
  private BFloat16() {}

  /** The TorchScript source of the converter ({@code torch.jit.save}'s layout of a module with one method). */
  static final String SOURCE = "class BFloat16(Module):\n"
      + "  __parameters__ = []\n"
      + "  __buffers__ = []\n"
      + "  training : bool\n"
      + "  def forward(self: __torch__.BFloat16,\n"
      + "    x: Tensor) -> Tensor:\n"
      + "    return torch.to(x, 15)\n";

  private static final class Holder {
    static final NDManager MANAGER = NDManager.newBaseManager();
    static final PtSymbolBlock CONVERTER = load();

    private static PtSymbolBlock load() {
      try {
        return JniUtils.loadModule((PtNDManager) MANAGER, new ByteArrayInputStream(archive()), false, false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * {@code x} (float32, unnamed: DJL reads a dotted name as a dictionary key) rounded to bfloat16, a new array in
   * {@code x}'s manager. Differentiable (libtorch's {@code to} in the graph) when gradients are recorded.
   */
  public static NDArray of(NDArray x) {
    if (x.getName() != null && x.getName().contains(".")) {
      throw new IllegalArgumentException("array '" + x.getName() + "': convert it before naming it");
    }
    NDList out = IValueUtils.forward(Holder.CONVERTER, new NDList(x), true);
    return out.singletonOrThrow();
  }

  /** Whether {@code x} is bfloat16 (DJL's {@link DataType#UNKNOWN}: nothing else in cliptune has that type). */
  public static boolean is(NDArray x) {
    return x.getDataType() == DataType.UNKNOWN;
  }

  /** A float32 copy of a bfloat16 array (exact: every bfloat16 value is a float32). */
  public static NDArray toFloat32(NDArray x) {
    return x.toType(DataType.FLOAT32, true);
  }

  /**
   * Softmax over {@code axis} computed and returned in float32, from a bfloat16 or float32 input (DJL's own
   * {@code softmax} passes the input's type to the JNI, which aborts for bfloat16).
   */
  public static NDArray softmax(NDArray x, int axis) {
    return JniUtils.softmax((ai.djl.pytorch.engine.PtNDArray) x, axis, DataType.FLOAT32);
  }

  /** The converter as a TorchScript archive: code, module pickle (class + {@code training}), no constants. */
  static byte[] archive() {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    // protocol 2: GLOBAL __torch__ BFloat16, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, 'training': True, SETITEM, BUILD, STOP
    data.writeBytes(new byte[] {(byte) 0x80, 2, 'c'});
    data.writeBytes("__torch__\nBFloat16\n".getBytes(StandardCharsets.US_ASCII));
    data.writeBytes(new byte[] {')', (byte) 0x81, '}', 'X', 8, 0, 0, 0});
    data.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
    data.writeBytes(new byte[] {(byte) 0x88, 's', 'b', '.'});
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(zip)) {
      stored(z, "bfloat16/version", "3\n".getBytes(StandardCharsets.US_ASCII));
      stored(z, "bfloat16/code/__torch__.py", SOURCE.getBytes(StandardCharsets.US_ASCII));
      stored(z, "bfloat16/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
      stored(z, "bfloat16/data.pkl", data.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return zip.toByteArray();
  }

  private static void stored(ZipOutputStream z, String name, byte[] bytes) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(bytes.length);
    e.setCompressedSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    e.setCrc(crc.getValue());
    z.putNextEntry(e);
    z.write(bytes);
    z.closeEntry();
  }
}
