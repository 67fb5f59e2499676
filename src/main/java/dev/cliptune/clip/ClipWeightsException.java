package dev.cliptune.clip;

import dev.cliptune.io.UserException;

/**
 * A CLIP checkpoint cannot be loaded or a weight set is inconsistent. The message names the file (and
 * the tensor or configuration field) and says what was expected and what was found.
 */
public class ClipWeightsException extends UserException {
  public ClipWeightsException(String message) {
    super(message);
  }

  public ClipWeightsException(String message, Throwable cause) {
    super(message, cause);
  }
}
