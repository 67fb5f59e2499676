package dev.cliptune.hub;

import java.util.Optional;

/**
 * A hub model as {@code --model} names it: {@code hf-hub:ORG/NAME[@REVISION]} (open_clip's prefix), or a bare
 * {@code ORG/NAME[@REVISION]}. The revision is a branch, tag, full commit or {@code refs/pr/N}; none means
 * {@code main}.
 */
public record HubSpec(String repoId, String revision) {
  public static final String PREFIX = "hf-hub:";

  /** The spec {@code text} names, if it has the form (the repository id is validated; a bad one throws). */
  public static Optional<HubSpec> parse(String text) {
    String s = text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text;
    boolean prefixed = s.length() != text.length();
    int at = s.indexOf('@');
    String repo = at < 0 ? s : s.substring(0, at);
    String rev = at < 0 ? null : s.substring(at + 1);
    if (!prefixed && (!repo.contains("/") || repo.indexOf('/') != repo.lastIndexOf('/'))) {
      return Optional.empty();
    }
    HubCache.validateRepoId(repo);
    if (rev != null) {
      HubCache.validateRevision(rev);
    }
    return Optional.of(new HubSpec(repo, rev));
  }

  /** The revision, {@code main} when none was given. */
  public String revisionOrMain() {
    return revision == null ? "main" : revision;
  }

  @Override
  public String toString() {
    return PREFIX + repoId + (revision == null ? "" : "@" + revision);
  }
}
