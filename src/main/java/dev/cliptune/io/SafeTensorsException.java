package dev.cliptune.io;

/** A safetensors file or a tensor in it is not what was expected; the message names file and tensor. */
public class SafeTensorsException extends UserException {
  public SafeTensorsException(String message) {
    super(message);
  }

  public SafeTensorsException(String message, Throwable cause) {
    super(message, cause);
  }
}
