package dev.cliptune.io;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * A file of named tensors, read without executing anything from it: a safetensors file ({@link SafeTensors})
 * or a PyTorch file ({@link dev.cliptune.io.torch.TorchFile}). Values are converted on the way out: floating
 * tensors to float32 (F16/BF16 exactly), integer tensors to longs.
 */
public interface TensorFile extends AutoCloseable {
  Path path();

  /** Tensor names, dtypes and shapes in file order. */
  Collection<TensorInfo> tensors();

  boolean has(String name);

  /** The entry of {@code name}; an error naming the file when it is missing. */
  TensorInfo info(String name);

  /** A floating-point tensor as float32, row-major. */
  float[] floats(String name);

  /** An integer or bool tensor as longs, row-major. */
  long[] longs(String name);

  /** String metadata (safetensors {@code __metadata__}); empty when the format has none. */
  Map<String, String> metadata();

  /** A short description of the format, e.g. {@code "safetensors"} or {@code "torch.save zip"}. */
  String formatName();

  @Override
  void close();
}
