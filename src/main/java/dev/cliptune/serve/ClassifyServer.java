package dev.cliptune.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.Classifier;
import dev.cliptune.clip.image.ImageDecodeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP service around a {@link Classifier} (Jetty 12 core handlers):
 *
 * <ul>
 *   <li>{@code POST /v1/classify}: a raw image body, or {@code multipart/form-data} with one or more images
 *       (form fields {@code top_k} and {@code labels} are read too); query {@code top_k}, {@code labels}
 *       (comma-separated, zero-shot and unified-context servers), {@code logits=true}. Answers
 *       {@code {"method", "labels_count", "results": [{"name", "predictions": [{label, index, probability}],
 *       "logits"?}]}}.
 *   <li>{@code GET /v1/model}: method, backbone, precision ({@code fp32} / {@code bf16}), labels, checkpoint hash,
 *       limits.
 *   <li>{@code GET /healthz} (the process answers), {@code /readyz} (503 while draining), {@code /metrics}.
 * </ul>
 *
 * <p>Bad input costs little and never takes the service down: the body is read asynchronously (a stalled upload
 * holds no thread and is closed after the idle timeout) and refused with 413 when its declared or actual length
 * passes {@code maxBytes}; an image whose header declares more than {@code maxPixels} pixels is refused before
 * decoding; undecodable images and malformed multipart bodies get 400 naming the problem. Decoding runs on a
 * pool of its own; forward passes on the {@link Batcher}'s single worker. Requests whose bodies are being read or
 * decoded are bounded too (twice as many as the queue holds images; 503 beyond), so memory stays bounded by
 * {@code 2 × queue × maxBytes} whatever the number of clients.
 */
public final class ClassifyServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Classifier classifier;
  private final ServeConfig config;
  private final ServeMetrics metrics = new ServeMetrics();
  private final Batcher batcher;
  private final ExecutorService decoders;
  private final Server server;
  private final ServerConnector connector;
  private final byte[] apiKeyHash;
  private final java.util.concurrent.Semaphore uploads;
  private volatile boolean draining;

  /** Builds and starts the server; {@link #port()} tells the port bound. */
  public static ClassifyServer start(Classifier classifier, ServeConfig config) throws Exception {
    ClassifyServer s = new ClassifyServer(classifier, config);
    try {
      s.server.start();
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  private ClassifyServer(Classifier classifier, ServeConfig config) {
    this.classifier = classifier;
    this.config = config;
    this.apiKeyHash = config.apiKey() == null ? null : sha256(config.apiKey().getBytes(StandardCharsets.UTF_8));
    this.uploads = new java.util.concurrent.Semaphore(2 * config.queueCapacity());
    this.batcher = new Batcher(classifier, config.maxBatch(), config.maxWaitMs(), config.queueCapacity(),
        config.requestTimeoutMs(), metrics);
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    this.decoders = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "cliptune-decode");
      t.setDaemon(true);
      return t;
    });
    QueuedThreadPool pool = new QueuedThreadPool(64, 4);
    pool.setName("cliptune-http");
    this.server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(config.host());
    connector.setPort(config.port());
    connector.setIdleTimeout(config.idleTimeoutMs());
    server.addConnector(connector);
    server.setHandler(new GracefulHandler(new Routes()));
    server.setStopTimeout(config.drainMs());
  }

  public int port() {
    return connector.getLocalPort();
  }

  public Classifier classifier() {
    return classifier;
  }

  /**
   * Graceful shutdown: {@code /readyz} turns 503, new connections are refused, requests in flight finish (up to
   * {@code drainMs}), then the batcher finishes its queue and stops. The classifier stays open (the caller's).
   */
  @Override
  public void close() throws Exception {
    draining = true;
    try {
      server.stop();
    } finally {
      batcher.closeAndWait(config.drainMs());
      decoders.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ routing

  private final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      long start = System.nanoTime();
      String path = Request.getPathInContext(request);
      String route = switch (path) {
        case "/v1/classify", "/v1/model", "/healthz", "/readyz", "/metrics" -> path;
        default -> "other";
      };
      Reply reply = new Reply(response, callback, route, start);
      try {
        switch (route) {
          case "/healthz" -> reply.text(200, "ok\n");
          case "/readyz" -> {
            if (draining) {
              reply.text(503, "draining\n");
            } else {
              reply.text(200, "ready\n");
            }
          }
          case "/metrics" -> {
            authorise(request);
            reply.send(200, ServeMetrics.contentType(), metrics.scrape());
          }
          case "/v1/model" -> {
            authorise(request);
            requireMethod(request, "GET");
            reply.json(200, describe());
          }
          case "/v1/classify" -> {
            authorise(request);
            requireMethod(request, "POST");
            classify(request, reply);
          }
          default -> throw new HttpError(404, "no such endpoint: " + path
              + " (POST /v1/classify, GET /v1/model, /healthz, /readyz, /metrics)");
        }
      } catch (HttpError e) {
        reply.error(e);
      } catch (RuntimeException e) {
        reply.error(new HttpError(500, "internal error: " + e));
      }
      return true;
    }
  }

  private void authorise(Request request) {
    if (apiKeyHash == null) {
      return;
    }
    String h = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    String token = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : "";
    // hashes of equal length, compared in constant time: the time taken tells nothing about the key
    if (!MessageDigest.isEqual(apiKeyHash, sha256(token.getBytes(StandardCharsets.UTF_8))) || token.isEmpty()) {
      throw new HttpError(401, h == null ? "missing 'Authorization: Bearer <key>' header"
          : "invalid API key in the Authorization header");
    }
  }

  private static void requireMethod(Request request, String method) {
    if (!request.getMethod().equals(method)) {
      throw new HttpError(405, request.getMethod() + " " + Request.getPathInContext(request) + ": use " + method);
    }
  }

  private ObjectNode describe() {
    ObjectNode o = JSON.createObjectNode();
    o.put("method", classifier.method());
    var model = classifier.clip().model();
    o.put("backbone_sha256", model.identity());
    o.put("backbone", dev.cliptune.clip.ClipWeights.describe(model.config()));
    o.put("image_size", model.config().imageSize());
    o.put("precision", model.precision().toString());
    ArrayNode labels = o.putArray("labels");
    classifier.labels().forEach(labels::add);
    o.put("accepts_labels", classifier.acceptsLabels());
    ArrayNode templates = o.putArray("templates");
    classifier.templates().forEach(templates::add);
    if (classifier.checkpointFile() != null) {
      o.put("checkpoint", classifier.checkpointFile().getFileName().toString());
      o.put("checkpoint_sha256", classifier.checkpointSha256());
    }
    ObjectNode limits = o.putObject("limits");
    limits.put("max_batch", config.maxBatch());
    limits.put("max_wait_ms", config.maxWaitMs());
    limits.put("queue_capacity", config.queueCapacity());
    limits.put("max_bytes", config.maxBytes());
    limits.put("max_pixels", config.maxPixels());
    limits.put("max_images", config.maxImages());
    limits.put("request_timeout_ms", config.requestTimeoutMs());
    limits.put("micro_batch", classifier.microBatch());
    return o;
  }

  // ------------------------------------------------------------------ classification

  /** One image of a request, encoded. */
  private record Upload(String name, byte[] bytes) {}

  /** What a request asks for. */
  private record Ask(List<String> labels, int topK, boolean logits) {}

  private void classify(Request request, Reply reply) {
    long declared = request.getLength();
    if (declared > config.maxBytes()) {
      metrics.images.labelValues("refused").inc();
      throw new HttpError(413, "request body of " + declared + " bytes is over the limit of " + config.maxBytes()
          + " bytes (--max-bytes)");
    }
    if (!batcher.hasRoom(1)) {
      throw queueFull();
    }
    Fields query;
    try {
      query = Request.extractQueryParameters(request);
    } catch (RuntimeException e) {
      throw new HttpError(400, "malformed query string: " + e.getMessage());
    }
    String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    // bodies being read or decoded hold memory (up to --max-bytes each): twice as many as the queue holds images
    if (!uploads.tryAcquire()) {
      throw new HttpError(503, "too many uploads in progress (" + 2 * config.queueCapacity() + "); retry shortly");
    }
    Content.Source.asByteArrayAsync(request, (int) Math.min(Integer.MAX_VALUE - 8, config.maxBytes()))
        .whenComplete((body, failure) -> {
          if (failure != null) {
            uploads.release();
            reply.error(bodyFailure(failure));
            return;
          }
          try {
            decoders.execute(() -> {
              try {
                afterBody(body, contentType, query, reply);
              } finally {
                uploads.release();
              }
            });
          } catch (RuntimeException e) { // decoders shut down
            uploads.release();
            reply.error(new HttpError(503, "the server is shutting down"));
          }
        });
  }

  private HttpError bodyFailure(Throwable failure) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    String m = String.valueOf(t.getMessage());
    if (m.toLowerCase(java.util.Locale.ROOT).contains("max size")) { // Jetty: "Max size (N) exceeded"
      metrics.images.labelValues("refused").inc();
      return new HttpError(413, "request body is over the limit of " + config.maxBytes() + " bytes (--max-bytes)");
    }
    if (t instanceof TimeoutException) {
      return new HttpError(408, "the request body stalled: nothing received for " + config.idleTimeoutMs() + " ms");
    }
    return new HttpError(400, "cannot read the request body: " + t);
  }

  private void afterBody(byte[] body, String contentType, Fields query, Reply reply) {
    try {
      List<Upload> uploads = new ArrayList<>();
      Fields form = new Fields();
      if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")) {
        parseMultipart(body, contentType, uploads, form);
      } else {
        if (body.length == 0) {
          throw new HttpError(400, "empty request body: send an image as the body or as multipart/form-data parts");
        }
        uploads.add(new Upload("body", body));
      }
      if (uploads.size() > config.maxImages()) {
        throw new HttpError(413, uploads.size() + " images in one request, the limit is " + config.maxImages()
            + " (--max-images)");
      }
      Ask ask = ask(query, form);
      List<float[]> pixels = new ArrayList<>();
      for (Upload u : uploads) {
        try {
          pixels.add(classifier.preprocess(u.bytes(), u.name(), config.maxPixels()));
        } catch (ImageDecodeException e) {
          metrics.images.labelValues("refused").inc();
          throw new HttpError(400, e.getMessage());
        }
      }
      List<Batcher.Job> jobs = new ArrayList<>();
      for (float[] p : pixels) {
        jobs.add(new Batcher.Job(p, ask.labels(), new CompletableFuture<>()));
      }
      if (!batcher.offer(jobs)) {
        throw draining ? new HttpError(503, "the server is shutting down") : queueFull();
      }
      CompletableFuture.allOf(jobs.stream().map(Batcher.Job::logits).toArray(CompletableFuture[]::new))
          .orTimeout(config.requestTimeoutMs(), TimeUnit.MILLISECONDS)
          .whenComplete((ok, failure) -> {
            if (failure != null) {
              jobs.forEach(j -> j.logits().cancel(false)); // the batcher drops what it has not started
              Throwable t = failure instanceof CompletionException ? failure.getCause() : failure;
              reply.error(t instanceof TimeoutException
                  ? new HttpError(504, "no result within the request timeout of " + config.requestTimeoutMs() + " ms")
                  : t instanceof IllegalArgumentException ? new HttpError(400, t.getMessage())
                  : new HttpError(500, "classification failed: " + t));
              return;
            }
            reply.json(200, results(uploads, jobs, ask));
          });
    } catch (HttpError e) {
      reply.error(e);
    } catch (RuntimeException e) {
      reply.error(new HttpError(500, "internal error: " + e));
    }
  }

  private HttpError queueFull() {
    if (batcher.wouldTimeOut(1)) {
      return new HttpError(503, "the queue's expected wait (about " + batcher.expectedWaitNanos(1) / 1_000_000
          + " ms) exceeds the request timeout of " + config.requestTimeoutMs() + " ms; retry shortly");
    }
    return new HttpError(503, "the queue is full (" + config.queueCapacity() + " images); retry shortly");
  }

  private void parseMultipart(byte[] body, String contentType, List<Upload> uploads, Fields form) {
    String boundary = MultiPart.extractBoundary(contentType);
    if (boundary == null || boundary.isEmpty()) {
      throw new HttpError(400, "malformed multipart request: the Content-Type has no boundary parameter");
    }
    MultiPartFormData.Parser parser = new MultiPartFormData.Parser(boundary);
    parser.setMaxMemoryFileSize(config.maxBytes());
    parser.setMaxLength(config.maxBytes());
    parser.setMaxParts(config.maxImages() + 2L);
    parser.setUseFilesForPartsWithoutFileName(false);
    MultiPartFormData.Parts parts;
    try {
      parts = parser.parse(Content.Source.from(ByteBuffer.wrap(body))).join();
    } catch (CompletionException | IllegalStateException e) {
      Throwable t = e.getCause() != null ? e.getCause() : e;
      throw new HttpError(400, "malformed multipart body: " + t.getMessage());
    }
    try (parts) {
      int i = 0;
      for (MultiPart.Part part : parts) {
        String name = part.getName();
        if (part.getFileName() == null && ("top_k".equals(name) || "labels".equals(name) || "logits".equals(name))) {
          form.add(name, part.getContentAsString(StandardCharsets.UTF_8).trim());
          continue;
        }
        byte[] bytes;
        try {
          bytes = Content.Source.asByteArrayAsync(part.getContentSource(), (int) Math.min(Integer.MAX_VALUE - 8,
              config.maxBytes())).join();
        } catch (CompletionException e) {
          throw new HttpError(400, "malformed multipart body: part " + i + ": " + e.getCause());
        }
        String label = part.getFileName() != null ? part.getFileName() : name != null ? name : "part " + i;
        if (bytes.length == 0) {
          throw new HttpError(400, label + ": empty part, not an image");
        }
        uploads.add(new Upload(label, bytes));
        i++;
      }
    }
    if (uploads.isEmpty()) {
      throw new HttpError(400, "the multipart body has no image part (send files as form-data parts)");
    }
  }

  private Ask ask(Fields query, Fields form) {
    String k = value(query, form, "top_k");
    int topK = 5;
    if (k != null) {
      try {
        topK = Integer.parseInt(k);
      } catch (NumberFormatException e) {
        throw new HttpError(400, "top_k '" + k + "' is not a whole number");
      }
      if (topK < 1) {
        throw new HttpError(400, "top_k must be at least 1, got " + topK);
      }
    }
    String l = value(query, form, "labels");
    List<String> labels = classifier.labels();
    if (l != null) {
      labels = Arrays.stream(l.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      if (labels.isEmpty()) {
        throw new HttpError(400, "labels '" + l + "' names no label (comma-separated)");
      }
      if (labels.size() > 1000) {
        throw new HttpError(400, labels.size() + " labels: at most 1000 per request");
      }
      if (!labels.equals(classifier.labels()) && !classifier.acceptsLabels()) {
        throw new HttpError(400, "this " + classifier.method() + " server has a class-specific context for its own "
            + classifier.labels().size() + " labels; 'labels' cannot change them");
      }
    }
    return new Ask(labels, Math.min(topK, labels.size()), "true".equals(value(query, form, "logits")));
  }

  private static String value(Fields query, Fields form, String name) {
    String v = form.getValue(name);
    return v != null ? v : query.getValue(name);
  }

  private ObjectNode results(List<Upload> uploads, List<Batcher.Job> jobs, Ask ask) {
    ObjectNode o = JSON.createObjectNode();
    o.put("method", classifier.method());
    ArrayNode rs = o.putArray("results");
    for (int i = 0; i < jobs.size(); i++) {
      float[] logits = jobs.get(i).logits().join();
      ObjectNode r = rs.addObject();
      r.put("name", uploads.get(i).name());
      ArrayNode ps = r.putArray("predictions");
      for (Classifier.Prediction p : Classifier.top(logits, ask.labels(), ask.topK())) {
        ps.addObject().put("label", p.label()).put("index", p.index()).put("probability", p.probability());
      }
      if (ask.logits()) {
        ArrayNode ls = r.putArray("logits");
        for (float v : logits) {
          ls.add(v);
        }
      }
    }
    return o;
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ responses

  /** Writes one response once and records it in the metrics. */
  private final class Reply {
    private final Response response;
    private final Callback callback;
    private final String route;
    private final long start;
    private final java.util.concurrent.atomic.AtomicBoolean sent = new java.util.concurrent.atomic.AtomicBoolean();

    Reply(Response response, Callback callback, String route, long start) {
      this.response = response;
      this.callback = callback;
      this.route = route;
      this.start = start;
    }

    void json(int status, ObjectNode body) {
      try {
        send(status, "application/json", JSON.writeValueAsString(body) + "\n");
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    void text(int status, String body) {
      send(status, "text/plain; charset=utf-8", body);
    }

    void error(HttpError e) {
      ObjectNode o = JSON.createObjectNode();
      o.put("status", e.status);
      o.put("error", e.getMessage());
      if (e.status == 503) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      }
      if (e.status == 401) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      }
      if (e.status == 413 || e.status == 408) {
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      }
      json(e.status, o);
    }

    void send(int status, String contentType, String body) {
      if (!sent.compareAndSet(false, true)) {
        return;
      }
      metrics.requests.labelValues(route, Integer.toString(status)).inc();
      metrics.latency.labelValues(route).observe((System.nanoTime() - start) / 1e9);
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
      Content.Sink.write(response, true, body, callback);
    }
  }
}
