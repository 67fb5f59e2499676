package dev.cliptune.serve;

import dev.cliptune.io.UserException;

/**
 * The service's limits and batching, as {@code bin/cliptune serve} sets them.
 *
 * @param host            interface to bind (127.0.0.1 by default: reachable from this machine only)
 * @param port            TCP port, 0 for an ephemeral one
 * @param maxBatch        images coalesced into one forward pass at most
 * @param maxWaitMs       how long the first image of a batch waits for others
 * @param queueCapacity   images waiting at most; beyond it requests get 503 with {@code Retry-After} at once
 * @param requestTimeoutMs how long a request may wait for its results once its body is read (504 after)
 * @param idleTimeoutMs   a connection that sends nothing for this long is closed (a stalled upload holds no thread)
 * @param maxBytes        request bodies larger than this get 413 before they are read in full
 * @param maxPixels       images whose header declares more pixels get 400 before decoding
 * @param maxImages       images per request at most
 * @param apiKey          bearer token the {@code /v1} and {@code /metrics} endpoints require, or null for none
 * @param drainMs         on shutdown, how long requests in flight may take to finish
 */
public record ServeConfig(String host, int port, int maxBatch, long maxWaitMs, int queueCapacity,
    long requestTimeoutMs, long idleTimeoutMs, long maxBytes, long maxPixels, int maxImages, String apiKey,
    long drainMs) {

  public ServeConfig {
    positive("max-batch", maxBatch);
    positive("queue capacity", queueCapacity);
    positive("max-bytes", maxBytes);
    positive("max-pixels", maxPixels);
    positive("max-images", maxImages);
    positive("request timeout", requestTimeoutMs);
    positive("idle timeout", idleTimeoutMs);
    if (maxWaitMs < 0 || drainMs < 0 || port < 0 || port > 65535) {
      throw new UserException("max-wait-ms and drain must be >= 0 and the port in 0..65535");
    }
    if (apiKey != null && apiKey.isEmpty()) {
      throw new UserException("the API key is empty");
    }
  }

  /** Defaults: 127.0.0.1, max batch 8 within 5 ms, 64 images queued, 30 s per request, 10 MB, 40 MP. */
  public static ServeConfig defaults() {
    return new ServeConfig("127.0.0.1", 8080, 8, 5, 64, 30_000, 30_000, 10_000_000, 40_000_000, 32, null, 30_000);
  }

  public ServeConfig withPort(int p) {
    return new ServeConfig(host, p, maxBatch, maxWaitMs, queueCapacity, requestTimeoutMs, idleTimeoutMs, maxBytes,
        maxPixels, maxImages, apiKey, drainMs);
  }

  private static void positive(String what, long v) {
    if (v <= 0) {
      throw new UserException(what + " must be positive, got " + v);
    }
  }
}
