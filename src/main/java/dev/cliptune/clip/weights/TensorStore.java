package dev.cliptune.clip.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.clip.ClipWeightsException;
import dev.cliptune.io.SafeTensors;
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

/**
 * The tensors of a checkpoint directory: one {@code model.safetensors}, or the shards listed by {@code
 * model.safetensors.index.json} ({@code weight_map}: tensor name to shard file name). Closing closes
 * every shard.
 */
final class TensorStore implements AutoCloseable {
  static final String SINGLE = "model.safetensors";
  static final String INDEX = "model.safetensors.index.json";

  private final Path dir;
  private final String description;
  private final List<SafeTensors> files;
  private final Map<String, SafeTensors> byName;

  private TensorStore(Path dir, String description, List<SafeTensors> files, Map<String, SafeTensors> byName) {
    this.dir = dir;
    this.description = description;
    this.files = files;
    this.byName = byName;
  }

  static TensorStore open(Path dir) {
    Path single = dir.resolve(SINGLE);
    Path index = dir.resolve(INDEX);
    if (Files.isRegularFile(single)) {
      SafeTensors st = SafeTensors.open(single);
      Map<String, SafeTensors> m = new LinkedHashMap<>();
      for (TensorInfo t : st.tensors()) {
        m.put(t.name(), st);
      }
      return new TensorStore(dir, SINGLE, List.of(st), Collections.unmodifiableMap(m));
    }
    if (Files.isRegularFile(index)) {
      return openSharded(dir, index);
    }
    StringBuilder hint = new StringBuilder();
    for (String other : new String[] {"pytorch_model.bin", "model.pt", "open_clip_pytorch_model.bin",
        "tf_model.h5", "flax_model.msgpack"}) {
      if (Files.exists(dir.resolve(other))) {
        hint.append("; found ").append(other).append(", which is not supported: convert it to safetensors");
      }
    }
    throw new ClipWeightsException(dir + ": no " + SINGLE + " (nor " + INDEX + ")" + hint);
  }

  private static TensorStore openSharded(Path dir, Path index) {
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
    Map<String, SafeTensors> shards = new LinkedHashMap<>();
    Map<String, SafeTensors> byName = new LinkedHashMap<>();
    try {
      for (Iterator<Map.Entry<String, JsonNode>> it = wm.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String file = e.getValue().asText("");
        Path p = dir.resolve(file).normalize();
        if (file.isEmpty() || !p.startsWith(dir.normalize()) || !p.getFileName().toString().endsWith(".safetensors")) {
          throw new ClipWeightsException(index + ": weight_map entry '" + e.getKey() + "' names shard '"
              + file + "', expected a .safetensors file in " + dir);
        }
        SafeTensors st = shards.get(file);
        if (st == null) {
          st = SafeTensors.open(p);
          shards.put(file, st);
        }
        if (!st.has(e.getKey())) {
          throw new ClipWeightsException(index + ": weight_map says tensor '" + e.getKey() + "' is in "
              + file + ", but " + p + " has no such tensor");
        }
        byName.put(e.getKey(), st);
      }
      for (SafeTensors st : shards.values()) {
        for (TensorInfo t : st.tensors()) {
          if (byName.get(t.name()) != st) {
            throw new ClipWeightsException(st.path() + ": tensor '" + t.name() + "' is not listed for this shard in "
                + index + (byName.containsKey(t.name()) ? " (listed for another shard)" : ""));
          }
        }
      }
    } catch (RuntimeException e) {
      shards.values().forEach(SafeTensors::close);
      throw e;
    }
    return new TensorStore(dir, INDEX + " (" + shards.size() + " shards)", new ArrayList<>(shards.values()),
        Collections.unmodifiableMap(byName));
  }

  /** "model.safetensors" or "model.safetensors.index.json (n shards)". */
  String description() {
    return description;
  }

  Path dir() {
    return dir;
  }

  Iterable<String> names() {
    return byName.keySet();
  }

  boolean has(String name) {
    return byName.containsKey(name);
  }

  /** The file a tensor lives in (for messages); the first file for unknown names. */
  Path fileOf(String name) {
    SafeTensors st = byName.get(name);
    return (st != null ? st : files.get(0)).path();
  }

  /** The main file for messages about the checkpoint as a whole. */
  Path mainFile() {
    return files.size() == 1 ? files.get(0).path() : dir.resolve(INDEX);
  }

  /** Header entry of a present tensor, or null. */
  TensorInfo info(String name) {
    SafeTensors st = byName.get(name);
    return st == null ? null : st.info(name);
  }

  float[] floats(String name) {
    return byName.get(name).floats(name);
  }

  /** The {@code __metadata__} of the shards, merged (the first shard wins on conflicts). */
  Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    for (SafeTensors st : files) {
      st.metadata().forEach(m::putIfAbsent);
    }
    return m;
  }

  @Override
  public void close() {
    files.forEach(SafeTensors::close);
  }
}
