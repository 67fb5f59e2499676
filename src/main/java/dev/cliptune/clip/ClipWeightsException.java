package dev.cliptune.clip;

import dev.cliptune.io.UserException;

/**
 * A CLIP checkpoint cannot be loaded or a weight set is inconsistent. The message names the file (and
 * the tensor or configuration field) and says what was expected and what was found.
 */
public class ClipWeightsException extends UserException {
  /** The refusal code of a file that holds no CLIP weights (as the checkpoint fixtures name it). */
  public static final String NOT_CLIP = "not-clip";

  private final String code;

  public ClipWeightsException(String message) {
    this(null, message);
  }

  /** With a refusal code such as {@link #NOT_CLIP}. */
  public ClipWeightsException(String code, String message) {
    super(message);
    this.code = code;
  }

  /** The refusal code, or null. */
  public String code() {
    return code;
  }

  public ClipWeightsException(String message, Throwable cause) {
    super(message, cause);
    this.code = null;
  }
}
