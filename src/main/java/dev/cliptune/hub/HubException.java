package dev.cliptune.hub;

/**
 * A download or cache look-up that failed, with the reason as a {@link Kind} (the distinctions
 * {@code huggingface_hub} makes: gated repository, repository / revision / file not found, not cached while
 * offline, network, integrity) and a message naming the repository, revision, file or URL.
 */
public final class HubException extends dev.cliptune.io.UserException {
  private static final long serialVersionUID = 1L;

  /** Why it failed. */
  public enum Kind {
    /** 401/403 on a gated repository (X-Error-Code GatedRepo): the user must accept its terms and send a token. */
    GATED,
    /** 401 with a token the hub refused, or 403 without a gated code. */
    UNAUTHORIZED,
    /** 404 RepoNotFound (or 401 on a repository URL, which the hub returns for private and missing repositories). */
    REPO_NOT_FOUND,
    /** 404 RevisionNotFound: the branch, tag, commit or {@code refs/pr/N} does not exist. */
    REVISION_NOT_FOUND,
    /** 404 EntryNotFound: the file does not exist at that revision. */
    ENTRY_NOT_FOUND,
    /** Offline (HF_HUB_OFFLINE, or the hub unreachable) and the revision is not in the cache. */
    NOT_CACHED,
    /** Connection refused, timeout, dropped connection after every retry, 5xx. */
    NETWORK,
    /** Downloaded bytes whose size or hash differ from what the hub or the URL declared. */
    INTEGRITY,
    /** An answer the client cannot use: missing commit / etag / size headers, malformed JSON, unsafe names. */
    PROTOCOL,
    /** A repository id, revision or file name that is not valid. */
    INVALID
  }

  private final Kind kind;

  public HubException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public HubException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /**
   * A network failure, a download whose bytes do not match what was declared, or an answer the client cannot use
   * is not the user's input at fault: {@code bin/cliptune} exits 1 for those, and for a revision not cached because
   * the hub could not be reached; 2 for gated, unauthorised, not found, invalid names and not cached while
   * {@code HF_HUB_OFFLINE} is set.
   */
  @Override
  public boolean isInputError() {
    return switch (kind) {
      case NETWORK, INTEGRITY, PROTOCOL -> false;
      case NOT_CACHED -> super.isInputError(); // as the failure that kept the hub from being asked, if any
      default -> true;
    };
  }

  /**
   * Whether {@code huggingface_hub} would fall back to the cache after this error (network errors, 5xx, 401,
   * 403, repository not found) rather than raise it at once (revision or file not found, integrity).
   */
  boolean cacheMayAnswer() {
    return kind == Kind.NETWORK || kind == Kind.GATED || kind == Kind.UNAUTHORIZED || kind == Kind.REPO_NOT_FOUND
        || kind == Kind.PROTOCOL;
  }
}
