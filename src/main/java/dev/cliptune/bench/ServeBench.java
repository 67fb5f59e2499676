package dev.cliptune.bench;

import dev.cliptune.Classifier;
import dev.cliptune.serve.ClassifyServer;
import dev.cliptune.serve.ServeConfig;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench serve}: the HTTP service under load on loopback, in this JVM. A closed loop (N clients, each sending
 * its next request when the last is answered) measures the sustainable throughput and latency; an open loop at a
 * fixed request rate (e.g. twice the sustainable one) shows what overload does: the excess gets fast 503s and the
 * accepted requests finish. Beside them, the offline rate of the same classifier at the same batch size (decoding
 * in parallel, then one forward pass per batch, as {@code predict} does). Each request is one image.
 */
public final class ServeBench {
  /** One measured configuration. Latencies in ms; {@code batches} maps a histogram bound to the passes at or under it. */
  public record Row(String load, int maxBatch, double seconds, long ok, long rejected, long timedOut, long errors,
      double throughput, double p50, double p95, double p99, double rejectP99, double meanBatch,
      Map<String, Long> batches, long rssStart, long rssEnd, long requestsServed) {}

  private final Classifier classifier;
  private final List<byte[]> images;
  private final HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8, r -> {
    Thread t = new Thread(r, "bench-client");
    t.setDaemon(true);
    return t;
  })).connectTimeout(Duration.ofSeconds(10)).build();

  public ServeBench(Classifier classifier, List<byte[]> images) {
    this.classifier = classifier;
    this.images = images;
  }

  /** Images per second of decode + preprocess (parallel) + one {@code classify} call per batch of {@code batch}. */
  public double offline(int batch, double seconds) {
    long n = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    int i = 0;
    while (System.nanoTime() < end) {
      List<byte[]> chunk = new ArrayList<>();
      for (int k = 0; k < batch; k++) {
        chunk.add(images.get(i++ % images.size()));
      }
      List<float[]> px = chunk.parallelStream().map(b -> classifier.preprocess(b, "bench", Long.MAX_VALUE)).toList();
      classifier.classify(px, 5, null);
      n += batch;
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  /** {@code clients} closed-loop clients for {@code seconds}. */
  public Row closedLoop(ServeConfig config, int clients, double seconds) throws Exception {
    try (ClassifyServer server = ClassifyServer.start(classifier, config)) {
      long rss0 = Timing.rssBytes();
      Samples s = new Samples();
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int offset = c;
        Thread t = new Thread(() -> {
          int i = offset;
          while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            int status;
            try {
              status = http.send(request(server, images.get(i++ % images.size())),
                  HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (Exception e) {
              status = -1;
            }
            s.add(status, System.nanoTime() - t0);
          }
        }, "bench-closed-" + c);
        t.start();
        threads.add(t);
      }
      // resident memory every tenth of the run: after warm-up it must stay flat
      List<Long> rss = new ArrayList<>();
      for (int k = 1; k <= 10; k++) {
        Thread.sleep(Math.max(1, (long) (seconds * 100)));
        rss.add(Timing.rssBytes());
      }
      for (Thread t : threads) {
        t.join();
      }
      System.out.printf("RSS MiB by tenth of the run: %s%n", rss.stream().map(b -> String.valueOf(b / 1048576))
          .collect(java.util.stream.Collectors.joining(" ")));
      return s.row("closed, " + clients + " clients", config.maxBatch(), seconds, rss0, scrape(server));
    }
  }

  /** Requests sent at {@code perSecond} for {@code seconds}, whatever the answers (an open loop). */
  public Row openLoop(ServeConfig config, double perSecond, double seconds) throws Exception {
    try (ClassifyServer server = ClassifyServer.start(classifier, config)) {
      long rss0 = Timing.rssBytes();
      Samples s = new Samples();
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
      ConcurrentLinkedQueue<CompletableFuture<?>> all = new ConcurrentLinkedQueue<>();
      AtomicLong sent = new AtomicLong();
      long total = (long) (perSecond * seconds);
      long periodNanos = (long) (1e9 / perSecond);
      ticker.scheduleAtFixedRate(() -> {
        long i = sent.getAndIncrement();
        if (i >= total) {
          return;
        }
        long t0 = System.nanoTime();
        all.add(http.sendAsync(request(server, images.get((int) (i % images.size()))),
            HttpResponse.BodyHandlers.discarding())
            .handle((r, e) -> {
              s.add(e == null ? r.statusCode() : -1, System.nanoTime() - t0);
              return null;
            }));
      }, 0, periodNanos, TimeUnit.NANOSECONDS);
      while (sent.get() < total) {
        Thread.sleep(20);
      }
      ticker.shutdownNow();
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
      return s.row(String.format("open, %.0f req/s", perSecond), config.maxBatch(), seconds, rss0, scrape(server));
    }
  }

  private static HttpRequest request(ClassifyServer server, byte[] body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/classify?top_k=1"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private String scrape(ClassifyServer server) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** Latencies and statuses of one run. */
  private static final class Samples {
    private final ConcurrentLinkedQueue<long[]> all = new ConcurrentLinkedQueue<>();
    private final long start = System.nanoTime();

    void add(int status, long nanos) {
      all.add(new long[] {status, nanos});
    }

    Row row(String load, int maxBatch, double seconds, long rss0, String metrics) {
      double wall = Math.max(seconds, (System.nanoTime() - start) / 1e9);
      List<Long> ok = new ArrayList<>();
      List<Long> rejected = new ArrayList<>();
      long timedOut = 0;
      long errors = 0;
      for (long[] a : all) {
        if (a[0] == 200) {
          ok.add(a[1]);
        } else if (a[0] == 503) {
          rejected.add(a[1]);
        } else if (a[0] == 504) {
          timedOut++;
        } else {
          errors++;
        }
      }
      long[] lat = ok.stream().mapToLong(Long::longValue).sorted().toArray();
      long[] rej = rejected.stream().mapToLong(Long::longValue).sorted().toArray();
      Map<String, Long> buckets = new LinkedHashMap<>();
      Matcher m = Pattern.compile("(?m)^cliptune_batch_size_bucket\\{le=\"([^\"]+)\"} (\\S+)$").matcher(metrics);
      while (m.find()) {
        buckets.put(m.group(1), (long) Double.parseDouble(m.group(2)));
      }
      double sum = value(metrics, "cliptune_batch_size_sum");
      double count = value(metrics, "cliptune_batch_size_count");
      return new Row(load, maxBatch, wall, lat.length, rej.length, timedOut, errors, lat.length / wall,
          pct(lat, 0.50), pct(lat, 0.95), pct(lat, 0.99), pct(rej, 0.99), count == 0 ? 0 : sum / count, buckets, rss0,
          Timing.rssBytes(), all.size());
    }

    private static double value(String metrics, String name) {
      Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
      return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static double pct(long[] sorted, double q) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
  }

  /** Prints a row as one line of a Markdown table. */
  public static void print(PrintStream out, String model, Row r, double offline) {
    StringBuilder hist = new StringBuilder();
    long prev = 0;
    for (Map.Entry<String, Long> e : r.batches().entrySet()) {
      long n = e.getValue() - prev;
      prev = e.getValue();
      if (n > 0 && !e.getKey().equals("+Inf")) {
        hist.append(hist.length() == 0 ? "" : " ").append("≤").append(e.getKey().replace(".0", "")).append(':')
            .append(n);
      }
    }
    out.printf("| %s | %s | %d | %.1f | %d | %d | %d | %d | %.1f | %.1f | %.0f / %.0f / %.0f | %.1f | %s | %.0f → %.0f |%n",
        model, r.load(), r.maxBatch(), r.seconds(), r.ok(), r.rejected(), r.timedOut(), r.errors(), r.throughput(),
        offline, r.p50(), r.p95(), r.p99(), r.meanBatch(), hist, r.rssStart() / 1048576.0, r.rssEnd() / 1048576.0);
    out.flush();
  }

  public static void header(PrintStream out) {
    out.println("| model | load | max batch | s | 200 | 503 | 504 | errors | req/s | offline img/s | p50 / p95 / p99 ms"
        + " | mean batch | passes by batch size | RSS MiB |");
    out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  }
}
