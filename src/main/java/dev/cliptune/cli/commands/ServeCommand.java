package dev.cliptune.cli.commands;

import dev.cliptune.Classifier;
import dev.cliptune.serve.ClassifyServer;
import dev.cliptune.serve.ServeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cliptune serve}: the classifier behind HTTP, with dynamic batching and limits. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve a classifier over HTTP: POST /v1/classify (an image body or multipart images; top_k,"
        + " labels), GET /v1/model, /healthz, /readyz, /metrics (Prometheus).",
        "Concurrent requests are batched into one forward pass; a full queue answers 503 with Retry-After."})
public final class ServeCommand implements Callable<Integer> {
  @Mixin ClassifierOptions classifier;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "interface to bind (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "port, 0 for any free one (default ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--max-batch", defaultValue = "8", paramLabel = "N",
      description = "images coalesced into one forward pass at most (default ${DEFAULT-VALUE})")
  int maxBatch;

  @Option(names = "--max-wait-ms", defaultValue = "5", paramLabel = "MS",
      description = "how long a batch waits for more images (default ${DEFAULT-VALUE})")
  long maxWaitMs;

  @Option(names = "--queue", defaultValue = "64", paramLabel = "N",
      description = "images waiting at most; beyond, 503 + Retry-After at once (default ${DEFAULT-VALUE})")
  int queue;

  @Option(names = "--timeout-ms", defaultValue = "30000", paramLabel = "MS",
      description = "per-request time for a result once the body is read; 504 after (default ${DEFAULT-VALUE})")
  long timeoutMs;

  @Option(names = "--idle-timeout-ms", defaultValue = "30000", paramLabel = "MS",
      description = "a connection silent this long is closed, e.g. a stalled upload (default ${DEFAULT-VALUE})")
  long idleTimeoutMs;

  @Option(names = "--max-bytes", defaultValue = "10000000", paramLabel = "N",
      description = "request body limit; larger gets 413 (default ${DEFAULT-VALUE})")
  long maxBytes;

  @Option(names = "--max-pixels", defaultValue = "40000000", paramLabel = "N",
      description = "images declaring more pixels in their header get 400, undecoded (default ${DEFAULT-VALUE})")
  long maxPixels;

  @Option(names = "--max-images", defaultValue = "32", paramLabel = "N",
      description = "images per request at most (default ${DEFAULT-VALUE})")
  int maxImages;

  @Option(names = "--api-key-file", paramLabel = "FILE",
      description = "require 'Authorization: Bearer <the file's first line>' on /v1 and /metrics (401 otherwise)")
  Path apiKeyFile;

  @Option(names = "--drain-ms", defaultValue = "30000", paramLabel = "MS",
      description = "on shutdown (Ctrl-C, SIGTERM), time for requests in flight to finish (default ${DEFAULT-VALUE})")
  long drainMs;

  @Override
  public Integer call() throws Exception {
    String key = null;
    if (apiKeyFile != null) {
      key = Files.readString(apiKeyFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
      if (key.isEmpty()) {
        throw new UsageException("--api-key-file " + apiKeyFile + ": the first line is empty");
      }
    }
    ServeConfig config = new ServeConfig(host, port, maxBatch, maxWaitMs, queue, timeoutMs, idleTimeoutMs, maxBytes,
        maxPixels, maxImages, key, drainMs);
    Classifier c = classifier.build();
    if (c.microBatch() > maxBatch) {
      System.err.printf("cliptune serve: note: --max-batch %d < --micro-batch %d: every forward pass still computes"
          + " %d images (padding); --micro-batch %d avoids that (logits then match the library's at that setting)%n",
          maxBatch, c.microBatch(), c.microBatch(), maxBatch);
    }
    ClassifyServer server = ClassifyServer.start(c, config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("cliptune serve: draining (up to " + drainMs + " ms)");
      try {
        server.close();
        c.close();
      } catch (Exception e) {
        System.err.println("cliptune serve: " + e);
      }
      stopped.countDown();
    }, "cliptune-drain"));
    System.out.printf("cliptune serve: %s with %d labels on http://%s:%d (max batch %d within %d ms, queue %d)%n",
        c.method(), c.labels().size(), host, server.port(), maxBatch, maxWaitMs, queue);
    System.out.flush();
    stopped.await();
    return 0;
  }
}
