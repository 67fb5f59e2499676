package dev.cliptune.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Downloads CLIP models from the HuggingFace hub into the cache {@code huggingface_hub} uses, and finds them there
 * offline. The protocol is {@code huggingface_hub}'s ({@code file_download.py}, {@code _snapshot_download.py}):
 * <ol>
 * <li>a full 40-hex commit whose snapshot already holds a whole model is returned without any network call;</li>
 * <li>offline ({@code HF_HUB_OFFLINE}), or when the hub cannot answer (network error, 5xx, 401/403, repository not
 * found), the revision is looked up in the cache: the commit itself, or {@code refs/REVISION};</li>
 * <li>otherwise {@code GET /api/models/ORG/NAME/revision/REV?blobs=true} gives the commit and the file list (with
 * sizes, git blob ids and LFS sha256), {@code refs/REV} is written, and the files of a CLIP model are chosen
 * ({@link ClipFiles});</li>
 * <li>per file, {@code HEAD /ORG/NAME/resolve/COMMIT/FILE} gives the etag, size and download location (relative
 * redirects followed, a redirect to another host taken as the location and reached without the token); the
 * content goes to {@code blobs/ETAG} through a process-unique {@code .incomplete} file, checked (size; sha256 for
 * LFS files, whose etag is their sha256; the git blob id for others) and renamed atomically; then
 * {@code snapshots/COMMIT/FILE} becomes a relative symlink to the blob.</li>
 * </ol>
 */
public final class HubClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HubConfig cfg;
  private final HubCache cache;
  private final Transfer transfer;

  public HubClient(HubConfig cfg) {
    this.cfg = cfg;
    this.cache = new HubCache(cfg.cacheDir());
    this.transfer = new Transfer(cfg);
  }

  /** A client configured from this process's environment (HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN, ...). */
  public static HubClient fromEnvironment() {
    return new HubClient(HubConfig.fromEnvironment());
  }

  public HubConfig config() {
    return cfg;
  }

  public HubCache cache() {
    return cache;
  }

  /** A repository file as the revision API describes it ({@code size}, {@code blobId}, {@code lfs.sha256}). */
  record Sibling(String name, long size, String blobId, String lfsSha256) {}

  /** The revision API's answer: the commit and the files. */
  record RevisionInfo(String sha, Map<String, Sibling> siblings) {}

  /** The HEAD answer for one file. */
  record FileMetadata(String commit, String etag, URI location, long size) {}

  /**
   * The local snapshot folder of {@code repoId} at {@code revision} (branch, tag, full commit or
   * {@code refs/pr/N}; null means {@code main}) holding the files of a CLIP model, downloading what is missing.
   */
  public Path snapshot(String repoId, String revision) {
    String rev = revision == null || revision.isEmpty() ? "main" : revision;
    HubCache.validateRepoId(repoId);
    HubCache.validateRevision(rev);
    if (isCommit(rev) && ClipFiles.complete(cache.snapshotDir(repoId, rev))) {
      return cache.snapshotDir(repoId, rev);
    }
    if (cfg.offline()) {
      return fromCache(repoId, rev, null);
    }
    RevisionInfo info;
    try {
      info = revisionInfo(repoId, rev);
    } catch (HubException e) {
      if (!e.cacheMayAnswer()) {
        throw e;
      }
      Optional<Path> cached = cachedSnapshot(repoId, rev);
      if (cached.isPresent()) {
        return cached.get();
      }
      if (e.kind() != HubException.Kind.NETWORK || refused(e)) {
        throw notCached(repoId, rev, "a CLIP model", e);
      }
      try {
        info = retrying(() -> revisionInfo(repoId, rev), e); // not cached: now worth waiting for the hub
      } catch (HubException again) {
        throw again.kind() == HubException.Kind.NETWORK ? notCached(repoId, rev, "a CLIP model", again) : again;
      }
    }
    try {
      cache.writeRef(repoId, rev, info.sha());
      ClipFiles.Choice choice = ClipFiles.choose(info.siblings().keySet(), repoId + " at revision '" + rev + "'");
      for (String file : choice.files()) {
        fetch(repoId, info.sha(), file, info.siblings().get(file));
      }
      if (choice.index() != null) {
        for (String shard : ClipFiles.shards(cache.pointer(repoId, info.sha(), choice.index()))) {
          Sibling s = info.siblings().get(shard);
          if (s == null) {
            throw new HubException(HubException.Kind.ENTRY_NOT_FOUND, choice.index() + " of " + repoId + " at"
                + " revision '" + rev + "' names the shard '" + shard + "', which the repository does not hold");
          }
          fetch(repoId, info.sha(), shard, s);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing into the hub cache " + cache.root() + ": " + e.getMessage(), e);
    }
    return cache.snapshotDir(repoId, info.sha());
  }

  /**
   * One file, as {@code hf_hub_download} fetches it: the cached copy when the revision is a full commit (or when
   * offline / the hub is unreachable, through {@code refs/}), otherwise HEAD, then a download unless the blob is
   * cached. Returns the path in {@code snapshots/COMMIT/}.
   */
  public Path downloadFile(String repoId, String revision, String filename) {
    String rev = revision == null || revision.isEmpty() ? "main" : revision;
    HubCache.validateRepoId(repoId);
    HubCache.validateRevision(rev);
    HubCache.validateFilename(filename);
    if (isCommit(rev) && Files.exists(cache.pointer(repoId, rev, filename))) {
      return cache.pointer(repoId, rev, filename);
    }
    FileMetadata meta = null;
    HubException error = null;
    if (!cfg.offline()) {
      try {
        meta = metadata(repoId, rev, filename);
      } catch (HubException e) {
        if (!e.cacheMayAnswer()) {
          throw e;
        }
        error = e;
      }
    }
    if (meta == null) {
      String commit = isCommit(rev) ? rev : cache.readRef(repoId, rev).orElse(null);
      if (commit != null && Files.exists(cache.pointer(repoId, commit, filename))) {
        return cache.pointer(repoId, commit, filename);
      }
      throw notCached(repoId, rev, "'" + filename + "'", error);
    }
    try {
      cache.writeRef(repoId, rev, meta.commit());
      return fetch(repoId, meta, filename, null);
    } catch (IOException e) {
      throw new UncheckedIOException("writing into the hub cache " + cache.root() + ": " + e.getMessage(), e);
    }
  }

  private Path fromCache(String repoId, String rev, HubException cause) {
    return cachedSnapshot(repoId, rev).orElseThrow(() -> notCached(repoId, rev, "a CLIP model", cause));
  }

  /** The complete snapshot the cache has for {@code rev} (a commit, or through {@code refs/}). */
  private Optional<Path> cachedSnapshot(String repoId, String rev) {
    String commit = isCommit(rev) ? rev : cache.readRef(repoId, rev).orElse(null);
    return Optional.ofNullable(commit).map(c -> cache.snapshotDir(repoId, c)).filter(ClipFiles::complete);
  }

  /**
   * A connection refused outright (no hub at that address: offline machine, wrong HF_ENDPOINT) is not retried;
   * huggingface_hub retries it too, which costs 23 s for nothing.
   */
  private static boolean refused(HubException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException && !(t instanceof java.net.http.HttpConnectTimeoutException)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Calls {@code call} again after a network error, up to {@code cfg.retries()} times with growing pauses (1, 2,
   * 4, 8, 8 ... times the retry delay), as huggingface_hub retries once the cache could not answer.
   */
  private <T> T retrying(java.util.function.Supplier<T> call, HubException first) {
    HubException last = first;
    for (int i = 0; i < cfg.retries(); i++) {
      try {
        Thread.sleep(cfg.retryDelay().toMillis() << Math.min(i, 3));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw last;
      }
      try {
        return call.get();
      } catch (HubException e) {
        if (e.kind() != HubException.Kind.NETWORK) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  private HubException notCached(String repoId, String rev, String what, HubException cause) {
    if (cause != null && (cause.kind() == HubException.Kind.GATED || cause.kind() == HubException.Kind.REPO_NOT_FOUND
        || cause.kind() == HubException.Kind.UNAUTHORIZED)) {
      return cause; // as huggingface_hub: these are the user's to fix, not a connectivity problem
    }
    String why = cause == null ? "HF_HUB_OFFLINE is set" : "the hub could not be asked (" + cause.getMessage()
        + "); check the network and HF_ENDPOINT";
    return new HubException(HubException.Kind.NOT_CACHED, repoId + " at revision '" + rev + "': " + what
        + " is not in the hub cache " + cache.root() + " and " + why, cause);
  }

  /** {@code GET {endpoint}/api/models/{repo}/revision/{quote(rev, safe='')}?blobs=true}. */
  RevisionInfo revisionInfo(String repoId, String rev) {
    URI url = URI.create(cfg.endpoint() + "/api/models/" + repoId + "/revision/" + quote(rev, false)
        + "?blobs=true");
    Transfer.Small r = transfer.get(url, headers());
    if (r.status() != 200) {
      throw hubError(r.status(), r.headers(), r.url(), repoId, rev, null);
    }
    JsonNode root;
    try {
      root = JSON.readTree(r.body());
    } catch (IOException e) {
      throw new HubException(HubException.Kind.PROTOCOL, url + " did not answer JSON: " + e.getMessage(), e);
    }
    String sha = root.path("sha").asText("");
    if (!isCommit(sha)) {
      throw new HubException(HubException.Kind.PROTOCOL, url + " answered no 40-hex \"sha\" (found '" + sha + "')");
    }
    Map<String, Sibling> siblings = new LinkedHashMap<>();
    for (JsonNode s : root.path("siblings")) {
      String name = s.path("rfilename").asText("");
      if (name.isEmpty()) {
        continue;
      }
      JsonNode lfs = s.path("lfs");
      String lfsSha = lfs.path("sha256").asText(null);
      long size = lfs.has("size") ? lfs.path("size").asLong(-1) : s.path("size").asLong(-1);
      siblings.put(name, new Sibling(name, size, s.path("blobId").asText(null), lfsSha));
    }
    return new RevisionInfo(sha, siblings);
  }

  /** {@code get_hf_file_metadata}: HEAD on the resolve URL. */
  FileMetadata metadata(String repoId, String rev, String filename) {
    URI url = resolveUrl(repoId, rev, filename);
    HttpResponse<Void> r = transfer.head(url, headers());
    int status = r.statusCode();
    boolean redirect = Transfer.isRedirect(status);
    if (status >= 400 || status < 200) {
      HubException e = hubError(status, r.headers(), r.uri(), repoId, rev, filename);
      if (e.kind() == HubException.Kind.ENTRY_NOT_FOUND) {
        recordMissing(repoId, rev, filename, r.headers());
      }
      throw e;
    }
    HttpHeaders h = r.headers();
    String commit = h.firstValue("X-Repo-Commit").orElse(null);
    String etag = normalizeEtag(h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).orElse(null));
    String size = h.firstValue("X-Linked-Size").orElse(redirect ? null : h.firstValue("Content-Length").orElse(null));
    URI location = h.firstValue("Location").map(l -> r.uri().resolve(l)).orElse(r.uri());
    String where = "HEAD " + url + " (" + status + ")";
    if (commit == null || !isCommit(commit)) {
      throw new HubException(HubException.Kind.PROTOCOL, where + ": no 40-hex X-Repo-Commit header (found "
          + commit + "); is HF_ENDPOINT a HuggingFace hub?");
    }
    if (etag == null || etag.isEmpty()) {
      throw new HubException(HubException.Kind.PROTOCOL, where + ": no ETag / X-Linked-Etag header");
    }
    long bytes;
    try {
      bytes = Long.parseLong(size);
    } catch (NumberFormatException | NullPointerException e) {
      throw new HubException(HubException.Kind.PROTOCOL, where + ": no usable X-Linked-Size / Content-Length ("
          + size + ")");
    }
    if (isCommit(rev) && !rev.equals(commit)) {
      throw new HubException(HubException.Kind.PROTOCOL, where + ": X-Repo-Commit " + commit + " differs from the"
          + " requested commit " + rev);
    }
    return new FileMetadata(commit, etag, location, bytes);
  }

  private Path fetch(String repoId, String commit, String filename, Sibling sibling) throws IOException {
    Path pointer = cache.pointer(repoId, commit, filename);
    if (Files.exists(pointer)) {
      return pointer;
    }
    FileMetadata meta;
    try {
      meta = metadata(repoId, commit, filename);
    } catch (HubException e) {
      if (e.kind() != HubException.Kind.NETWORK || refused(e)) {
        throw e;
      }
      meta = retrying(() -> metadata(repoId, commit, filename), e);
    }
    return fetch(repoId, meta, filename, sibling);
  }

  private Path fetch(String repoId, FileMetadata meta, String filename, Sibling sibling) throws IOException {
    Path pointer = cache.pointer(repoId, meta.commit(), filename);
    if (Files.exists(pointer)) {
      return pointer;
    }
    Path blob = cache.blob(repoId, meta.etag());
    cache.writeCacheDirTag();
    if (Files.isRegularFile(blob)) {
      cache.link(pointer, blob, false, cfg.disableSymlinks());
      return pointer;
    }
    Map<String, String> headers = new LinkedHashMap<>(headers());
    Transfer.dropAuthAcrossOrigins(resolveUrl(repoId, meta.commit(), filename), meta.location(), headers);
    String label = repoId + "/" + filename;
    transfer.download(meta.location(), headers, blob, meta.size(),
        (file, sha256) -> verify(file, sha256, label, meta, sibling), label, (status, h, url) -> hubError(status, h, url, repoId, meta.commit(), filename));
    cache.link(pointer, blob, true, cfg.disableSymlinks());
    return pointer;
  }

  /** sha256 for LFS files (the etag is the sha256); the git blob id for files stored in git. */
  private static void verify(Path file, String sha256, String label, FileMetadata meta, Sibling sibling)
      throws IOException {
    String lfs = sibling != null ? sibling.lfsSha256() : null;
    if (HubCache.SHA256.matcher(meta.etag()).matches() || lfs != null) {
      for (String expected : new String[] {HubCache.SHA256.matcher(meta.etag()).matches() ? meta.etag() : null, lfs}) {
        if (expected != null && !expected.equals(sha256)) {
          throw new HubException(HubException.Kind.INTEGRITY, label + ": the downloaded file's sha256 is " + sha256
              + ", the hub declared " + expected + "; the download was refused and nothing was cached");
        }
      }
    } else if (sibling != null && sibling.blobId() != null && HubCache.COMMIT.matcher(sibling.blobId()).matches()) {
      String actual = Transfer.gitBlobSha1(file);
      if (!actual.equals(sibling.blobId())) {
        throw new HubException(HubException.Kind.INTEGRITY, label + ": the downloaded file's git blob id is " + actual
            + ", the hub declared " + sibling.blobId() + "; the download was refused and nothing was cached");
      }
    }
  }

  /** {@code .no_exist/COMMIT/FILE}: huggingface_hub's record that a file is absent at a commit. */
  private void recordMissing(String repoId, String rev, String filename, HttpHeaders h) {
    Optional<String> commit = h.firstValue("X-Repo-Commit").filter(HubClient::isCommit);
    if (commit.isEmpty()) {
      return;
    }
    try {
      Path marker = cache.repoDir(repoId).resolve(".no_exist").resolve(commit.get()).resolve(filename);
      Files.createDirectories(marker.getParent());
      if (!Files.exists(marker)) {
        Files.createFile(marker);
      }
      cache.writeRef(repoId, rev, commit.get());
    } catch (IOException e) {
      // a courtesy record, as in huggingface_hub
    }
  }

  private HubException hubError(int status, HttpHeaders h, URI url, String repoId, String rev, String file) {
    String code = h.firstValue("X-Error-Code").orElse("");
    String message = h.firstValue("X-Error-Message").orElse("");
    String at = " (HTTP " + status + " from " + url + ")";
    if (code.equals("RevisionNotFound")) {
      return new HubException(HubException.Kind.REVISION_NOT_FOUND, "revision '" + rev + "' not found in " + repoId
          + at + ": give an existing branch, tag, full commit or refs/pr/N");
    }
    if (code.equals("EntryNotFound")) {
      return new HubException(HubException.Kind.ENTRY_NOT_FOUND, "file '" + file + "' not found in " + repoId
          + " at revision '" + rev + "'" + at);
    }
    if (code.equals("GatedRepo")) {
      return new HubException(HubException.Kind.GATED, repoId + " is a gated repository" + at + ": accept its"
          + " conditions at " + cfg.endpoint() + "/" + repoId + " and set HF_TOKEN to a token of that account (or"
          + " save it in " + cfg.hfHome().resolve("token") + ")"
          + (cfg.token().isPresent() ? "; the token sent has no access yet" : "; no token was sent"));
    }
    if (code.equals("RepoNotFound")
        || status == 401 && !message.equals("Invalid credentials in Authorization header") && file == null) {
      return new HubException(HubException.Kind.REPO_NOT_FOUND, "repository " + repoId + " not found" + at
          + "; if it is private or gated, set HF_TOKEN" + (cfg.token().isPresent() ? " to a token with access" : ""));
    }
    if (status == 401 || status == 403) {
      return new HubException(HubException.Kind.UNAUTHORIZED, "access to " + repoId + " refused" + at
          + (message.isEmpty() ? "" : ": " + message) + "; check HF_TOKEN");
    }
    if (status == 404) {
      return file == null
          ? new HubException(HubException.Kind.REPO_NOT_FOUND, "repository " + repoId + " not found" + at)
          : new HubException(HubException.Kind.ENTRY_NOT_FOUND, "file '" + file + "' not found in " + repoId
              + " at revision '" + rev + "'" + at);
    }
    if (status >= 500 || status == 429 || status == 408) {
      return new HubException(HubException.Kind.NETWORK, "the hub is unavailable" + at);
    }
    return new HubException(HubException.Kind.PROTOCOL, "unexpected answer" + at
        + (message.isEmpty() ? "" : ": " + message));
  }

  private Map<String, String> headers() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("User-Agent", "cliptune; java/" + System.getProperty("java.version"));
    cfg.token().ifPresent(t -> h.put("Authorization", "Bearer " + t));
    return h;
  }

  /** {@code hf_hub_url}: {@code {endpoint}/{repo}/resolve/{quote(rev, safe='')}/{quote(file)}}. */
  URI resolveUrl(String repoId, String rev, String filename) {
    return URI.create(cfg.endpoint() + "/" + repoId + "/resolve/" + quote(rev, false) + "/" + quote(filename, true));
  }

  static boolean isCommit(String rev) {
    return HubCache.COMMIT.matcher(rev).matches();
  }

  /** {@code _normalize_etag}: a leading {@code W/} and the quotes stripped. */
  static String normalizeEtag(String etag) {
    if (etag == null) {
      return null;
    }
    String e = etag.startsWith("W/") ? etag.substring(2) : etag;
    return e.replaceAll("^\"+|\"+$", "");
  }

  /** Python's {@code urllib.parse.quote}: unreserved characters kept, '/' kept only when {@code keepSlash}. */
  static String quote(String s, boolean keepSlash) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
          || c == '~' || keepSlash && c == '/') {
        out.append(c);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
