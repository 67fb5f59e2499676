package dev.cliptune.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The service's Prometheus metrics, in a registry of its own (several servers in one JVM do not mix). */
final class ServeMetrics {
  final PrometheusRegistry registry = new PrometheusRegistry();
  final Counter requests = Counter.builder().name("cliptune_requests_total")
      .help("HTTP requests by endpoint and status").labelNames("path", "status").register(registry);
  final Histogram latency = Histogram.builder().name("cliptune_request_duration_seconds")
      .help("request latency by endpoint, from arrival to response").labelNames("path").classicOnly()
      .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
      .register(registry);
  final Histogram batchSize = Histogram.builder().name("cliptune_batch_size")
      .help("images per batch coalesced from concurrent requests (run in forward passes of --micro-batch images)").classicOnly()
      .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
  final Gauge queueDepth = Gauge.builder().name("cliptune_queue_depth")
      .help("images accepted and waiting for a forward pass (bounded by --queue)").register(registry);
  final Counter images = Counter.builder().name("cliptune_images_total")
      .help("images by outcome: classified, or refused before the model (bad image, too large)")
      .labelNames("outcome").register(registry);

  String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape(),
          io.prometheus.metrics.config.EscapingScheme.ALLOW_UTF8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }
}
