package dev.cliptune.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays from Java data, copied into memory libtorch allocated. DJL's {@code manager.create(float[])} wraps a
 * Java direct buffer: its alignment changes from run to run, and the CPU BLAS picks kernels (and so summation
 * orders) by alignment, which made repeated runs differ in the last bits. A libtorch copy is 64-byte aligned,
 * which keeps training bit-reproducible (and is never freed behind the autograd graph's back).
 */
public final class Tensors {
  private Tensors() {}

  public static NDArray owned(NDManager manager, float[] data, Shape shape) {
    try (NDArray wrapped = manager.create(data, shape)) {
      return wrapped.duplicate();
    }
  }

  public static NDArray owned(NDManager manager, long[] data, Shape shape) {
    try (NDArray wrapped = manager.create(data, shape)) {
      return wrapped.duplicate();
    }
  }
}
