package dev.cliptune.hub;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One repository in the hub cache: its refs (revision → commit), snapshots (files and their sizes) and the
 * bytes its blobs take.
 */
public record CachedRepo(String repoId, Path dir, Map<String, String> refs, List<Snapshot> snapshots,
    long blobBytes) {

  /** One {@code snapshots/COMMIT} folder, with the refs that name it. */
  public record Snapshot(String commit, List<String> refs, Map<String, Long> files) {
    public long bytes() {
      return files.values().stream().mapToLong(v -> Math.max(v, 0)).sum();
    }
  }
}
