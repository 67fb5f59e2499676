package dev.cliptune.parity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * The tolerances a manifest gives ({@code tolerances: [{tensor, atol, ...}]}). Tensors without an entry
 * (intermediate {@code debug/*} activations) get a derived tolerance: 1e-4 of the tensor's largest absolute
 * value (at least 1e-5), rounded up to a power of ten — the scale of the manifest's own atol values relative
 * to their tensors; such lines say "derived".
 */
final class Tolerances {
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
    return a != null ? a : derived(maxAbsValueOfReference);
  }

  static double derived(double maxAbs) {
    double t = Math.max(1e-5, 1e-4 * maxAbs);
    return Math.pow(10, Math.ceil(Math.log10(t) - 1e-9));
  }
}
