package dev.cliptune.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which files of a hub repository make a CLIP model: an open_clip model when the repository has
 * {@code open_clip_config.json} and its weights ({@code open_clip_model.safetensors}, else
 * {@code open_clip_pytorch_model.bin}: the "safe alternative" first, as {@code download_pretrained_from_hf} does),
 * else an HF {@code CLIPModel} ({@code config.json} with {@code model.safetensors}, else
 * {@code model.safetensors.index.json}, else {@code pytorch_model.bin}, else {@code pytorch_model.bin.index.json}),
 * with the tokenizer and preprocessor files that are there. open_clip comes first because the repositories that
 * carry both are open_clip's: LAION's hold the same weights in both layouts, and timm's
 * ({@code timm/vit_base_patch16_clip_224.openai}, ...) have a {@code config.json} and {@code model.safetensors}
 * that are timm's, not a {@code CLIPModel}.
 */
public final class ClipFiles {
  public static final List<String> HF_WEIGHTS = List.of("model.safetensors", "model.safetensors.index.json",
      "pytorch_model.bin", "pytorch_model.bin.index.json");
  public static final List<String> OPEN_CLIP_WEIGHTS = List.of("open_clip_model.safetensors",
      "open_clip_pytorch_model.bin");
  static final List<String> HF_EXTRAS = List.of("vocab.json", "merges.txt", "preprocessor_config.json");
  static final String HF_CONFIG = "config.json";
  static final String OPEN_CLIP_CONFIG = "open_clip_config.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClipFiles() {}

  /** The files to fetch; {@code index} is the sharded index among them (its shards come after it), or null. */
  record Choice(List<String> files, String index) {}

  static Choice choose(Collection<String> available, String what) {
    String ocWeights = first(OPEN_CLIP_WEIGHTS, available);
    if (available.contains(OPEN_CLIP_CONFIG) && ocWeights != null) {
      List<String> files = new ArrayList<>(List.of(OPEN_CLIP_CONFIG));
      HF_EXTRAS.stream().filter(available::contains).forEach(files::add);
      files.add(ocWeights);
      return new Choice(files, null);
    }
    String hfWeights = first(HF_WEIGHTS, available);
    if (available.contains(HF_CONFIG) && hfWeights != null) {
      List<String> files = new ArrayList<>(List.of(HF_CONFIG));
      HF_EXTRAS.stream().filter(available::contains).forEach(files::add);
      files.add(hfWeights);
      return new Choice(files, hfWeights.endsWith(".index.json") ? hfWeights : null);
    }
    List<String> names = new ArrayList<>(new TreeSet<>(available));
    String listing = names.size() > 25 ? String.join(", ", names.subList(0, 25)) + ", ... (" + names.size()
        + " files)" : String.join(", ", names);
    throw new HubException(HubException.Kind.ENTRY_NOT_FOUND, what + " holds no CLIP model cliptune can load:"
        + " expected config.json with one of " + HF_WEIGHTS + ", or open_clip_config.json with one of "
        + OPEN_CLIP_WEIGHTS + "; it has: " + (listing.isEmpty() ? "no files" : listing));
  }

  private static String first(List<String> preferred, Collection<String> available) {
    return preferred.stream().filter(available::contains).findFirst().orElse(null);
  }

  /** The shard files a {@code *.index.json} names (its {@code weight_map} values), in order, each once. */
  static List<String> shards(Path index) throws IOException {
    JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
    if (!map.isObject() || map.isEmpty()) {
      throw new HubException(HubException.Kind.PROTOCOL, index + ": no \"weight_map\" object naming the shards");
    }
    TreeSet<String> shards = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      JsonNode v = it.next().getValue();
      if (!v.isTextual()) {
        throw new HubException(HubException.Kind.PROTOCOL, index + ": weight_map values must be shard file names,"
            + " found " + v);
      }
      HubCache.validateFilename(v.asText());
      shards.add(v.asText());
    }
    return new ArrayList<>(shards);
  }

  /**
   * Whether a snapshot folder holds a whole model (config and weights, every shard of an index), so that a full
   * commit needs no network.
   */
  public static boolean complete(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    return completeWith(dir, HF_CONFIG, HF_WEIGHTS) || completeWith(dir, OPEN_CLIP_CONFIG, OPEN_CLIP_WEIGHTS);
  }

  private static boolean completeWith(Path dir, String config, List<String> weights) {
    if (!Files.isRegularFile(dir.resolve(config))) {
      return false;
    }
    String w = first(weights, weights.stream().filter(f -> Files.isRegularFile(dir.resolve(f))).toList());
    if (w == null) {
      return false;
    }
    if (!w.endsWith(".index.json")) {
      return true;
    }
    try {
      return shards(dir.resolve(w)).stream().allMatch(s -> Files.isRegularFile(dir.resolve(s)));
    } catch (IOException | HubException e) {
      return false;
    }
  }
}
