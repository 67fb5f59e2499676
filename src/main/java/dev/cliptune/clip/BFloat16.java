package dev.cliptune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.cliptune.io.torch.StoredZip;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
 * <p>The missing pieces are made by libtorch itself through two TorchScript modules written by this class (constant
 * one-line sources, never read from a file), loaded once from memory with DJL's module loader and run outside
 * inference mode, so their outputs are ordinary tensors that may meet autograd: {@link #of} is
 * {@code torch.to(x, 15)} (15 = {@code torch.bfloat16}, round to nearest even) and {@link #softmax} is
 * {@code torch.softmax(x, -1)} (bfloat16 in and out, accumulated in float32 by libtorch's CPU kernel).
 *
 * <p>DJL reports a bfloat16 array's type as {@link DataType#UNKNOWN} (the JNI's {@code GetDTypeFromScalarType}
 * maps every unlisted type to 9); {@link #is} relies on that, so never pass such an array to a DJL call that sends
 * its own type back to the JNI ({@code softmax} and {@code logSoftmax}, {@code zerosLike}, {@code toDevice},
 * {@code set(Buffer)}, a manager's {@code create}/{@code zeros} with that type) — use {@link #softmax}.
 */
public final class BFloat16 {
  private BFloat16() {}

  /** The body of {@link #of}'s module: rounds to bfloat16 (ScalarType 15). */
  static final String CAST = "torch.to(x, 15)";
  /** The body of {@link #softmax}'s module: over the last axis, in the input's type. */
  static final String SOFTMAX = "torch.softmax(x, -1)";

  private static final class Holder {
    static final NDManager MANAGER = NDManager.newBaseManager();
    static final PtSymbolBlock CAST_MODULE = load("BFloat16", CAST);
    static final PtSymbolBlock SOFTMAX_MODULE = load("Softmax", SOFTMAX);

    private static PtSymbolBlock load(String name, String body) {
      try {
        return JniUtils.loadModule((PtNDManager) MANAGER, new ByteArrayInputStream(archive(name, body)), false,
            false);
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
    return run(Holder.CAST_MODULE, x);
  }

  /**
   * Softmax over the last axis of a bfloat16 array, as a bfloat16 array in {@code x}'s manager (DJL's own
   * {@code softmax} passes the input's type to the JNI, which aborts for bfloat16).
   */
  public static NDArray softmax(NDArray x) {
    return run(Holder.SOFTMAX_MODULE, x);
  }

  private static NDArray run(PtSymbolBlock module, NDArray x) {
    if (x.getName() != null && x.getName().contains(".")) {
      throw new IllegalArgumentException("array '" + x.getName() + "': convert it before naming it");
    }
    return IValueUtils.forward(module, new NDList(x), true).singletonOrThrow();
  }

  /** Whether {@code x} is bfloat16 (DJL's {@link DataType#UNKNOWN}: nothing else in cliptune has that type). */
  public static boolean is(NDArray x) {
    return x.getDataType() == DataType.UNKNOWN;
  }

  /** A float32 copy of a bfloat16 array (exact: every bfloat16 value is a float32). */
  public static NDArray toFloat32(NDArray x) {
    return x.toType(DataType.FLOAT32, true);
  }

  /** TorchScript source of a module {@code name} whose {@code forward(x)} returns {@code body}. */
  static String source(String name, String body) {
    return "class " + name + "(Module):\n"
        + "  __parameters__ = []\n"
        + "  __buffers__ = []\n"
        + "  training : bool\n"
        + "  def forward(self: __torch__." + name + ",\n"
        + "    x: Tensor) -> Tensor:\n"
        + "    return " + body + "\n";
  }

  /**
   * That module as a TorchScript archive ({@code torch.jit.save}'s layout): its code, the module object's pickle
   * (the class and {@code training}), no constants.
   */
  static byte[] archive(String name, String body) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    // protocol 2: GLOBAL __torch__ <name>, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT, 'training': True, SETITEM, BUILD, STOP
    data.writeBytes(new byte[] {(byte) 0x80, 2, 'c'});
    data.writeBytes(("__torch__\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    data.writeBytes(new byte[] {')', (byte) 0x81, '}', 'X', 8, 0, 0, 0});
    data.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
    data.writeBytes(new byte[] {(byte) 0x88, 's', 'b', '.'});
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    String dir = name.toLowerCase(java.util.Locale.ROOT) + "/";
    try (ZipOutputStream z = new ZipOutputStream(zip)) {
      StoredZip.put(z, dir + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
      StoredZip.put(z, dir + "code/__torch__.py", source(name, body).getBytes(StandardCharsets.US_ASCII));
      StoredZip.put(z, dir + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
      StoredZip.put(z, dir + "data.pkl", data.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return zip.toByteArray();
  }
}
