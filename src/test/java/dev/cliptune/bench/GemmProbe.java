package dev.cliptune.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Child-process entry of {@link MklShimTest}: one fp32 product of fixed 384 x 384 matrices through libtorch, then
 * the GEMM path this process reports and the sum of the product, on one line ({@code <path id> <sum>}).
 */
public final class GemmProbe {
  private GemmProbe() {}

  public static void main(String[] args) {
    int n = 384;
    float[] a = new float[n * n];
    float[] b = new float[n * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) Math.sin(0.37 * i);
      b[i] = (float) Math.cos(0.11 * i);
    }
    double sum;
    try (NDManager m = NDManager.newBaseManager();
        NDArray x = m.create(a, new Shape(n, n));
        NDArray y = m.create(b, new Shape(n, n));
        NDArray c = x.matMul(y)) {
      sum = 0;
      for (float v : c.toFloatArray()) {
        sum += Math.abs(v);
      }
    }
    System.out.println(GemmPath.detect().id() + " " + sum);
  }
}
