package dev.cliptune.io;

import java.util.Arrays;

/** One entry of a safetensors header: name, dtype, shape and the byte range of its data. */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

  public long numel() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }

  public int[] intShape() {
    int[] s = new int[shape.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = Math.toIntExact(shape[i]);
    }
    return s;
  }
}
