package dev.cliptune.serve;

import dev.cliptune.Classifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching: one worker thread takes the first waiting image, waits up to {@code maxWaitMs} for more (at
 * most {@code maxBatch} in all) and runs them in one forward pass per label set. The queue holds at most
 * {@code capacity} images, counting those gathered into the batch being formed: {@link #offer} refuses at once
 * beyond that (the caller answers 503). It also refuses images that would wait longer than the request timeout:
 * the expected wait is the queue ahead of them, the pass running and their own, at the per-image time of the recent
 * passes (a moving average); without it a request admitted behind a long queue reaches its forward pass as it times
 * out, and the pass is spent on an answer nobody receives (docs/BENCHMARKS.md: half the goodput of ViT-B/16 at 2×
 * overload). Images whose request gave up (timed out) are dropped when taken. {@link #close} stops taking new images
 * and finishes the ones queued.
 */
final class Batcher implements AutoCloseable {
  /** One image of a request. */
  record Job(float[] pixels, List<String> labels, CompletableFuture<float[]> logits) {}

  private final Classifier classifier;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final Semaphore capacity;
  private final int capacityTotal;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final ServeMetrics metrics;
  private final Thread worker;
  private final long timeoutNanos;
  /** Moving average of a pass's nanoseconds per image; NaN until the first pass. */
  private volatile double nanosPerImage = Double.NaN;
  private volatile boolean closing;

  /**
   * @param timeoutMs the request timeout: images expected to wait longer are refused; 0 for no such check
   */
  Batcher(Classifier classifier, int maxBatch, long maxWaitMs, int capacity, long timeoutMs, ServeMetrics metrics) {
    this.classifier = classifier;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    this.maxBatch = maxBatch;
    this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
    this.capacity = new Semaphore(capacity);
    this.capacityTotal = capacity;
    this.metrics = metrics;
    this.worker = new Thread(this::run, "cliptune-batcher");
    worker.setDaemon(true);
    worker.start();
  }

  /** Whether the queue has room for {@code n} more images right now (a hint; {@link #offer} decides). */
  boolean hasRoom(int n) {
    return !closing && capacity.availablePermits() >= n && !wouldTimeOut(n);
  }

  /**
   * Nanoseconds {@code n} more images are expected to wait for their results: the pass running, the images ahead of
   * them and their own, at the recent per-image time; 0 before the first pass has been timed.
   */
  long expectedWaitNanos(int n) {
    double perImage = nanosPerImage;
    return Double.isNaN(perImage) ? 0 : (long) ((depth() + n + maxBatch) * perImage);
  }

  /** Whether {@code n} more images are expected to wait longer than the request timeout. */
  boolean wouldTimeOut(int n) {
    return timeoutNanos > 0 && expectedWaitNanos(n) > timeoutNanos;
  }

  /**
   * Queues all of {@code jobs} or none: false when the queue lacks room, they would wait past the request timeout
   * or the batcher is closing.
   */
  boolean offer(List<Job> jobs) {
    if (closing || wouldTimeOut(jobs.size()) || !capacity.tryAcquire(jobs.size())) {
      return false;
    }
    queue.addAll(jobs);
    metrics.queueDepth.set(depth());
    return true;
  }

  private void run() {
    while (!closing || !queue.isEmpty()) {
      Job first;
      try {
        first = queue.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (first == null) {
        continue;
      }
      List<Job> batch = new ArrayList<>();
      batch.add(first);
      long deadline = System.nanoTime() + maxWaitNanos;
      while (batch.size() < maxBatch) {
        long left = deadline - System.nanoTime();
        Job next = left <= 0 ? queue.poll() : pollQuietly(left);
        if (next == null) {
          break;
        }
        batch.add(next);
      }
      capacity.release(batch.size());
      metrics.queueDepth.set(depth());
      batch.removeIf(j -> j.logits().isDone()); // the request gave up
      if (!batch.isEmpty()) {
        runBatch(batch);
      }
    }
  }

  /** Images accepted and not yet in a forward pass (queued, or gathered into the batch being formed). */
  int depth() {
    return capacityTotal - capacity.availablePermits();
  }

  private Job pollQuietly(long nanos) {
    try {
      return queue.poll(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** One forward pass per label set in the batch (a zero-shot server may get several). */
  private void runBatch(List<Job> batch) {
    Map<List<String>, List<Job>> byLabels = new LinkedHashMap<>();
    for (Job j : batch) {
      byLabels.computeIfAbsent(j.labels(), k -> new ArrayList<>()).add(j);
    }
    for (Map.Entry<List<String>, List<Job>> e : byLabels.entrySet()) {
      List<Job> jobs = e.getValue();
      try {
        long start = System.nanoTime();
        float[][] logits = classifier.logits(jobs.stream().map(Job::pixels).toList(), e.getKey());
        double perImage = (System.nanoTime() - start) / (double) jobs.size();
        double before = nanosPerImage;
        nanosPerImage = Double.isNaN(before) ? perImage : 0.7 * before + 0.3 * perImage;
        metrics.batchSize.observe(jobs.size());
        metrics.images.labelValues("classified").inc(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
          jobs.get(i).logits().complete(logits[i]);
        }
      } catch (RuntimeException ex) {
        jobs.forEach(j -> j.logits().completeExceptionally(ex));
      }
    }
  }

  /** Refuses new images, finishes the queued ones (up to {@code waitMs}) and stops the worker. */
  @Override
  public void close() {
    closeAndWait(Long.MAX_VALUE);
  }

  void closeAndWait(long waitMs) {
    closing = true;
    try {
      worker.join(Math.max(1, Math.min(waitMs, Long.MAX_VALUE / 2)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
