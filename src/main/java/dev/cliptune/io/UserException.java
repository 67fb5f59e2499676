package dev.cliptune.io;

/**
 * Base type of every user error: a file, folder, option or value the user gave is not what cliptune expects.
 * The message is complete on its own (it names the file, tensor, field or option, what was expected and what
 * was found), so {@code bin/cliptune} prints it as one line and exits with code 2; any other exception is a
 * bug and exits with 1.
 *
 * <p>It lives in {@code io}, the lowest package, so that every package may throw it (or a subclass) without a
 * dependency against the one-way order io ← clip ← prompt ← train ← protocol ← cli. It extends
 * {@link IllegalArgumentException}: library callers that passed the bad input see the usual type.
 */
public class UserException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public UserException(String message) {
    super(message);
  }

  public UserException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether what the user gave is at fault (exit 2), rather than something outside it that may work another time —
   * a network that failed, a server's answer that cannot be used — which is still told in one line but exits 1.
   * A user error that wraps another (adding the option or file it came from) answers as the one it wraps.
   */
  public boolean isInputError() {
    return !(getCause() instanceof UserException u) || u.isInputError();
  }
}
