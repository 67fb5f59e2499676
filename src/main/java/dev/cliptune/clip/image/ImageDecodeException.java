package dev.cliptune.clip.image;

import dev.cliptune.io.UserException;

/**
 * An image could not be decoded: the file is empty, truncated, corrupt, or in a format that no
 * installed ImageIO reader understands. The message names the file and says what was wrong.
 */
public class ImageDecodeException extends UserException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a complete message (which should name the file). */
  public ImageDecodeException(String message) {
    super(message);
  }

  /** Creates the exception with a complete message and the underlying cause. */
  public ImageDecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
