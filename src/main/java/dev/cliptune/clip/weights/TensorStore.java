package dev.cliptune.clip.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.clip.ClipWeightsException;
import dev.cliptune.io.TensorFile;
import dev.cliptune.io.torch.TensorFiles;
import dev.cliptune.io.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The tensors of a checkpoint: one file of any format {@link TensorFiles} reads, or the shards listed by a
 * {@code *.index.json} ({@code weight_map}: tensor name to shard file name). A directory stands for the first
 * weights file it holds of {@link #WEIGHT_FILES}, or of {@link #OPEN_CLIP_WEIGHTS} then {@link #HF_WEIGHTS} when it
 * holds {@code open_clip_config.json} (timm's open_clip repositories also carry a {@code model.safetensors} that is
 * timm's, and open_clip itself reads its own files). Names are exposed as stored, except open_clip's
 * {@code CustomTextCLIP} text tower ({@code text.token_embedding.weight}, ...) which loses its {@code text.} prefix.
 * Closing closes every file.
 */
final class TensorStore implements AutoCloseable {
  static final String SINGLE = "model.safetensors";
  static final String INDEX = "model.safetensors.index.json";
  static final String OPEN_CLIP_CONFIG = "open_clip_config.json";
  static final String HF_CONFIG = "config.json";

  /** HF {@code CLIPModel} weights, safetensors before pickles. */
  static final List<String> HF_WEIGHTS = List.of(SINGLE, INDEX, "pytorch_model.bin", "pytorch_model.bin.index.json");
  /** open_clip's weights, the "safe alternative" first as {@code download_pretrained_from_hf} does. */
  static final List<String> OPEN_CLIP_WEIGHTS = List.of("open_clip_model.safetensors", "open_clip_pytorch_model.bin");
  /** What a model directory may hold, in the order they are looked for without {@code open_clip_config.json}. */
  static final List<String> WEIGHT_FILES = Stream.concat(HF_WEIGHTS.stream(), OPEN_CLIP_WEIGHTS.stream()).toList();

  private final Path main;
  private final String description;
  private final List<TensorFile> files;
  private final Map<String, TensorFile> byName;
  private final Map<String, String> stored;

  private TensorStore(Path main, String description, List<TensorFile> files, Map<String, TensorFile> byName) {
    this.main = main;
    this.description = description;
    this.files = files;
    Map<String, TensorFile> exposed = new LinkedHashMap<>();
    Map<String, String> original = new LinkedHashMap<>();
    boolean customText = byName.containsKey("text.token_embedding.weight") && !byName.containsKey("token_embedding.weight");
    for (Map.Entry<String, TensorFile> e : byName.entrySet()) {
      String n = customText && e.getKey().startsWith("text.") ? e.getKey().substring(5) : e.getKey();
      exposed.put(n, e.getValue());
      original.put(n, e.getKey());
    }
    this.byName = Collections.unmodifiableMap(exposed);
    this.stored = original;
  }

  /** Opens a checkpoint file, a {@code *.index.json}, or a model directory. */
  static TensorStore open(Path path) {
    if (Files.isDirectory(path)) {
      List<String> order = Files.isRegularFile(path.resolve(OPEN_CLIP_CONFIG))
          ? Stream.concat(OPEN_CLIP_WEIGHTS.stream(), HF_WEIGHTS.stream()).toList() : WEIGHT_FILES;
      for (String f : order) {
        if (Files.isRegularFile(path.resolve(f))) {
          return open(path.resolve(f));
        }
      }
      String others;
      try (Stream<Path> s = Files.list(path)) {
        others = s.map(p -> p.getFileName().toString())
            .filter(n -> n.endsWith(".pt") || n.endsWith(".bin") || n.endsWith(".safetensors") || n.endsWith(".pth"))
            .sorted().limit(5).reduce((a, b) -> a + ", " + b).orElse("");
      } catch (IOException e) {
        others = "";
      }
      throw new ClipWeightsException(path + ": no checkpoint (expected one of " + String.join(", ", WEIGHT_FILES) + ")"
          + (others.isEmpty() ? "" : "; it holds " + others + ": pass that file itself"));
    }
    if (!Files.isRegularFile(path)) {
      throw new ClipWeightsException(path + ": no such file or directory");
    }
    if (path.getFileName().toString().endsWith(".index.json")) {
      return openSharded(path);
    }
    TensorFile f = TensorFiles.open(path);
    Map<String, TensorFile> m = new LinkedHashMap<>();
    for (TensorInfo t : f.tensors()) {
      m.put(t.name(), f);
    }
    return new TensorStore(path, path.getFileName() + " (" + f.formatName() + ")", List.of(f), m);
  }

  private static TensorStore openSharded(Path index) {
    Path dir = index.toAbsolutePath().getParent();
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(index.toFile());
    } catch (IOException e) {
      throw new ClipWeightsException(index + ": not valid JSON: " + e.getMessage(), e);
    }
    JsonNode wm = root == null ? null : root.get("weight_map");
    if (wm == null || !wm.isObject() || wm.isEmpty()) {
      throw new ClipWeightsException(index + ": expected a non-empty object 'weight_map' (tensor name -> shard file)");
    }
    Map<String, TensorFile> shards = new LinkedHashMap<>();
    Map<String, TensorFile> byName = new LinkedHashMap<>();
    try {
      long bytes = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = wm.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String file = e.getValue().asText("");
        Path p = dir.resolve(file).normalize();
        if (file.isEmpty() || !p.getParent().equals(dir.normalize())) {
          throw new ClipWeightsException(index + ": weight_map entry '" + e.getKey() + "' names shard '"
              + file + "', expected a file name in " + dir);
        }
        TensorFile st = shards.get(file);
        if (st == null) {
          st = TensorFiles.open(p);
          shards.put(file, st);
        }
        if (!st.has(e.getKey())) {
          throw new ClipWeightsException(index + ": weight_map says tensor '" + e.getKey() + "' is in "
              + file + ", but " + p + " has no such tensor");
        }
        TensorInfo t = st.info(e.getKey());
        bytes += t.numel() * t.dtype().bytes;
        byName.put(e.getKey(), st);
      }
      for (TensorFile st : shards.values()) {
        for (TensorInfo t : st.tensors()) {
          if (byName.get(t.name()) != st) {
            throw new ClipWeightsException(st.path() + ": tensor '" + t.name() + "' is not listed for this shard in "
                + index + (byName.containsKey(t.name()) ? " (listed for another shard)" : ""));
          }
        }
      }
      JsonNode total = root.path("metadata").path("total_size");
      if (total.isNumber() && total.asLong() != bytes) {
        throw new ClipWeightsException(index + ": metadata.total_size is " + total.asLong() + " bytes but the "
            + "tensors of its weight_map hold " + bytes + " bytes");
      }
    } catch (RuntimeException e) {
      shards.values().forEach(TensorFile::close);
      throw e;
    }
    return new TensorStore(index, index.getFileName() + " (" + shards.size() + " shards, "
        + shards.values().iterator().next().formatName() + ")", new ArrayList<>(shards.values()), byName);
  }

  /**
   * The configuration file beside the weights: {@code open_clip_config.json} for open_clip weight files,
   * otherwise {@code config.json}, otherwise {@code open_clip_config.json}; null when there is none.
   */
  Path configFile() {
    Path dir = main.toAbsolutePath().getParent();
    Path hf = dir.resolve(HF_CONFIG);
    Path oc = dir.resolve(OPEN_CLIP_CONFIG);
    boolean openClipFile = main.getFileName().toString().startsWith("open_clip");
    if (openClipFile && Files.isRegularFile(oc)) {
      return oc;
    }
    if (Files.isRegularFile(hf)) {
      return hf;
    }
    return Files.isRegularFile(oc) ? oc : null;
  }

  /** e.g. "model.safetensors (safetensors)" or "pytorch_model.bin.index.json (2 shards, torch.save zip)". */
  String description() {
    return description;
  }

  Iterable<String> names() {
    return byName.keySet();
  }

  boolean has(String name) {
    return byName.containsKey(name);
  }

  /** The file a tensor lives in (for messages); the first file for unknown names. */
  Path fileOf(String name) {
    TensorFile st = byName.get(name);
    return (st != null ? st : files.get(0)).path();
  }

  /** The main file for messages about the checkpoint as a whole (the weights file or the index). */
  Path mainFile() {
    return main;
  }

  /** Entry of a present tensor (under its exposed name), or null. */
  TensorInfo info(String name) {
    TensorFile st = byName.get(name);
    if (st == null) {
      return null;
    }
    TensorInfo t = st.info(stored.get(name));
    return t.name().equals(name) ? t : new TensorInfo(name, t.dtype(), t.shape(), t.begin(), t.end());
  }

  float[] floats(String name) {
    return byName.get(name).floats(stored.get(name));
  }

  /** The {@code __metadata__} of the shards, merged (the first shard wins on conflicts). */
  Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    for (TensorFile st : files) {
      st.metadata().forEach(m::putIfAbsent);
    }
    return m;
  }

  @Override
  public void close() {
    files.forEach(TensorFile::close);
  }
}
