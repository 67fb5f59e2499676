package dev.cliptune.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.Classifier;
import dev.cliptune.Clip;
import dev.cliptune.Models;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.checkpoint.PromptCheckpoint;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptLearners;
import dev.cliptune.testing.WorldImages;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP service on 127.0.0.1 (ephemeral ports) with a real client, on the embedded tiny CLIP: results equal
 * the library's bit for bit whatever batch a request rode in, batching, backpressure, auth, every kind of bad
 * input (after each, a good request is still answered correctly), stalled uploads and draining on shutdown.
 */
class ClassifyServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static Clip clip;
  static Classifier classifier;
  static List<String> colors;
  static List<WorldImages.Item> items;
  static HttpClient http = HttpClient.newHttpClient();
  @TempDir static Path tmp;

  @BeforeAll
  static void setUp() throws Exception {
    clip = Clip.load(Models.resolve(Models.BUILTIN_TINY));
    colors = WorldImages.dataset("Colors").classNames();
    classifier = Classifier.zeroShot(clip, colors, List.of(WorldImages.dataset("Colors").template()));
    items = WorldImages.write(tmp.resolve("images"), "Colors", 12, 2);
  }

  @AfterAll
  static void tearDown() {
    classifier.close();
    clip.close();
  }

  static ServeConfig config(int maxBatch, long maxWaitMs, int queue) {
    return new ServeConfig("127.0.0.1", 0, maxBatch, maxWaitMs, queue, 60_000, 60_000, 1_000_000, 4_000_000, 8, null,
        60_000);
  }

  static URI uri(ClassifyServer s, String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + s.port() + pathAndQuery);
  }

  static HttpResponse<String> post(ClassifyServer s, String query, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(s, "/v1/classify" + query))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "image/png").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static CompletableFuture<HttpResponse<String>> postAsync(ClassifyServer s, String query, byte[] body) {
    return http.sendAsync(HttpRequest.newBuilder(uri(s, "/v1/classify" + query))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(ClassifyServer s, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(s, path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The library's logits of one image file, for comparison. */
  static float[] offline(Classifier c, WorldImages.Item it) {
    return c.logits(List.of(c.preprocess(it.file())), null)[0];
  }

  static float[] logits(JsonNode result) {
    JsonNode a = result.path("logits");
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) a.get(i).asDouble();
    }
    return out;
  }

  static double metric(ClassifyServer s, String name) throws Exception {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(get(s, "/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /** A good request answered with the library's result: the server is still well after whatever came before. */
  static void assertStillServes(ClassifyServer s) throws Exception {
    WorldImages.Item it = items.get(5);
    HttpResponse<String> r = post(s, "?logits=true&top_k=2", it.bytes());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode res = JSON.readTree(r.body()).path("results").get(0);
    assertThat(logits(res)).isEqualTo(offline(classifier, it));
    assertThat(res.path("predictions")).hasSize(2);
  }

  static byte[] multipart(String boundary, List<WorldImages.Item> images, String topK) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (WorldImages.Item it : images) {
      String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\""
          + it.file().getFileName() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
      out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
      out.writeBytes(it.bytes());
      out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    if (topK != null) {
      out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"top_k\"\r\n\r\n" + topK + "\r\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  @Test
  void concurrentRequestsGetTheLibraryLogitsBitForBitAndRideInSharedBatches() throws Exception {
    try (ClassifyServer s = ClassifyServer.start(classifier, config(8, 300, 64))) {
      List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
      for (WorldImages.Item it : items) {
        pending.add(postAsync(s, "?logits=true&top_k=3", it.bytes()));
      }
      int correct = 0;
      for (int i = 0; i < items.size(); i++) {
        HttpResponse<String> r = pending.get(i).join();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode res = JSON.readTree(r.body()).path("results").get(0);
        assertThat(logits(res)).as("logits of %s over HTTP and from the library", items.get(i).file().getFileName())
            .isEqualTo(offline(classifier, items.get(i)));
        JsonNode top = res.path("predictions").get(0);
        List<Classifier.Prediction> lib = classifier.classify(items.get(i).file(), 3);
        assertThat(top.path("label").asText()).isEqualTo(lib.get(0).label());
        assertThat((float) top.path("probability").asDouble()).isEqualTo(lib.get(0).probability());
        correct += top.path("label").asText().equals(items.get(i).className()) ? 1 : 0;
      }
      assertThat(correct).isGreaterThanOrEqualTo(items.size() * 3 / 4);
      // several images per forward pass: fewer passes than images
      double images = metric(s, "cliptune_batch_size_sum");
      double passes = metric(s, "cliptune_batch_size_count");
      System.out.printf("serve: %d concurrent requests in %.0f forward passes%n", items.size(), passes);
      assertThat(images).isEqualTo(items.size());
      assertThat(passes).isLessThan(items.size());
      assertThat(get(s, "/metrics").body()).contains("cliptune_requests_total{path=\"/v1/classify\",status=\"200\"} "
          + items.size()).contains("cliptune_request_duration_seconds_bucket").contains("cliptune_queue_depth 0");

      // several images in one multipart request, with a form field
      byte[] body = multipart("b0undary", items.subList(0, 3), "1");
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(s, "/v1/classify?logits=true"))
          .header("Content-Type", "multipart/form-data; boundary=b0undary")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode results = JSON.readTree(r.body()).path("results");
      assertThat(results).hasSize(3);
      for (int i = 0; i < 3; i++) {
        assertThat(results.get(i).path("name").asText()).isEqualTo(items.get(i).file().getFileName().toString());
        assertThat(results.get(i).path("predictions")).hasSize(1);
        assertThat(logits(results.get(i))).isEqualTo(offline(classifier, items.get(i)));
      }

      // a zero-shot server takes other labels per request
      HttpResponse<String> other = post(s, "?labels=" + String.join(",", colors.subList(0, 4)) + "&top_k=4",
          items.get(0).bytes());
      assertThat(other.statusCode()).isEqualTo(200);
      JsonNode ps = JSON.readTree(other.body()).path("results").get(0).path("predictions");
      assertThat(ps).hasSize(4);
      ps.forEach(p -> assertThat(p.path("label").asText()).isIn(colors.subList(0, 4)));

      JsonNode model = JSON.readTree(get(s, "/v1/model").body());
      assertThat(model.path("method").asText()).isEqualTo("ZeroshotCLIP");
      assertThat(model.path("backbone_sha256").asText()).isEqualTo(clip.model().identity());
      assertThat(model.path("precision").asText()).isEqualTo("fp32");
      assertThat(model.path("labels")).hasSize(colors.size());
      assertThat(get(s, "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(s, "/readyz").statusCode()).isEqualTo(200);
      assertThat(get(s, "/nothing").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aCoCoOpCheckpointIsServedWithTheLibraryLogits(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cocoop.safetensors");
    MethodConfig config = MethodConfig.defaults(Method.COCOOP).with("N_CTX", "4", "test");
    try (PromptLearner learner = PromptLearners.create(clip.model(), clip.tokenizer(), colors, config)) {
      PromptCheckpoint.save(file, learner, null);
    }
    try (Classifier c = Classifier.fromCheckpoint(clip, file, null);
        ClassifyServer s = ClassifyServer.start(c, config(4, 200, 16))) {
      List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
      for (WorldImages.Item it : items.subList(0, 6)) {
        pending.add(postAsync(s, "?logits=true", it.bytes()));
      }
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> r = pending.get(i).join();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(logits(JSON.readTree(r.body()).path("results").get(0))).isEqualTo(offline(c, items.get(i)));
      }
      JsonNode model = JSON.readTree(get(s, "/v1/model").body());
      assertThat(model.path("method").asText()).isEqualTo("CoCoOp");
      assertThat(model.path("checkpoint_sha256").asText()).isEqualTo(c.checkpointSha256()).hasSize(64);
    }
  }

  @Test
  void aFullQueueAnswers503WithRetryAfterAtOnce() throws Exception {
    // a batch of up to 64 waits 3 s for more images; the queue holds 2: the third image is refused at once
    try (ClassifyServer s = ClassifyServer.start(classifier, config(64, 3000, 2))) {
      CompletableFuture<HttpResponse<String>> a = postAsync(s, "", items.get(0).bytes());
      CompletableFuture<HttpResponse<String>> b = postAsync(s, "", items.get(1).bytes());
      awaitDepth(s, 2);
      HttpResponse<String> c = post(s, "", items.get(2).bytes());
      assertThat(c.statusCode()).isEqualTo(503);
      assertThat(c.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(c.body()).contains("queue is full");
      assertThat(a.join().statusCode()).isEqualTo(200);
      assertThat(b.join().statusCode()).isEqualTo(200);
      assertStillServes(s);
    }
  }

  @Test
  void anImageExpectedToWaitPastTheRequestTimeoutIsRefusedAtOnce() throws Exception {
    // a 5 ms request timeout: the first image is admitted (no pass timed yet) and its pass is timed; after that the
    // pass running, the queue and an image's own pass take (0 + 1 + 8) images x the per-image time (a tiny-model
    // pass of one image takes milliseconds), past the timeout, so new images get 503 before any work is spent
    ServeConfig c = config(8, 1, 64);
    c = new ServeConfig(c.host(), 0, c.maxBatch(), c.maxWaitMs(), c.queueCapacity(), 5, c.idleTimeoutMs(),
        c.maxBytes(), c.maxPixels(), c.maxImages(), null, c.drainMs());
    try (ClassifyServer s = ClassifyServer.start(classifier, c)) {
      HttpResponse<String> refused = null;
      int admitted = 0;
      for (int i = 0; i < 50 && refused == null; i++) {
        HttpResponse<String> r = post(s, "", items.get(0).bytes());
        if (r.statusCode() == 503) {
          refused = r;
        } else {
          assertThat(r.statusCode()).as(r.body()).isIn(200, 504);
          admitted++;
          Thread.sleep(50); // the pass finishes and is timed
        }
      }
      assertThat(refused).as("a 503 once a pass has been timed").isNotNull();
      assertThat(admitted).as("images admitted before the first timed pass").isBetween(1, 3);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(refused.body()).contains("expected wait").contains("exceeds the request timeout of 5 ms");
      assertThat(metric(s, "cliptune_queue_depth")).isZero();
    }
    // the same images with the usual 60 s timeout are all answered
    try (ClassifyServer s = ClassifyServer.start(classifier, config(8, 1, 64))) {
      for (int i = 0; i < 3; i++) {
        assertThat(post(s, "", items.get(i).bytes()).statusCode()).isEqualTo(200);
      }
    }
  }

  static void awaitDepth(ClassifyServer s, int depth) throws Exception {
    for (int i = 0; i < 2000 && metric(s, "cliptune_queue_depth") < depth; i++) {
      Thread.sleep(10);
    }
    assertThat(metric(s, "cliptune_queue_depth")).isEqualTo(depth);
  }

  @Test
  void anApiKeyIsRequiredAsABearerToken(@TempDir Path dir) throws Exception {
    ServeConfig c = config(8, 1, 16);
    c = new ServeConfig(c.host(), 0, c.maxBatch(), c.maxWaitMs(), c.queueCapacity(), c.requestTimeoutMs(),
        c.idleTimeoutMs(), c.maxBytes(), c.maxPixels(), c.maxImages(), "s3cret-key", c.drainMs());
    try (ClassifyServer s = ClassifyServer.start(classifier, c)) {
      HttpResponse<String> none = post(s, "", items.get(0).bytes());
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      for (String auth : List.of("Bearer s3cret-kez", "Bearer s3cret-key-longer", "Basic s3cret-key", "Bearer ")) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(s, "/v1/classify"))
            .header("Authorization", auth).POST(HttpRequest.BodyPublishers.ofByteArray(items.get(0).bytes())).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(auth).isEqualTo(401);
      }
      assertThat(get(s, "/metrics").statusCode()).isEqualTo(401);
      assertThat(get(s, "/healthz").statusCode()).isEqualTo(200); // probes stay open
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri(s, "/v1/classify"))
          .header("Authorization", "Bearer s3cret-key")
          .POST(HttpRequest.BodyPublishers.ofByteArray(items.get(0).bytes())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    }
  }

  @Test
  void badInputGetsAClearRefusalAndTheServerKeepsServing() throws Exception {
    ServeConfig c = config(8, 1, 16);
    c = new ServeConfig(c.host(), 0, c.maxBatch(), c.maxWaitMs(), c.queueCapacity(), c.requestTimeoutMs(),
        c.idleTimeoutMs(), 20_000, 1_000_000, 4, null, c.drainMs());
    try (ClassifyServer s = ClassifyServer.start(classifier, c)) {
      assertStillServes(s);
      // results of ops belong to their first operand's manager: a forward pass that left an array behind would
      // grow the model's (long-lived) manager, request after request
      ai.djl.ndarray.NDManager modelManager = clip.model().weights().values().iterator().next().getManager();
      int arraysBefore = modelManager.getManagedArrays().size();
      assertThat(arraysBefore).as("the model's weights are in its manager").isPositive();
      byte[] png = items.get(0).bytes();
      byte[] jpeg = items.stream().filter(i -> i.file().toString().endsWith(".jpg")).findFirst().orElseThrow().bytes();
      record Case(String what, String contentType, byte[] body, int status, String message) {}
      List<Case> cases = List.of(
          new Case("text", "image/png", "hello, not an image".getBytes(StandardCharsets.UTF_8), 400,
              "unrecognised image format"),
          new Case("empty body", "image/png", new byte[0], 400, "empty request body"),
          new Case("truncated PNG", "image/png", Arrays.copyOf(png, png.length / 2), 400, "truncated or corrupt"),
          new Case("truncated JPEG", "image/jpeg", Arrays.copyOf(jpeg, jpeg.length * 2 / 3), 400,
              "truncated or corrupt"),
          new Case("decompression bomb", "image/png", bombPng(100_000, 100_000), 400,
              "header declares 100000x100000"),
          new Case("over --max-bytes", "image/png", new byte[30_000], 413, "over the limit of 20000 bytes"),
          new Case("multipart without boundary", "multipart/form-data", png, 400, "no boundary"),
          new Case("malformed multipart", "multipart/form-data; boundary=xyz", "--xyz\r\ngarbage without end"
              .getBytes(StandardCharsets.UTF_8), 400, "malformed multipart"),
          new Case("multipart with a bad part", "multipart/form-data; boundary=b0",
              multipartOf("b0", "x.png", "not a png".getBytes(StandardCharsets.UTF_8)), 400, "x.png"),
          new Case("too many images", "multipart/form-data; boundary=b0unds",
              multipart("b0unds", items.subList(0, 5), null), 413, "5 images in one request"));
      for (Case k : cases) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(s, "/v1/classify"))
            .header("Content-Type", k.contentType()).POST(HttpRequest.BodyPublishers.ofByteArray(k.body())).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(k.what() + ": " + r.body()).isEqualTo(k.status());
        assertThat(JSON.readTree(r.body()).path("error").asText()).as(k.what()).contains(k.message());
        assertStillServes(s);
      }
      // a body over the limit without a declared length (chunked) is cut off once the limit is passed
      try (Socket sock = new Socket("127.0.0.1", s.port())) {
        sock.setSoTimeout(60_000);
        OutputStream out = sock.getOutputStream();
        out.write(("POST /v1/classify HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            + Integer.toHexString(30_000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[30_000]);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush(); // no last chunk: the server must not wait for the end of the body
        String answer = new String(sock.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(answer).startsWith("HTTP/1.1 413").contains("over the limit of 20000 bytes");
      }
      assertStillServes(s);
      for (String q : List.of("?top_k=abc", "?top_k=0", "?labels=,,")) {
        HttpResponse<String> r = post(s, q, png);
        assertThat(r.statusCode()).as(q).isEqualTo(400);
      }
      assertThat(http.send(HttpRequest.newBuilder(uri(s, "/v1/classify")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
      assertStillServes(s);
      assertThat(modelManager.getManagedArrays()).as("arrays of the model's manager after %d requests",
          2 * cases.size() + 8).hasSize(arraysBefore);
    }
  }

  @Test
  void aStalledUploadIsTimedOutAndHoldsNoWorker() throws Exception {
    ServeConfig c = config(8, 1, 16);
    c = new ServeConfig(c.host(), 0, c.maxBatch(), c.maxWaitMs(), c.queueCapacity(), c.requestTimeoutMs(), 500,
        c.maxBytes(), c.maxPixels(), c.maxImages(), null, c.drainMs());
    try (ClassifyServer s = ClassifyServer.start(classifier, c)) {
      List<Socket> stalled = new ArrayList<>();
      try {
        // more stalled uploads than the decode pool has threads
        for (int i = 0; i < 8; i++) {
          Socket sock = new Socket("127.0.0.1", s.port());
          sock.setSoTimeout(60_000);
          OutputStream out = sock.getOutputStream();
          out.write(("POST /v1/classify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
              + "Content-Length: 10000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(Arrays.copyOf(items.get(0).bytes(), 50));
          out.flush();
          stalled.add(sock);
        }
        assertStillServes(s); // while they stall
        for (Socket sock : stalled) {
          InputStream in = sock.getInputStream();
          String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII); // ends when the server closes
          assertThat(answer).satisfiesAnyOf(a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1.1 408"));
        }
      } finally {
        for (Socket sock : stalled) {
          sock.close();
        }
      }
      assertStillServes(s);
    }
  }

  @Test
  void shutdownFinishesTheRequestsInFlight() throws Exception {
    ClassifyServer s = ClassifyServer.start(classifier, config(64, 1500, 16));
    List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
    for (WorldImages.Item it : items.subList(0, 3)) {
      pending.add(postAsync(s, "?logits=true", it.bytes()));
    }
    awaitDepth(s, 3);
    int port = s.port();
    s.close(); // returns once they are answered
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = pending.get(i).join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(logits(JSON.readTree(r.body()).path("results").get(0))).isEqualTo(offline(classifier, items.get(i)));
    }
    try (Socket sock = new Socket("127.0.0.1", port)) {
      throw new AssertionError("the port still accepts connections after shutdown");
    } catch (ConnectException expected) {
      // closed
    }
  }

  @Test
  void theServeCommandRefusesBadSettingsBeforeLoadingAnything(@TempDir Path dir) throws Exception {
    Path emptyKey = java.nio.file.Files.writeString(dir.resolve("key.txt"), "\n");
    assertThat(dev.cliptune.cli.Main.run("serve", "--classes", "a,b", "--max-batch", "0", "--port", "0")).isEqualTo(dev.cliptune.cli.Main.USER_ERROR);
    assertThat(dev.cliptune.cli.Main.run("serve", "--classes", "a,b", "--api-key-file", emptyKey.toString()))
        .isEqualTo(dev.cliptune.cli.Main.USER_ERROR);
    assertThat(dev.cliptune.cli.Main.run("serve", "--port", "0")).as("neither --prompts nor --classes").isEqualTo(dev.cliptune.cli.Main.USER_ERROR);
  }

  static byte[] multipartOf(String boundary, String fileName, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + fileName
        + "\"\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    out.writeBytes(content);
    out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /**
   * A valid PNG header declaring {@code w x h} RGB pixels followed by a few bytes of image data: decoding it would
   * allocate {@code 3·w·h} bytes (30 GB for 100,000²).
   */
  static byte[] bombPng(int w, int h) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
        .put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x63, 0, 0, 0, 1, 0, 1}); // a tiny zlib stream
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
