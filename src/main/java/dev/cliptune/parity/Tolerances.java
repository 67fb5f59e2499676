package dev.cliptune.parity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * The tolerances a manifest gives ({@code tolerances: [{tensor, atol, ...}]}). Tensors without an entry
 * (intermediate {@code debug/*} activations) get a derived tolerance: 1e-4 of the tensor's largest absolute
 * value (at least 1e-5), rounded up to a power of ten — the scale of the manifest's own atol values relative
 * to their tensors; such lines say "derived". Outputs of the official float16 casts
 * ({@code official_fp16_roundtrip/*}) without an entry also allow two float16 steps at the tensor's scale: the
 * casts round values and gradients to float16, so an fp32 difference of one float32 ulp can flip a rounding, and
 * a MaPLe text prompt receives rounded gradients through two casts (its own insertion and its projection).
 */
class Tolerances {
  private final Map<String, Double> atol = new HashMap<>();

  Tolerances(JsonNode list) {
    if (list != null && list.isArray()) {
      for (JsonNode t : list) {
        atol.put(t.path("tensor").asText(), t.path("atol").asDouble());
      }
    }
  }

  boolean has(String tensor) {
    return atol.containsKey(tensor);
  }

  double get(String tensor, double maxAbsValueOfReference) {
    Double a = atol.get(tensor);
    if (a != null) {
      return a;
    }
    double d = derived(maxAbsValueOfReference);
    return tensor.startsWith("official_fp16_roundtrip/") ? Math.max(d, 2 * float16Step(maxAbsValueOfReference)) : d;
  }

  /** The spacing of float16 values at magnitude {@code x} (2^(e-10) for x in [2^e, 2^(e+1))). */
  static double float16Step(double x) {
    if (x <= 0) {
      return 0;
    }
    int e = Math.max(-14, (int) Math.floor(Math.log(x) / Math.log(2)));
    return Math.scalb(1.0, e - 10);
  }

  static double derived(double maxAbs) {
    double t = Math.max(1e-5, 1e-4 * maxAbs);
    return Math.pow(10, Math.ceil(Math.log10(t) - 1e-9));
  }
}
