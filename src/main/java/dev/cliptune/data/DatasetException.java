package dev.cliptune.data;

import dev.cliptune.io.UserException;

/**
 * A dataset could not be loaded: a folder or file of the expected layout is missing, a split file or
 * few-shot cache is malformed, or images it lists do not exist. The message names the file or folder, says
 * what it should contain and, for the official datasets, where to get it.
 */
public class DatasetException extends UserException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a complete message. */
  public DatasetException(String message) {
    super(message);
  }

  /** Creates the exception with a complete message and the underlying cause. */
  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
