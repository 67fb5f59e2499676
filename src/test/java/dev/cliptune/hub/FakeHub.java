package dev.cliptune.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local imitation of the HuggingFace hub on 127.0.0.1, with its CDN on a second port: the revision API
 * ({@code /api/models/ORG/NAME/revision/REV}), {@code HEAD/GET /ORG/NAME/resolve/REV/FILE} with the hub's headers
 * (X-Repo-Commit, ETag / X-Linked-Etag, X-Linked-Size, X-Error-Code), LFS files redirected to the CDN, which
 * honours {@code Range}. Faults on demand: a connection dropped mid-file, a stall, a corrupt blob, a CDN that
 * ignores {@code Range}. Every request is recorded with its Authorization and Range headers.
 */
final class FakeHub implements AutoCloseable {
  /** One request as a server saw it. */
  record Request(String server, String method, String rawPath, String authorization, String range) {}

  /** One repository: refs (branch, tag, refs/pr/N) → commit, commit → files. */
  static final class Repo {
    final String id;
    final Map<String, String> refs = new LinkedHashMap<>();
    final Map<String, Map<String, byte[]>> commits = new LinkedHashMap<>();
    boolean gated;

    Repo(String id) {
      this.id = id;
    }

    /** Adds a commit with {@code files} under {@code ref}; returns its 40-hex id. */
    String commit(String ref, Map<String, byte[]> files) {
      String sha = hex("SHA-1", (id + "@" + ref + "#" + commits.size()).getBytes(StandardCharsets.UTF_8)).substring(0,
          40);
      commits.put(sha, new LinkedHashMap<>(files));
      refs.put(ref, sha);
      return sha;
    }
  }

  static final String TOKEN = "hf_fake_token_0123";

  final HttpServer hub;
  final HttpServer cdn;
  final Map<String, Repo> repos = new ConcurrentHashMap<>();
  final Map<String, String> renamed = new ConcurrentHashMap<>();
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  /** Other files the CDN serves, by raw path (OpenAI's {@code /clip/models/SHA256/FILE}). */
  final Map<String, byte[]> files = new ConcurrentHashMap<>();
  /** sha256 → how many more GETs of it are cut off half-way. */
  final Map<String, AtomicInteger> drops = new ConcurrentHashMap<>();
  /** sha256 → how many more GETs of it stall for {@link #stallMillis} half-way. */
  final Map<String, AtomicInteger> stalls = new ConcurrentHashMap<>();
  final Set<String> corrupt = ConcurrentHashMap.newKeySet();
  volatile boolean ignoreRange;
  /** Bytes the CDN appends to every blob (a server sending more than it announced). */
  volatile int extraBytes;
  /** How many more hub requests are answered 503. */
  final AtomicInteger unavailable = new AtomicInteger();
  volatile long stallMillis = 3000;

  FakeHub() throws IOException {
    hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hub.createContext("/", ex -> handle(ex, this::hub));
    cdn.createContext("/", ex -> handle(ex, this::cdn));
    hub.setExecutor(Executors.newCachedThreadPool());
    cdn.setExecutor(Executors.newCachedThreadPool());
    hub.start();
    cdn.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + hub.getAddress().getPort();
  }

  String cdnOrigin() {
    return "http://127.0.0.1:" + cdn.getAddress().getPort();
  }

  Repo repo(String id) {
    return repos.computeIfAbsent(id, Repo::new);
  }

  List<Request> requests(String server) {
    synchronized (requests) {
      return requests.stream().filter(r -> r.server().equals(server)).toList();
    }
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
  }

  static Map<String, byte[]> readDir(Path dir) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (var s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        if (Files.isRegularFile(p)) {
          files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
      }
    }
    return files;
  }

  static boolean isLfs(String name, byte[] data) {
    return name.endsWith(".safetensors") || name.endsWith(".bin") || name.endsWith(".pt") || data.length > (1 << 20);
  }

  static String sha256(byte[] data) {
    return hex("SHA-256", data);
  }

  static String gitBlobId(byte[] data) {
    byte[] header = ("blob " + data.length + "\0").getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[header.length + data.length];
    System.arraycopy(header, 0, all, 0, header.length);
    System.arraycopy(data, 0, all, header.length, data.length);
    return hex("SHA-1", all);
  }

  static String hex(String algorithm, byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private interface Handler {
    void handle(HttpExchange ex) throws IOException;
  }

  private void handle(HttpExchange ex, Handler h) throws IOException {
    try {
      h.handle(ex);
    } finally {
      ex.close();
    }
  }

  private void record(String server, HttpExchange ex) {
    requests.add(new Request(server, ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
        ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Range")));
  }

  private void hub(HttpExchange ex) throws IOException {
    record("hub", ex);
    if (unavailable.getAndDecrement() > 0) {
      error(ex, 503, null, "Service Unavailable");
      return;
    }
    String path = ex.getRequestURI().getRawPath();
    if (path.startsWith("/api/models/") && path.contains("/revision/")) {
      int at = path.indexOf("/revision/");
      String repoId = path.substring("/api/models/".length(), at);
      String rev = decode(path.substring(at + "/revision/".length()));
      Repo repo = access(ex, repoId);
      if (repo == null) {
        return;
      }
      String commit = commitOf(repo, rev);
      if (commit == null) {
        error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
        return;
      }
      ObjectMapper json = new ObjectMapper();
      ObjectNode root = json.createObjectNode().put("id", repoId).put("sha", commit);
      ArrayNode siblings = root.putArray("siblings");
      repo.commits.get(commit).forEach((name, data) -> {
        ObjectNode s = siblings.addObject().put("rfilename", name).put("size", data.length);
        if (isLfs(name, data)) {
          String pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + sha256(data) + "\nsize "
              + data.length + "\n";
          s.put("blobId", gitBlobId(pointer.getBytes(StandardCharsets.UTF_8)));
          s.putObject("lfs").put("sha256", sha256(data)).put("size", data.length).put("pointerSize", pointer.length());
        } else {
          s.put("blobId", gitBlobId(data));
        }
      });
      byte[] body = json.writeValueAsBytes(root);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      return;
    }
    int at = path.indexOf("/resolve/");
    if (at < 0) {
      error(ex, 404, null, "not a hub path");
      return;
    }
    String repoId = path.substring(1, at);
    String rest = path.substring(at + "/resolve/".length());
    if (renamed.containsKey(repoId)) {
      ex.getResponseHeaders().set("Location", "/" + renamed.get(repoId) + "/resolve/" + rest);
      send(ex, 307, new byte[0]);
      return;
    }
    Repo repo = access(ex, repoId);
    if (repo == null) {
      return;
    }
    int slash = rest.indexOf('/');
    String rev = decode(rest.substring(0, slash));
    String file = decode(rest.substring(slash + 1));
    String commit = commitOf(repo, rev);
    if (commit == null) {
      error(ex, 404, "RevisionNotFound", "Invalid rev id: " + rev);
      return;
    }
    ex.getResponseHeaders().set("X-Repo-Commit", commit);
    byte[] data = repo.commits.get(commit).get(file);
    if (data == null) {
      error(ex, 404, "EntryNotFound", "Entry not found");
      return;
    }
    if (isLfs(file, data)) {
      String sha = sha256(data);
      blobs.put(sha, data);
      ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
      ex.getResponseHeaders().set("X-Linked-Size", Long.toString(data.length));
      ex.getResponseHeaders().set("ETag", "W/\"redirect-etag\"");
      ex.getResponseHeaders().set("Location", cdnOrigin() + "/blobs/" + sha + "?X-Amz-Signature=fake");
      send(ex, 302, "Found. Redirecting to the CDN".getBytes(StandardCharsets.UTF_8));
      return;
    }
    ex.getResponseHeaders().set("ETag", "\"" + gitBlobId(data) + "\"");
    send(ex, 200, data);
  }

  private void cdn(HttpExchange ex) throws IOException {
    record("cdn", ex);
    String path = ex.getRequestURI().getRawPath();
    byte[] data = path.startsWith("/blobs/") ? blobs.get(path.substring("/blobs/".length())) : files.get(path);
    if (data == null) {
      error(ex, 404, null, "no such blob");
      return;
    }
    String sha = sha256(data);
    if (corrupt.contains(sha)) {
      data = data.clone();
      data[data.length / 2] ^= 0x5a;
    }
    if (extraBytes > 0) {
      data = java.util.Arrays.copyOf(data, data.length + extraBytes);
    }
    long start = 0;
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range != null && !ignoreRange) {
      start = Long.parseLong(range.substring("bytes=".length(), range.indexOf('-')));
      ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (data.length - 1) + "/" + data.length);
    }
    int status = range != null && !ignoreRange ? 206 : 200;
    int length = (int) (data.length - start);
    ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Content-Length", Integer.toString(length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, length);
    OutputStream out = ex.getResponseBody();
    AtomicInteger drop = drops.get(sha);
    AtomicInteger stall = stalls.get(sha);
    if (drop != null && drop.getAndDecrement() > 0) {
      out.write(data, (int) start, length / 2);
      out.flush();
      // closing the exchange with bytes missing cuts the connection: the client sees a truncated body
      return;
    }
    if (stall != null && stall.getAndDecrement() > 0) {
      out.write(data, (int) start, length / 2);
      out.flush();
      try {
        Thread.sleep(stallMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    out.write(data, (int) start, length);
  }

  /** The repository if the request may see it; otherwise answers the error (gated: 401 without a token, else 403). */
  private Repo access(HttpExchange ex, String repoId) throws IOException {
    Repo repo = repos.get(repoId);
    if (repo == null) {
      error(ex, 404, "RepoNotFound", "Repository not found");
      return null;
    }
    if (repo.gated) {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth == null) {
        error(ex, 401, "GatedRepo", "Access to model " + repoId + " is restricted. You must have access to it and be"
            + " authenticated to access it. Please log in.");
        return null;
      }
      if (!auth.equals("Bearer " + TOKEN)) {
        error(ex, 403, "GatedRepo", "Access to model " + repoId + " is restricted and you are not in the authorized"
            + " list.");
        return null;
      }
    }
    return repo;
  }

  private static String commitOf(Repo repo, String rev) {
    if (repo.commits.containsKey(rev)) {
      return rev;
    }
    return repo.refs.get(rev);
  }

  private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
    if (code != null) {
      ex.getResponseHeaders().set("X-Error-Code", code);
    }
    ex.getResponseHeaders().set("X-Error-Message", message);
    send(ex, status, ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    if ("HEAD".equals(ex.getRequestMethod())) {
      ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    ex.getResponseBody().write(body);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  static Map<String, byte[]> with(Map<String, byte[]> files, String name, byte[] data) {
    Map<String, byte[]> m = new HashMap<>(files);
    m.put(name, data);
    return m;
  }
}
