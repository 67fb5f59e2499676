package dev.cliptune.cli.commands;

import dev.cliptune.io.UserException;

/** Options that cannot go together, or values no command accepts: a user error (exit code 2). */
public final class UsageException extends UserException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }

  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
