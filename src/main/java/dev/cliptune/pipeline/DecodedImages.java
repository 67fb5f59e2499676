package dev.cliptune.pipeline;

import dev.cliptune.clip.image.ImageDecoder;
import dev.cliptune.clip.image.RgbImage;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decoded images kept in memory up to a byte budget: a few-shot training set is decoded once and reused
 * every epoch; beyond the budget images are decoded again each time (bounded memory).
 */
public final class DecodedImages {
  private final long budgetBytes;
  private final ConcurrentHashMap<String, RgbImage> cache = new ConcurrentHashMap<>();
  private final AtomicLong used = new AtomicLong();

  public DecodedImages(long budgetBytes) {
    this.budgetBytes = budgetBytes;
  }

  public RgbImage get(String path) {
    RgbImage img = cache.get(path);
    if (img != null) {
      return img;
    }
    img = ImageDecoder.decode(Path.of(path));
    long size = img.rgb().length;
    if (used.addAndGet(size) <= budgetBytes) {
      cache.putIfAbsent(path, img);
    } else {
      used.addAndGet(-size);
    }
    return img;
  }

  public long bytesUsed() {
    return used.get();
  }
}
