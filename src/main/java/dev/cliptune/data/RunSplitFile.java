package dev.cliptune.data;

import dev.cliptune.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's {@code split.json}: exactly what the run trained and validated on, so that a result can be traced
 * to its images. Written atomically. A JSON object with, in this order:
 *
 * <ul>
 *   <li>{@code dataset}, {@code source} (where the split came from), {@code image_root};
 *   <li>{@code seed}, {@code num_shots}, {@code subsample} ({@code all}/{@code base}/{@code new}),
 *       {@code fewshot_cache} (the cache file, or null) and {@code fewshot_from_cache};
 *   <li>{@code classnames} (by label, after relabelling), {@code train_count}, {@code val_count},
 *       {@code test_count}, and {@code val_is_test} (ImageNet: the val list is the test list and is not
 *       repeated);
 *   <li>{@code train} and {@code val}: the items in order as triples {@code [path relative to image_root,
 *       label, class name]} (labels after base/new relabelling). The test list is not repeated (only its
 *       count): it is the dataset's full test list restricted to the kept classes.
 * </ul>
 */
public final class RunSplitFile {
  /** The usual file name in a run's output folder. */
  public static final String NAME = "split.json";

  private RunSplitFile() {}

  /** Writes {@code run}'s split record to {@code file} atomically (creating parent folders). */
  public static void write(Path file, RunData run) throws IOException {
    AtomicFiles.writeString(file, toJson(run));
  }

  /** The JSON text {@link #write} writes. */
  public static String toJson(RunData run) {
    LoadedDataset ds = run.dataset();
    Split s = run.split();
    boolean valIsTest = ds.kind() == LoadedDataset.Kind.VAL_IS_TEST;
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("dataset", ds.name());
    header.put("source", ds.source());
    header.put("image_root", ds.imageRoot().toString());
    header.put("seed", run.seed());
    header.put("num_shots", run.numShots());
    header.put("subsample", run.subsample().name().toLowerCase(Locale.ROOT));
    header.put("fewshot_cache", run.fewshotFile() == null ? null : run.fewshotFile().toString());
    header.put("fewshot_from_cache", run.fromCache());
    header.put("classnames", run.classnames());
    header.put("train_count", s.train().size());
    header.put("val_count", s.val().size());
    header.put("test_count", s.test().size());
    header.put("val_is_test", valIsTest);
    Map<String, List<Item>> lists = new LinkedHashMap<>();
    lists.put("train", s.train());
    lists.put("val", valIsTest ? List.of() : s.val());
    return SplitFiles.toJson(header, lists, ds::relativePath);
  }
}
