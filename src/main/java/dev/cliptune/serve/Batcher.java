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
 * beyond that (the caller answers 503). Images whose
 * request gave up (timed out) are dropped when taken. {@link #close} stops taking new images and finishes the
 * ones queued.
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
  private volatile boolean closing;

  Batcher(Classifier classifier, int maxBatch, long maxWaitMs, int capacity, ServeMetrics metrics) {
    this.classifier = classifier;
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
    return !closing && capacity.availablePermits() >= n;
  }

  /** Queues all of {@code jobs} or none: false when the queue lacks room or the batcher is closing. */
  boolean offer(List<Job> jobs) {
    if (closing || !capacity.tryAcquire(jobs.size())) {
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
        float[][] logits = classifier.logits(jobs.stream().map(Job::pixels).toList(), e.getKey());
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
