package dev.cliptune.clip;

import ai.djl.ndarray.NDArray;

/**
 * Receives intermediate activations by name ({@code vision/block0}, {@code text/after_ln_final}, ...)
 * so that parity checks can locate where an implementation diverges. Implementations must copy what they
 * keep: the arrays are closed when the forward pass ends.
 */
@FunctionalInterface
public interface Probe {
  Probe NONE = (name, value) -> {};

  void record(String name, NDArray value);
}
