package dev.cliptune.pipeline;

import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.image.ImageDecodeException;
import dev.cliptune.clip.image.RgbImage;
import dev.cliptune.data.Item;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Batches of preprocessed images, decoded on worker threads with at most {@code prefetch} batches in flight
 * (bounded memory). Training order is Dassl's: a fresh permutation per epoch, {@code drop_last} when the set
 * holds at least one batch (else one short batch). Every random draw of an item comes from a generator
 * seeded by (seed, epoch, position), so results do not depend on thread timing and a resumed run sees the
 * same images as an uninterrupted one.
 */
public final class BatchLoader implements Iterator<BatchLoader.Batch>, AutoCloseable {

  /** One batch: CHW pixels of {@code size} images, their labels, and the items. */
  public record Batch(float[] pixels, long[] labels, List<Item> items, int skipped) {
    public int size() {
      return labels.length;
    }
  }

  /** How one item becomes pixels. */
  @FunctionalInterface
  interface ItemTransform {
    float[] apply(RgbImage img, SplittableRandom rng);
  }

  private final List<List<Item>> batches;
  private final List<long[]> seeds;
  private final ItemTransform transform;
  private final DecodedImages images;
  private final boolean skipCorrupt;
  private final ExecutorService pool;
  private final BlockingQueue<Future<Batch>> inFlight;
  private int next;
  private int submitted;

  private BatchLoader(List<List<Item>> batches, List<long[]> seeds, ItemTransform transform, DecodedImages images,
      int threads, int prefetch, boolean skipCorrupt) {
    this.batches = batches;
    this.seeds = seeds;
    this.transform = transform;
    this.images = images;
    this.skipCorrupt = skipCorrupt;
    this.pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
      Thread t = new Thread(r, "cliptune-decode");
      t.setDaemon(true);
      return t;
    });
    this.inFlight = new ArrayBlockingQueue<>(Math.max(1, prefetch));
    fill();
  }

  /** Number of training iterations of an epoch (PROTOCOL.md §5). */
  public static int iterationsPerEpoch(int n, int batchSize) {
    return n >= batchSize ? n / batchSize : (n > 0 ? 1 : 0);
  }

  /** The training batches of one epoch. */
  public static BatchLoader train(List<Item> items, int batchSize, TrainTransform t, DecodedImages images,
      long seed, int epoch, int threads, boolean skipCorrupt) {
    int n = items.size();
    SplittableRandom order = new SplittableRandom(mix(seed, epoch, -1));
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = order.nextInt(i + 1);
      int tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    int iters = iterationsPerEpoch(n, batchSize);
    List<List<Item>> batches = new ArrayList<>();
    List<long[]> seeds = new ArrayList<>();
    for (int b = 0; b < iters; b++) {
      List<Item> batch = new ArrayList<>();
      long[] s = new long[Math.min(batchSize, n - b * batchSize)];
      for (int k = 0; k < s.length; k++) {
        int pos = b * batchSize + k;
        batch.add(items.get(perm[pos]));
        s[k] = mix(seed, epoch, pos);
      }
      batches.add(batch);
      seeds.add(s);
    }
    return new BatchLoader(batches, seeds, t::apply, images, threads, 2, skipCorrupt);
  }

  /** Sequential evaluation batches (no drop). */
  public static BatchLoader test(List<Item> items, int batchSize, ClipPreprocessor pre, DecodedImages images,
      int threads, boolean skipCorrupt) {
    List<List<Item>> batches = new ArrayList<>();
    List<long[]> seeds = new ArrayList<>();
    for (int i = 0; i < items.size(); i += batchSize) {
      List<Item> b = items.subList(i, Math.min(items.size(), i + batchSize));
      batches.add(b);
      seeds.add(new long[b.size()]);
    }
    return new BatchLoader(batches, seeds, (img, rng) -> pre.apply(img), images, threads, 2, skipCorrupt);
  }

  private static long mix(long seed, int epoch, int pos) {
    long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + pos * 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  public int batches() {
    return batches.size();
  }

  private void fill() {
    while (submitted < batches.size() && inFlight.remainingCapacity() > 0) {
      final int b = submitted++;
      inFlight.add(pool.submit(() -> load(b)));
    }
  }

  private Batch load(int b) {
    List<Item> items = batches.get(b);
    long[] s = seeds.get(b);
    List<float[]> px = new ArrayList<>(items.size());
    List<Item> kept = new ArrayList<>(items.size());
    int skipped = 0;
    for (int k = 0; k < items.size(); k++) {
      Item it = items.get(k);
      try {
        px.add(transform.apply(images.get(it.impath()), new SplittableRandom(s[k])));
        kept.add(it);
      } catch (ImageDecodeException e) {
        if (!skipCorrupt) {
          throw e;
        }
        skipped++;
      }
    }
    int per = px.isEmpty() ? 0 : px.get(0).length;
    float[] all = new float[per * px.size()];
    long[] labels = new long[px.size()];
    for (int k = 0; k < px.size(); k++) {
      System.arraycopy(px.get(k), 0, all, k * per, per);
      labels[k] = kept.get(k).label();
    }
    return new Batch(all, labels, kept, skipped);
  }

  @Override
  public boolean hasNext() {
    return next < batches.size();
  }

  @Override
  public Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    try {
      Future<Batch> f = inFlight.take();
      next++;
      fill();
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading images", e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(c);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Convenience for callers that want an Iterable. */
  public Iterable<Batch> asIterable() {
    return () -> this;
  }
}
