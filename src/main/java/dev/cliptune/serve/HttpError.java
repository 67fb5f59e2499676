package dev.cliptune.serve;

/** A request the service refuses: the HTTP status and a message naming the problem. */
final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;

  HttpError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
