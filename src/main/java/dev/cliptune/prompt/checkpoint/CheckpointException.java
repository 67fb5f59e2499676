package dev.cliptune.prompt.checkpoint;

import dev.cliptune.io.UserException;

/**
 * A prompt checkpoint cannot be read or does not fit what it is loaded into (another backbone, method or class
 * list, a missing or misshapen tensor, corrupted data). The message names the file, what was expected and what
 * was found.
 */
public class CheckpointException extends UserException {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
