package dev.cliptune.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The hub cache on disk, laid out as {@code huggingface_hub} lays it out ({@code file_download.py}), so that either
 * side uses what the other downloaded:
 * <pre>
 * CACHE/models--ORG--NAME/refs/REVISION           the 40-hex commit, no newline ({@code refs/pr/10} → refs/refs/pr/10)
 * CACHE/models--ORG--NAME/blobs/ETAG              the content (ETAG = sha256 for LFS files, the git sha1 otherwise)
 * CACHE/models--ORG--NAME/snapshots/COMMIT/FILE   a relative symlink ../../blobs/ETAG
 * </pre>
 */
public final class HubCache {
  static final Pattern COMMIT = Pattern.compile("^[0-9a-f]{40}$");
  static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
  private static final Pattern REPO_ID = Pattern.compile("^([\\w.-]+/)?[\\w.-]{1,96}$");
  private static final Pattern ETAG = Pattern.compile("^[A-Za-z0-9._-]{1,200}$");
  private static final String PREFIX = "models--";
  private static final String CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n"
      + "# This file is a cache directory tag created by huggingface_hub.\n"
      + "# For information about cache directory tags, see:\n"
      + "#\thttps://bford.info/cachedir/\n";

  private final Path root;

  public HubCache(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /** {@code models--ORG--NAME}, huggingface_hub's {@code repo_folder_name}. */
  public Path repoDir(String repoId) {
    validateRepoId(repoId);
    return root.resolve(PREFIX + String.join("--", repoId.split("/")));
  }

  public Path snapshotDir(String repoId, String commit) {
    return repoDir(repoId).resolve("snapshots").resolve(commit);
  }

  /** The commit {@code refs/REVISION} names, if the cache has that ref. */
  public Optional<String> readRef(String repoId, String revision) {
    Path ref = refPath(repoId, revision);
    try {
      if (!Files.isRegularFile(ref)) {
        return Optional.empty();
      }
      String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
      return COMMIT.matcher(commit).matches() ? Optional.of(commit) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + ref, e);
    }
  }

  /** Records that {@code revision} is {@code commit} (atomically; only when it is not the commit itself). */
  void writeRef(String repoId, String revision, String commit) throws IOException {
    if (revision.equals(commit)) {
      return;
    }
    Path ref = refPath(repoId, revision);
    if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).equals(commit)) {
      return;
    }
    writeAtomically(ref, commit);
  }

  /**
   * Temporary file + rename, like huggingface_hub's refs ({@code NAME.XXXXXXXX.tmp}); unlike
   * {@code AtomicFiles}, the file gets the default permissions (umask), so a cache shared between users stays
   * readable as Python's is.
   */
  private static void writeAtomically(Path target, String text) throws IOException {
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path tmp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      replace(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private Path refPath(String repoId, String revision) {
    validateRevision(revision);
    Path refs = repoDir(repoId).resolve("refs");
    return refs.resolve(revision);
  }

  /** The file's place in a snapshot, refusing names that would leave it. */
  Path pointer(String repoId, String commit, String filename) {
    validateFilename(filename);
    return snapshotDir(repoId, commit).resolve(filename);
  }

  Path blob(String repoId, String etag) {
    if (!ETAG.matcher(etag).matches() || etag.equals(".") || etag.equals("..")) {
      throw new HubException(HubException.Kind.PROTOCOL, "the hub sent an etag that is not a safe file name: '"
          + etag + "' (" + repoId + ")");
    }
    return repoDir(repoId).resolve("blobs").resolve(etag);
  }

  void writeCacheDirTag() {
    Path tag = root.resolve("CACHEDIR.TAG");
    if (!Files.exists(tag)) {
      try {
        writeAtomically(tag, CACHEDIR_TAG);
      } catch (IOException ignored) {
        // as huggingface_hub: the tag is a courtesy to backup tools
      }
    }
  }

  /**
   * Points {@code pointer} at {@code blob} with a relative symlink (atomically: a new link renamed over the old
   * one). Where symlinks are off or impossible, a new blob is moved there and an existing one copied, as
   * huggingface_hub does.
   */
  void link(Path pointer, Path blob, boolean newBlob, boolean disableSymlinks) throws IOException {
    Files.createDirectories(pointer.getParent());
    if (!disableSymlinks) {
      Path target = pointer.toAbsolutePath().getParent().relativize(blob.toAbsolutePath());
      Path tmp = pointer.resolveSibling("." + pointer.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8)
          + ".link");
      try {
        Files.createSymbolicLink(tmp, target);
        replace(tmp, pointer);
        return;
      } catch (UnsupportedOperationException | IOException e) {
        Files.deleteIfExists(tmp);
        // fall through: no symlinks on this file system
      }
    }
    if (newBlob) {
      Files.move(blob, pointer, StandardCopyOption.REPLACE_EXISTING);
    } else {
      Path tmp = pointer.resolveSibling(pointer.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8)
          + ".tmp");
      try {
        Files.copy(blob, tmp);
        replace(tmp, pointer);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Renames {@code tmp} over {@code target}, atomically where the file system can. */
  static void replace(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Everything cached, for {@code cliptune models}. */
  public List<CachedRepo> scan() throws IOException {
    List<CachedRepo> repos = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return repos;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, PREFIX + "*")) {
      for (Path dir : dirs) {
        if (Files.isDirectory(dir)) {
          repos.add(scanRepo(dir));
        }
      }
    }
    repos.sort((a, b) -> a.repoId().compareTo(b.repoId()));
    return repos;
  }

  private static CachedRepo scanRepo(Path dir) throws IOException {
    String repoId = dir.getFileName().toString().substring(PREFIX.length()).replace("--", "/");
    Map<String, String> refs = new TreeMap<>();
    Path refsDir = dir.resolve("refs");
    if (Files.isDirectory(refsDir)) {
      try (Stream<Path> files = Files.walk(refsDir)) {
        for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
          String name = refsDir.relativize(f).toString().replace('\\', '/');
          if (!name.endsWith(".tmp") && !name.startsWith(".")) {
            refs.put(name, Files.readString(f, StandardCharsets.UTF_8).strip());
          }
        }
      }
    }
    List<CachedRepo.Snapshot> snapshots = new ArrayList<>();
    Path snapsDir = dir.resolve("snapshots");
    if (Files.isDirectory(snapsDir)) {
      try (DirectoryStream<Path> snaps = Files.newDirectoryStream(snapsDir)) {
        for (Path snap : snaps) {
          if (!Files.isDirectory(snap)) {
            continue;
          }
          Map<String, Long> files = new TreeMap<>();
          try (Stream<Path> walk = Files.walk(snap)) {
            for (Path f : (Iterable<Path>) walk::iterator) {
              if (!f.equals(snap) && !Files.isDirectory(f)) {
                // a dangling link (blob deleted) is listed with size -1
                files.put(snap.relativize(f).toString().replace('\\', '/'), Files.exists(f) ? Files.size(f) : -1L);
              }
            }
          }
          String commit = snap.getFileName().toString();
          List<String> names = refs.entrySet().stream().filter(e -> e.getValue().equals(commit))
              .map(Map.Entry::getKey).toList();
          snapshots.add(new CachedRepo.Snapshot(commit, names, files));
        }
      }
    }
    snapshots.sort((a, b) -> a.commit().compareTo(b.commit()));
    long blobBytes = 0;
    Path blobs = dir.resolve("blobs");
    if (Files.isDirectory(blobs)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(blobs)) {
        for (Path f : files) {
          if (Files.isRegularFile(f) && !f.getFileName().toString().endsWith(".incomplete")) {
            blobBytes += Files.size(f);
          }
        }
      }
    }
    return new CachedRepo(repoId, dir, refs, snapshots, blobBytes);
  }

  /** huggingface_hub's {@code validate_repo_id}: ORG/NAME or NAME, [A-Za-z0-9_.-], no "--" or "..". */
  public static void validateRepoId(String repoId) {
    if (repoId == null || !REPO_ID.matcher(repoId).matches() || repoId.contains("--") || repoId.contains("..")
        || repoId.endsWith(".git") || startsOrEndsWithPunctuation(repoId)) {
      throw new HubException(HubException.Kind.INVALID, "'" + repoId + "' is not a hub repository id: expected"
          + " ORG/NAME (letters, digits, '-', '_', '.'; no '--' or '..'; at most 96 characters per name)");
    }
  }

  private static boolean startsOrEndsWithPunctuation(String repoId) {
    for (String part : repoId.split("/")) {
      if (part.isEmpty() || !Character.isLetterOrDigit(part.charAt(0)) && part.charAt(0) != '_'
          || !Character.isLetterOrDigit(part.charAt(part.length() - 1)) && part.charAt(part.length() - 1) != '_') {
        return true;
      }
    }
    return false;
  }

  /** A branch, tag, commit or {@code refs/pr/N}: path segments that stay inside {@code refs/}. */
  public static void validateRevision(String revision) {
    if (revision == null || revision.isEmpty() || revision.startsWith("/") || revision.endsWith("/")
        || revision.contains("\\") || revision.contains("\0") || revision.length() > 255
        || Stream.of(revision.split("/")).anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."))) {
      throw new HubException(HubException.Kind.INVALID, "'" + revision + "' is not a revision: expected a branch,"
          + " tag, 40-hex commit or refs/pr/N");
    }
  }

  static void validateFilename(String filename) {
    if (filename == null || filename.isEmpty() || filename.startsWith("/") || filename.contains("\\")
        || filename.contains("\0") || Stream.of(filename.split("/")).anyMatch(s -> s.isEmpty() || s.equals(".")
            || s.equals(".."))) {
      throw new HubException(HubException.Kind.PROTOCOL, "'" + filename + "' is not a safe repository file name");
    }
  }
}
