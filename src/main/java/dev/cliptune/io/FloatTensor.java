package dev.cliptune.io;

import java.util.Arrays;

/** A named float32 tensor on the Java heap, row-major. */
public record FloatTensor(String name, long[] shape, float[] data) {
  public FloatTensor {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
          + " has " + n + " elements but " + data.length + " values were given");
    }
  }

  public int[] intShape() {
    return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }
}
