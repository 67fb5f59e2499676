package dev.cliptune.io.torch;

import dev.cliptune.io.UserException;

/**
 * A PyTorch file that cliptune refuses to read. {@link #code()} is the reason as the checkpoint fixtures'
 * {@code refusal_codes} name it ({@code disallowed-global}, {@code truncated-zip}, ...); the message names
 * the file, the record and, for pickle problems, the opcode or GLOBAL and its offset.
 */
public final class TorchFileException extends UserException {
  private final String code;

  public TorchFileException(String code, String message) {
    super(message);
    this.code = code;
  }

  public TorchFileException(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The refusal code, e.g. {@code disallowed-opcode}. */
  public String code() {
    return code;
  }
}
