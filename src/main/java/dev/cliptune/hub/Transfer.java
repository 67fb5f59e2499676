package dev.cliptune.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The HTTP side of downloads, on the JDK's {@link HttpClient}: redirects are followed by hand (so that the
 * {@code Authorization} header never reaches another origin), a download goes to a process-unique
 * {@code .incomplete} file beside its target, resumes with {@code Range} after a dropped connection or a stall
 * longer than the read timeout, is checked (size, hash) and only then renamed into place.
 */
final class Transfer {
  static final int MAX_REDIRECTS = 10;
  private static final long MAX_SMALL_BODY = 64L << 20;
  /** Files smaller than this (configs, vocabularies) download without a bar. */
  private static final long BAR_MIN_BYTES = 1 << 20;

  /** Turns an HTTP error answer into the caller's error. */
  interface Errors {
    HubException map(int status, HttpHeaders headers, URI url);
  }

  /**
   * Checks a finished download before it is renamed into place; throws {@link HubException} to refuse it.
   * {@code sha256} is the hex SHA-256 of the file, computed while it arrived.
   */
  interface Check {
    void verify(Path file, String sha256) throws IOException;
  }

  /** A response whose body was read into memory. */
  record Small(int status, HttpHeaders headers, URI url, byte[] body) {}

  private final HttpClient client;
  private final HubConfig cfg;

  Transfer(HubConfig cfg) {
    this(cfg, System.getenv());
  }

  /** With the proxy variables of {@code env} ({@link EnvProxySelector}). */
  Transfer(HubConfig cfg, Map<String, String> env) {
    this.cfg = cfg;
    this.client = HttpClient.newBuilder().connectTimeout(cfg.downloadTimeout())
        .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1)
        .proxy(new EnvProxySelector(env, ProxySelector.getDefault())).build();
  }

  /** HEAD {@code url}, following relative redirects only (repository renames), as huggingface_hub does. */
  HttpResponse<Void> head(URI url, Map<String, String> headers) {
    URI current = url;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(current).method("HEAD", HttpRequest.BodyPublishers.noBody())
          .timeout(cfg.etagTimeout()).header("Accept-Encoding", "identity");
      headers.forEach(b::header);
      HttpResponse<Void> r = send(b.build(), HttpResponse.BodyHandlers.discarding(), current);
      Optional<String> location = r.headers().firstValue("Location");
      if (isRedirect(r.statusCode()) && location.isPresent() && URI.create(location.get()).getRawAuthority() == null) {
        current = current.resolve(location.get());
        continue;
      }
      return r;
    }
    throw new HubException(HubException.Kind.PROTOCOL, "more than " + MAX_REDIRECTS + " redirects from " + url);
  }

  /** GET a small body (JSON), following redirects, dropping {@code Authorization} across origins. */
  Small get(URI url, Map<String, String> headers) {
    URI current = url;
    Map<String, String> h = new LinkedHashMap<>(headers);
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(current).GET().timeout(cfg.etagTimeout());
      h.forEach(b::header);
      HttpResponse<InputStream> r = send(b.build(), HttpResponse.BodyHandlers.ofInputStream(), current);
      Optional<String> location = r.headers().firstValue("Location");
      if (isRedirect(r.statusCode()) && location.isPresent()) {
        closeQuietly(r.body());
        URI next = current.resolve(location.get());
        dropAuthAcrossOrigins(current, next, h);
        current = next;
        continue;
      }
      try (InputStream in = r.body()) {
        byte[] body = in.readNBytes((int) MAX_SMALL_BODY + 1);
        if (body.length > MAX_SMALL_BODY) {
          throw new HubException(HubException.Kind.PROTOCOL, current + " answered more than " + (MAX_SMALL_BODY >> 20)
              + " MB where a small JSON document was expected");
        }
        return new Small(r.statusCode(), r.headers(), current, body);
      } catch (IOException e) {
        throw network(current, e);
      }
    }
    throw new HubException(HubException.Kind.PROTOCOL, "more than " + MAX_REDIRECTS + " redirects from " + url);
  }

  /**
   * Downloads {@code url} to {@code target}: into {@code target.XXXXXXXX.incomplete} (unique to this call), resuming
   * with {@code Range} after a dropped connection or stall (up to {@code cfg.retries()} times without progress),
   * then checks the size ({@code expectedSize}, or -1 for unknown) and {@code check}, then renames atomically.
   * Nothing is left behind on failure.
   */
  void download(URI url, Map<String, String> headers, Path target, long expectedSize, Check check, String label,
      Errors errors) throws IOException {
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path tmp = target.resolveSibling(target.getFileName() + "."
        + String.format("%08x", ThreadLocalRandom.current().nextInt()) + ".incomplete");
    String sha256;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          Progress bar = new Progress(label, expectedSize)) {
        int retriesLeft = cfg.retries();
        Hash hash = new Hash();
        while (true) {
          long before = ch.size();
          try {
            fetch(url, headers, ch, bar, hash, expectedSize, errors);
            if (expectedSize >= 0 && ch.size() < expectedSize) {
              throw new IOException("the connection ended after " + ch.size() + " of " + expectedSize + " bytes");
            }
            break;
          } catch (IOException e) {
            if (ch.size() > before) {
              retriesLeft = cfg.retries();
            }
            if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException) {
              // as huggingface_hub: no retry when the server cannot be reached at all, only when a transfer broke
              throw new HubException(HubException.Kind.NETWORK, "cannot reach " + url + " to download " + label + ": "
                  + describe(e), e);
            }
            if (e instanceof InterruptedIOException && !(e instanceof HttpTimeoutException)
                || retriesLeft-- <= 0) {
              throw new HubException(HubException.Kind.NETWORK, "downloading " + label + " from " + url + " failed"
                  + " after " + cfg.retries() + " retries without progress: " + describe(e), e);
            }
            pause();
          }
        }
        ch.force(true);
        sha256 = hash.hashed == ch.size() ? hash.hex() : null;
      }
      long size = Files.size(tmp);
      if (expectedSize >= 0 && size != expectedSize) {
        throw new HubException(HubException.Kind.INTEGRITY, label + " from " + url + ": expected " + expectedSize
            + " bytes, received " + size + "; the download was refused");
      }
      check.verify(tmp, sha256 != null ? sha256 : sha256(tmp)); // re-read only if a write failed half-way
      HubCache.replace(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void fetch(URI url, Map<String, String> headers, FileChannel ch, Progress bar, Hash hash, long expectedSize,
      Errors errors) throws IOException {
    URI current = url;
    Map<String, String> h = new LinkedHashMap<>(headers);
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      long offset = ch.size();
      HttpRequest.Builder b = HttpRequest.newBuilder(current).GET().timeout(cfg.downloadTimeout());
      h.forEach(b::header);
      if (offset > 0) {
        b.header("Range", "bytes=" + offset + "-");
      }
      Sink sink = new Sink(ch, bar, hash, expectedSize >= 0 ? expectedSize : Long.MAX_VALUE, current);
      CompletableFuture<HttpResponse<Long>> cf = client.sendAsync(b.build(), info -> {
        int s = info.statusCode();
        if (s == 200) {
          bar.start(info.headers().firstValueAsLong("Content-Length").orElse(-1));
          return sink.from(0); // a full answer, also to a Range request: start again (huggingface_hub does)
        }
        if (s == 206) {
          long start = contentRangeStart(info.headers());
          bar.start(contentRangeTotal(info.headers()));
          return start == offset ? sink.from(offset) : BodySubscribers.replacing(-2L);
        }
        return BodySubscribers.replacing(-1L);
      });
      HttpResponse<Long> r = await(cf, sink, current);
      int s = r.statusCode();
      if (s == 200 || s == 206) {
        if (r.body() == -2L) {
          ch.truncate(0);
          throw new IOException("the server resumed at another offset than bytes=" + offset + "- ("
              + r.headers().firstValue("Content-Range").orElse("no Content-Range") + ")");
        }
        return;
      }
      Optional<String> location = r.headers().firstValue("Location");
      if (isRedirect(s) && location.isPresent()) {
        URI next = current.resolve(location.get());
        dropAuthAcrossOrigins(current, next, h);
        current = next;
        continue;
      }
      if (s == 408 || s == 429 || s >= 500) {
        throw new IOException("HTTP " + s + " from " + current);
      }
      throw errors.map(s, r.headers(), current);
    }
    throw new HubException(HubException.Kind.PROTOCOL, "more than " + MAX_REDIRECTS + " redirects from " + url);
  }

  private <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> cf, Sink sink, URI url) throws IOException {
    long stallNanos = cfg.downloadTimeout().toNanos();
    while (true) {
      try {
        return cf.get(100, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (sink.stalledFor() > stallNanos) {
          HttpTimeoutException timeout = new HttpTimeoutException("no data from " + url + " for "
              + cfg.downloadTimeout().toMillis() / 1000.0 + " s");
          sink.abort(timeout);
          cf.cancel(true);
          throw timeout;
        }
      } catch (CancellationException e) {
        throw new IOException("download from " + url + " cancelled", e);
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof HubException hub) {
          throw hub;
        }
        throw c instanceof IOException io ? io : new IOException(c);
      } catch (InterruptedException e) {
        cf.cancel(true);
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while downloading " + url);
      }
    }
  }

  private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler, URI url) {
    try {
      return client.send(req, handler);
    } catch (IOException e) {
      throw network(url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException(HubException.Kind.NETWORK, "interrupted while requesting " + url, e);
    }
  }

  private static HubException network(URI url, IOException e) {
    return new HubException(HubException.Kind.NETWORK, "cannot reach " + url + ": " + describe(e), e);
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " (" + m + ")");
  }

  private void pause() throws InterruptedIOException {
    try {
      Thread.sleep(cfg.retryDelay().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted between download retries");
    }
  }

  static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** Origins differ (scheme, host or port: huggingface_hub compares the netloc): the token stays behind. */
  static void dropAuthAcrossOrigins(URI from, URI to, Map<String, String> headers) {
    if (!sameOrigin(from, to)) {
      headers.keySet().removeIf(k -> k.equalsIgnoreCase("Authorization"));
    }
  }

  static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(lower(a.getScheme()), lower(b.getScheme())) && Objects.equals(lower(a.getHost()),
        lower(b.getHost())) && port(a) == port(b);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private static long contentRangeStart(HttpHeaders headers) {
    String v = headers.firstValue("Content-Range").orElse("");
    // "bytes START-END/TOTAL"
    try {
      String range = v.strip().substring("bytes ".length());
      return Long.parseLong(range.substring(0, range.indexOf('-')).strip());
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static long contentRangeTotal(HttpHeaders headers) {
    String v = headers.firstValue("Content-Range").orElse("");
    try {
      return Long.parseLong(v.substring(v.lastIndexOf('/') + 1).strip());
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // the redirect's body is not needed
    }
  }

  private static ProgressBar progressBar(String label, long size) {
    ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(label).setStyle(ProgressBarStyle.ASCII)
        .setUnit(" MB", 1 << 20).showSpeed(new java.text.DecimalFormat("0.0")).setUpdateIntervalMillis(500)
        .continuousUpdate();
    if (size >= 0) {
      b.setInitialMax(size);
    }
    return b.build();
  }

  /** Hex SHA-256 of a file. */
  static String sha256(Path file) throws IOException {
    return digest(file, "SHA-256", null);
  }

  /** The git blob id of a file: SHA-1 of {@code "blob SIZE\0"} and the content (a hub etag for non-LFS files). */
  static String gitBlobSha1(Path file) throws IOException {
    return digest(file, "SHA-1", ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
  }

  private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    if (prefix != null) {
      md.update(prefix);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Writes a response body to the download's file as it arrives; remembers when bytes last came. */
  private static final class Sink implements HttpResponse.BodySubscriber<Long> {
    private final FileChannel ch;
    private final Progress bar;
    private final Hash hash;
    private final long limit;
    private final URI url;
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile long lastNanos = Long.MAX_VALUE;
    private long received;

    Sink(FileChannel ch, Progress bar, Hash hash, long limit, URI url) {
      this.ch = ch;
      this.bar = bar;
      this.hash = hash;
      this.limit = limit;
      this.url = url;
    }

    /** Prepares to write from byte {@code offset} (0: the server sent everything, start the file again). */
    Sink from(long offset) {
      try {
        if (offset == 0) {
          ch.truncate(0);
          hash.reset();
        }
        ch.position(offset);
        bar.stepTo(offset);
      } catch (IOException e) {
        done.completeExceptionally(e);
      }
      return this;
    }

    long stalledFor() {
      long last = lastNanos;
      return last == Long.MAX_VALUE ? 0 : System.nanoTime() - last;
    }

    void abort(Throwable t) {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      done.completeExceptionally(t);
    }

    @Override
    public CompletionStage<Long> getBody() {
      return done;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      lastNanos = System.nanoTime();
      if (done.isDone()) {
        s.cancel();
      } else {
        s.request(1);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      try {
        for (ByteBuffer b : items) {
          if (ch.position() + b.remaining() > limit) {
            abort(new HubException(HubException.Kind.INTEGRITY, url + " sent more than the " + limit
                + " bytes announced; the download was refused"));
            return;
          }
          ByteBuffer copy = b.duplicate();
          while (b.hasRemaining()) {
            received += ch.write(b);
          }
          hash.update(copy, ch.position());
        }
        lastNanos = System.nanoTime();
        bar.stepTo(ch.position());
        subscription.request(1);
      } catch (IOException e) {
        abort(e);
      }
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(received);
    }
  }

  /**
   * The progress bar of one download (size, rate, ETA), drawn from the first answer on, so that a server that cannot
   * be reached draws nothing; the size is the expected one, else the answer's. Small files get none.
   */
  private final class Progress implements AutoCloseable {
    private final String label;
    private final long expected;
    private volatile ProgressBar bar;

    Progress(String label, long expected) {
      this.label = label;
      this.expected = expected;
    }

    void start(long total) {
      long size = expected >= 0 ? expected : total;
      if (bar == null && cfg.progress() && (size < 0 || size >= BAR_MIN_BYTES)) {
        bar = progressBar(label, size);
      }
    }

    void stepTo(long n) {
      ProgressBar b = bar;
      if (b != null) {
        b.stepTo(n);
      }
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
      }
    }
  }

  /** SHA-256 of the bytes written so far, valid while {@code hashed} equals the file's length. */
  private static final class Hash {
    private MessageDigest md = newDigest();
    long hashed;

    void reset() {
      md = newDigest();
      hashed = 0;
    }

    /** Adds {@code bytes}, which end at file position {@code end}; a gap makes the hash unusable. */
    void update(ByteBuffer bytes, long end) {
      if (hashed == end - bytes.remaining()) {
        md.update(bytes);
        hashed = end;
      }
    }

    String hex() {
      return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest newDigest() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
