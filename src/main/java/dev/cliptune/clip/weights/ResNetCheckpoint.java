package dev.cliptune.clip.weights;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.ClipWeightsException;
import dev.cliptune.clip.ResNetConfig;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.ModifiedResNet;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenAI-named weights of a ResNet CLIP (RN50, RN101, RN50x4, RN50x16, RN50x64) to {@link ClipWeights}, with the
 * dimensions inferred as the official {@code build_model} does (CHECKPOINTS.md §3):
 *
 * <ul>
 *   <li>a ResNet is a state dict without {@code visual.proj} whose tensors include {@code visual.layer1.*};
 *   <li>blocks of stage b = the distinct indices {@code i} of {@code visual.layer<b>.<i>.*};
 *   <li>width = {@code visual.layer1.0.conv1.weight.shape[0]};
 *   <li>image resolution = 32 x sqrt({@code visual.attnpool.positional_embedding.shape[0]} - 1);
 *   <li>attention-pool heads = width x 32 / 64 (head dim 64);
 *   <li>embed dim = {@code text_projection.shape[1]}; the text tower as for a ViT CLIP (heads = width / 64).
 * </ul>
 *
 * Head counts come, per tower, from the first of: {@link Hints} (an explicit option), the file's
 * {@code __metadata__} ({@code vision_heads}, {@code text_heads}), a {@code config.json} with the {@code
 * build_model} arguments ({@code vision_heads}, {@code transformer_heads}), the official rule. Every dimension the
 * config declares must agree with the tensors. BatchNorm's {@code num_batches_tracked} and the TorchScript integers
 * ({@code input_resolution}, {@code context_length}, {@code vocab_size}) are skipped.
 *
 * <p>Loaders of other file formats call {@link #isResNet} on the OpenAI names they read and then
 * {@link #fromOpenAi}.
 */
public final class ResNetCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger(ResNetCheckpoint.class);
  private static final Pattern STAGE = Pattern.compile("^visual\\.layer([1-4])\\.(\\d+)\\.");
  private static final Set<String> JIT_INTEGERS = Set.of("input_resolution", "context_length", "vocab_size");

  private ResNetCheckpoint() {}

  /**
   * What the tensors cannot say: explicit head counts (null: not given), the {@code build_model} arguments of a
   * {@code config.json} beside the weights (null: none) and whether unknown tensors are skipped (else an error).
   *
   * @param declaredFrom where {@code declared} comes from, for messages (e.g. the config file)
   */
  public record Hints(Integer visionHeads, Integer textHeads, JsonNode declared, String declaredFrom,
      boolean allowUnknownTensors) {
    public static Hints none() {
      return new Hints(null, null, null, null, false);
    }

    /** The loader's options with the {@code build_model} arguments of a config file (null: none). */
    public static Hints of(LoadOptions opts, JsonNode declared, String declaredFrom) {
      return new Hints(opts.visionHeads(), opts.textHeads(), declared, declaredFrom, opts.allowUnknownTensors());
    }
  }

  /** Whether OpenAI-named tensors hold a ModifiedResNet image encoder ({@code build_model}'s test: no {@code visual.proj}). */
  public static boolean isResNet(Iterable<String> openAiNames) {
    boolean proj = false;
    boolean layer = false;
    for (String n : openAiNames) {
      proj |= n.equals("visual.proj");
      layer |= n.startsWith("visual.layer1.") || n.startsWith("visual.attnpool.");
    }
    return layer && !proj;
  }

  /** Whether a name is stored by OpenAI files but is no weight ({@code num_batches_tracked}, TorchScript integers). */
  public static boolean ignorable(String name) {
    return ModifiedResNet.isBatchNormCounter(name) || JIT_INTEGERS.contains(name);
  }

  /**
   * The configuration of a ResNet CLIP from the shapes of its OpenAI-named tensors.
   *
   * @param shapes   every tensor's shape by OpenAI name
   * @param metadata the file's {@code __metadata__} (may be empty)
   * @param file     the checkpoint, for messages
   */
  public static ClipConfig inferConfig(Map<String, long[]> shapes, Map<String, String> metadata, Hints hints,
      String file) {
    Function<String, long[]> need = n -> {
      long[] s = shapes.get(n);
      if (s == null) {
        throw new ClipWeightsException(file + ": missing tensor '" + n + "', needed to infer the ResNet CLIP's "
            + "dimensions as the official build_model does");
      }
      return s;
    };
    List<Integer> layers = new ArrayList<>();
    List<Set<Integer>> blocks = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      blocks.add(new TreeSet<>());
    }
    for (String n : shapes.keySet()) {
      Matcher m = STAGE.matcher(n);
      if (m.find() && m.group(2).length() <= 6) {
        blocks.get(Integer.parseInt(m.group(1)) - 1).add(Integer.parseInt(m.group(2)));
      }
    }
    for (int b = 0; b < 4; b++) {
      Set<Integer> idx = blocks.get(b);
      if (idx.isEmpty() || ((TreeSet<Integer>) idx).last() != idx.size() - 1) {
        throw new ClipWeightsException(file + ": the blocks of visual.layer" + (b + 1) + " are " + idx
            + ", expected 0..n-1 with n >= 1");
      }
      layers.add(idx.size());
    }
    long[] c1 = need.apply("visual.layer1.0.conv1.weight");
    int width = Math.toIntExact(c1[0]);
    long[] pos = need.apply("visual.attnpool.positional_embedding");
    long grid = Math.round(Math.sqrt((double) (pos[0] - 1)));
    if (pos.length != 2 || grid < 1 || grid * grid != pos[0] - 1) {
      throw new ClipWeightsException(file + ": tensor 'visual.attnpool.positional_embedding' has shape "
          + Arrays.toString(pos) + ": expected [g*g + 1, 32 * width] for a g x g attention-pool grid");
    }
    int image = Math.toIntExact(32 * grid);
    int embed = Math.toIntExact(need.apply("text_projection")[1]);
    int context = Math.toIntExact(need.apply("positional_embedding")[0]);
    int vocab = Math.toIntExact(need.apply("token_embedding.weight")[0]);
    int textWidth = Math.toIntExact(need.apply("ln_final.weight")[0]);
    long[] fc = shapes.get("transformer.resblocks.0.mlp.c_fc.weight");
    int textMlp = fc != null && fc.length == 2 ? Math.toIntExact(fc[0]) : 4 * textWidth;
    int textLayers = 0;
    Pattern text = Pattern.compile("^transformer\\.resblocks\\.(\\d{1,6})\\.");
    for (String n : shapes.keySet()) {
      Matcher m = text.matcher(n);
      if (m.find()) {
        textLayers = Math.max(textLayers, Integer.parseInt(m.group(1)) + 1);
      }
    }
    if (textLayers == 0) {
      throw new ClipWeightsException(file + ": no tensors 'transformer.resblocks.{i}.*': the text tower is missing");
    }
    JsonNode d = hints.declared();
    if (d != null) {
      String from = hints.declaredFrom();
      if (d.hasNonNull("vision_patch_size")) {
        throw new ClipWeightsException(from + ": vision_patch_size = " + d.get("vision_patch_size")
            + " declares a ViT, but the weights hold a ModifiedResNet (visual.layer1.*, visual.attnpool.*, no visual.proj)");
      }
      agree(from, d, "embed_dim", embed, "text_projection", shapes);
      agree(from, d, "image_resolution", image, "visual.attnpool.positional_embedding", shapes);
      agree(from, d, "vision_width", width, "visual.layer1.0.conv1.weight", shapes);
      agree(from, d, "context_length", context, "positional_embedding", shapes);
      agree(from, d, "vocab_size", vocab, "token_embedding.weight", shapes);
      agree(from, d, "transformer_width", textWidth, "ln_final.weight", shapes);
      if (d.hasNonNull("transformer_layers") && d.get("transformer_layers").asInt() != textLayers) {
        throw new ClipWeightsException(from + ": transformer_layers = " + d.get("transformer_layers")
            + " disagrees with the weights: " + file + " has transformer.resblocks.{i}.* for i = 0.." + (textLayers - 1));
      }
      JsonNode vl = d.get("vision_layers");
      if (vl != null && !vl.isNull()) {
        List<Integer> declared = new ArrayList<>();
        vl.forEach(n -> declared.add(n.asInt()));
        if (!vl.isArray() || !declared.equals(layers)) {
          throw new ClipWeightsException(from + ": vision_layers = " + vl + " disagrees with the weights: " + file
              + " has " + layers + " blocks in visual.layer1..4 (a ModifiedResNet's vision_layers is a list of four)");
        }
      }
    }
    int vh = heads(hints.visionHeads(), metadata.get("vision_heads"), d, "vision_heads",
        ResNetConfig.officialHeads(width), "vision", file, hints.declaredFrom());
    if (textWidth % 64 != 0 && hints.textHeads() == null && !metadata.containsKey("text_heads")
        && (d == null || !d.hasNonNull("transformer_heads"))) {
      throw new ClipWeightsException(file + ": cannot determine the text head count: the text width " + textWidth
          + " is not a multiple of 64 (the official head size); give it with LoadOptions.withTextHeads, "
          + "__metadata__ text_heads or config.json transformer_heads");
    }
    int th = heads(hints.textHeads(), metadata.get("text_heads"), d, "transformer_heads", textWidth / 64, "text",
        file, hints.declaredFrom());
    if (textWidth % th != 0) {
      throw new ClipWeightsException(file + ": " + th + " text heads do not divide the text width " + textWidth);
    }
    ResNetConfig rc;
    try {
      rc = new ResNetConfig(layers, width, vh, image, 1e-5);
    } catch (IllegalArgumentException e) {
      throw new ClipWeightsException(file + ": not a valid ModifiedResNet: " + e.getMessage(), e);
    }
    return new ClipConfig(embed, rc, new TextConfig(textWidth, textLayers, th, context, vocab, textMlp, 1e-5));
  }

  private static void agree(String from, JsonNode d, String key, int inferred, String tensor,
      Map<String, long[]> shapes) {
    JsonNode n = d.get(key);
    if (n != null && !n.isNull() && (!n.canConvertToInt() || n.asInt() != inferred)) {
      throw new ClipWeightsException(from + ": " + key + " = " + n + " disagrees with the weights: tensor '" + tensor
          + "' has shape " + Arrays.toString(shapes.get(tensor)) + ", so the " + key + " is " + inferred);
    }
  }

  private static int heads(Integer option, String meta, JsonNode declared, String key, int official, String tower,
      String file, String declaredFrom) {
    if (option != null) {
      return option;
    }
    if (meta != null) {
      try {
        int v = Integer.parseInt(meta.trim());
        if (v > 0) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new ClipWeightsException(file + ": __metadata__ " + (tower.equals("text") ? "text_heads" : "vision_heads")
          + " is '" + meta + "', expected a positive integer");
    }
    if (declared != null && declared.hasNonNull(key)) {
      JsonNode n = declared.get(key);
      if (!n.canConvertToInt() || n.asInt() <= 0) {
        throw new ClipWeightsException(declaredFrom + ": " + key + " must be a positive integer, found " + n);
      }
      return n.asInt();
    }
    if (official < 1) {
      throw new ClipWeightsException(file + ": the " + tower + " width is too small for the official head rule");
    }
    return official;
  }

  /**
   * A ResNet CLIP from its OpenAI-named float32 tensors (what every file format is read into). Unknown names are
   * an error unless {@link Hints#allowUnknownTensors()}; {@link #ignorable} names are skipped.
   *
   * @param metadata the file's {@code __metadata__} (may be empty)
   * @param source   where the weights come from, for messages and {@link ClipWeights#source()}
   */
  public static ClipWeights fromOpenAi(Map<String, FloatTensor> tensors, Map<String, String> metadata, Hints hints,
      String source) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    tensors.forEach((n, t) -> shapes.put(n, t.shape()));
    ClipConfig cfg = inferConfig(shapes, metadata, hints, source);
    Map<String, long[]> expected = ClipWeights.shapes(cfg);
    Map<String, FloatTensor> kept = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
      if (expected.containsKey(e.getKey())) {
        kept.put(e.getKey(), e.getValue());
      } else if (!ignorable(e.getKey())) {
        unknown.add(e.getKey());
      }
    }
    if (!unknown.isEmpty()) {
      String list = unknown.stream().limit(10).map(n -> "'" + n + "'").reduce((a, b) -> a + ", " + b).orElse("")
          + (unknown.size() > 10 ? ", ... (" + unknown.size() + " in all)" : "");
      if (!hints.allowUnknownTensors()) {
        throw new ClipWeightsException(source + ": unexpected tensor(s) " + list + " not part of a ResNet CLIP "
            + "(" + ClipWeights.describe(cfg) + "; LoadOptions.withAllowUnknownTensors(true) skips them)");
      }
      LOG.warn("{}: skipping {} unknown tensor(s): {}", source, unknown.size(), list);
    }
    return new ClipWeights(cfg, kept, source);
  }

  /** The branch of {@link ClipLoader}: a checkpoint (any format) whose tensors hold a ResNet CLIP. */
  static ClipWeights load(TensorStore store, LoadOptions opts) {
    Path configFile = store.configFile();
    JsonNode declared = null;
    if (configFile != null && Files.isRegularFile(configFile)) {
      JsonNode root = DeclaredConfig.readJson(configFile);
      if (DeclaredConfig.detectForm(root) == DeclaredConfig.Form.HF) {
        throw new ClipWeightsException(configFile + ": a HuggingFace CLIPConfig, but " + store.mainFile()
            + " holds a ResNet CLIP (HF CLIPModel is ViT-only)");
      }
      declared = root;
    }
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    store.names().forEach(names::add);
    for (String n : names) {
      if (ignorable(n)) {
        continue;
      }
      TensorInfo t = store.info(n);
      if (!t.dtype().isFloating()) {
        throw new ClipWeightsException(store.fileOf(n) + ": tensor '" + n + "' has dtype " + t.dtype()
            + ", expected a floating-point dtype (F32, F16, BF16, F64)");
      }
    }
    for (String n : names) {
      if (!ignorable(n)) {
        tensors.put(n, new FloatTensor(n, store.info(n).shape(), store.floats(n)));
      }
    }
    Hints hints = Hints.of(opts, declared, String.valueOf(configFile));
    String source = store.mainFile().toAbsolutePath().normalize() + " (OpenAI state-dict layout, ResNet CLIP, "
        + store.description() + (declared != null ? ", config.json" : "") + ")";
    return fromOpenAi(tensors, store.metadata(), hints, source);
  }
}
