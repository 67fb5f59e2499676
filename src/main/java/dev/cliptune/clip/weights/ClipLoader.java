package dev.cliptune.clip.weights;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cliptune.clip.Activation;
import dev.cliptune.clip.ClipConfig;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.ClipWeightsException;
import dev.cliptune.clip.TextConfig;
import dev.cliptune.clip.VisionConfig;
import dev.cliptune.clip.weights.DeclaredConfig.Dim;
import dev.cliptune.clip.weights.DeclaredConfig.Value;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a ViT CLIP checkpoint (a file or a directory) into {@link ClipWeights} (OpenAI state-dict naming,
 * float32); a ResNet CLIP is detected by its names and branches off before any ViT logic.
 *
 * <p><b>Layouts</b>, told apart by the tensor names:
 *
 * <ul>
 *   <li>{@link Layout#HF}: a HuggingFace {@code CLIPModel} ({@code text_model.*}, {@code vision_model.*},
 *       {@code visual_projection.weight}, {@code text_projection.weight}, {@code logit_scale}). The
 *       separate q/k/v projections are stacked into {@code in_proj_*}, the two projection matrices are
 *       transposed, {@code position_ids} buffers are ignored (CLIP.md §10).
 *   <li>{@link Layout#OPENAI}: the official state dict ({@code visual.*}, {@code token_embedding.weight},
 *       {@code transformer.resblocks.*}, ...), used as is.
 * </ul>
 *
 * <p><b>Files</b>: any file {@link dev.cliptune.io.torch.TensorFiles} reads (safetensors, torch.save zip or legacy,
 * TorchScript), the shards of a {@code *.index.json}, or a directory's first weights file ({@link
 * TensorStore#WEIGHT_FILES}; open_clip's files first beside {@code open_clip_config.json}); F16/BF16/F64 are
 * converted to float32. The configuration beside the weights is optional: a transformers {@code CLIPConfig} (see
 * {@link HfClipConfig}), the keyword arguments of the official {@code build_model} ({@code vision_width},
 * {@code transformer_heads}, ...), or open_clip's {@code open_clip_config.json} (which also says whether the MLPs
 * use QuickGELU or exact GELU). open_clip's {@code logit_scale} of shape {@code [1]} is read as a scalar.
 *
 * <p><b>Dimensions</b> are inferred from the tensors as the official {@code build_model} does (vision
 * width and patch from the patch-embedding convolution, grid from the vision position embedding, layer
 * counts from the block indices, embedding size from the text projection, context from the text position
 * embedding, vocabulary from the token embedding, text width from the final LayerNorm, MLP width from the
 * first block's {@code c_fc}); every value a {@code config.json} declares (including transformers
 * defaults for absent fields) must agree, otherwise the error names the config field, the tensor and
 * both values. Head counts: see {@link LoadOptions}. LayerNorm epsilon: the config's {@code
 * layer_norm_eps}, else 1e-5.
 *
 * <p><b>Validation</b>: every tensor the configuration implies must be present with exactly the implied
 * shape and a floating-point dtype (all problems are listed, the first one leads the message). Tensors
 * the loader does not know are an <b>error</b> by default — they usually mean a different architecture
 * (a ResNet image encoder, a patch-embedding bias, a pooler head) whose outputs would silently be wrong;
 * {@link LoadOptions#allowUnknownTensors()} turns them into a logged warning. The buffers
 * {@code *position_ids}, {@code input_resolution}, {@code context_length} and {@code vocab_size} are
 * always skipped. Truncated or corrupt files are reported by {@link dev.cliptune.io.SafeTensors}.
 * Non-finite values are not checked.
 */
public final class ClipLoader {
  private static final Logger LOG = LoggerFactory.getLogger(ClipLoader.class);
  private static final String CONFIG = "config.json";

  /** Naming scheme of the tensors in a checkpoint. */
  public enum Layout {
    HF("HuggingFace CLIPModel layout"), OPENAI("OpenAI state-dict layout"),
    /** OpenAI names with a ModifiedResNet image encoder ({@code visual.layer1.*}, {@code visual.attnpool.*}). */
    OPENAI_RESNET("OpenAI state-dict layout, ResNet image encoder");

    public final String label;

    Layout(String label) {
      this.label = label;
    }
  }

  private ClipLoader() {}

  /** {@link #load(Path, LoadOptions)} with {@link LoadOptions#defaults()}. */
  public static ClipWeights load(Path dir) {
    return load(dir, LoadOptions.defaults());
  }

  /**
   * Loads a checkpoint: a model directory (the first of {@code model.safetensors}, {@code
   * model.safetensors.index.json}, {@code pytorch_model.bin}, {@code pytorch_model.bin.index.json}, {@code
   * open_clip_model.safetensors}, {@code open_clip_pytorch_model.bin}), or one file of any format
   * {@link dev.cliptune.io.torch.TensorFiles} reads ({@code .safetensors}, torch.save {@code .bin}/{@code .pt}, legacy
   * torch.save, TorchScript {@code .pt} such as {@code ~/.cache/clip/ViT-B-16.pt}) or a sharded {@code
   * *.index.json}. The configuration beside it ({@code config.json} or {@code open_clip_config.json}) is
   * optional. A null {@code opts} means {@link LoadOptions#defaults()}.
   *
   * @throws ClipWeightsException when the checkpoint is incomplete, inconsistent or unsupported
   * @throws dev.cliptune.io.SafeTensorsException when a safetensors file is unreadable or truncated
   * @throws dev.cliptune.io.torch.TorchFileException when a PyTorch file is refused (the message says why)
   */
  public static ClipWeights load(Path path, LoadOptions opts) {
    try (TensorStore store = TensorStore.open(path)) {
      LoadOptions o = opts != null ? opts : LoadOptions.defaults();
      Layout layout = detect(store);
      if (layout == Layout.OPENAI_RESNET) {
        return ResNetCheckpoint.load(store, o);
      }
      return new Job(store, o, layout).run();
    }
  }

  /**
   * Every floating-point tensor of a checkpoint (file or directory, any format) as float32 under its stored
   * name (open_clip's {@code text.} prefix dropped), in file order, with the configuration file beside it.
   * Integer buffers ({@code num_batches_tracked}, {@code position_ids}, the JIT integers) are left out.
   */
  public static StateDict readFloatTensors(Path path) {
    try (TensorStore store = TensorStore.open(path)) {
      Map<String, FloatTensor> out = new LinkedHashMap<>();
      for (String n : store.names()) {
        TensorInfo t = store.info(n);
        if (t.dtype().isFloating()) {
          out.put(n, new FloatTensor(n, t.shape(), store.floats(n)));
        }
      }
      return new StateDict(out, store.mainFile(), store.configFile(), store.description());
    }
  }

  /** Float32 tensors of a checkpoint by stored name, where they came from and the configuration beside them. */
  public record StateDict(Map<String, FloatTensor> tensors, Path file, Path configFile, String description) {}

  /** The layout of the checkpoint at {@code path} (file or directory), from its tensor names. */
  public static Layout detectLayout(Path path) {
    try (TensorStore store = TensorStore.open(path)) {
      return detect(store);
    }
  }

  private static final Set<String> JIT_INTEGERS = Set.of("input_resolution", "context_length", "vocab_size");

  /** Buffers that are not weights: HF's position_ids, the JIT integers, the causal mask older open_clip saved. */
  private static boolean ignorable(String name) {
    return name.endsWith("position_ids") || JIT_INTEGERS.contains(name) || name.equals("attn_mask")
        || name.endsWith(".attn_mask");
  }

  static Layout detect(TensorStore store) {
    boolean hf = false;
    boolean openai = false;
    boolean resnet = false;
    List<String> some = new ArrayList<>();
    for (String n : store.names()) {
      if (some.size() < 5) {
        some.add(n);
      }
      if (n.startsWith("text_model.") || n.startsWith("vision_model.")) {
        hf = true;
      } else if (n.startsWith("visual.") || n.startsWith("transformer.resblocks.")
          || n.equals("token_embedding.weight")) {
        openai = true;
      }
      if (n.startsWith("visual.attnpool.") || n.startsWith("visual.layer1.")) {
        resnet = true;
      }
    }
    if (hf && openai) {
      throw new ClipWeightsException(store.mainFile() + ": mixes HuggingFace names (text_model.*, vision_model.*)"
          + " and OpenAI names (visual.*, transformer.resblocks.*); expected one layout");
    }
    if (!hf && !openai) {
      throw new ClipWeightsException(ClipWeightsException.NOT_CLIP, store.mainFile() + ": not a CLIP checkpoint: "
          + "no CLIP weights (expected tensors named 'vision_model.*'/'text_model.*' (HuggingFace CLIPModel) or "
          + "'visual.*'/'token_embedding.weight' (OpenAI state dict)); found e.g. " + some);
    }
    return hf ? Layout.HF : resnet ? Layout.OPENAI_RESNET : Layout.OPENAI;
  }

  // ---------------------------------------------------------------------------------------------
  // Name mapping: how one OpenAI tensor is made from the file's tensors

  /** How an OpenAI-named tensor is obtained from the file's tensors. */
  sealed interface Recipe permits Direct, Transposed, Stacked, Scalar {
    List<String> sources();

    /** Whether source {@code i} with stored shape {@code found} fits the expected source shape. */
    default boolean accepts(int i, long[] found, long[] expected) {
      return Arrays.equals(found, expected);
    }

    /** The source shapes that give the OpenAI shape {@code s}. */
    List<long[]> sourceShapes(long[] s);

    /** The OpenAI-layout shape, or null when a source is missing. */
    long[] shape(TensorStore st);

    float[] read(TensorStore st, long[] shape);
  }

  record Direct(String src) implements Recipe {
    public List<String> sources() {
      return List.of(src);
    }

    public List<long[]> sourceShapes(long[] s) {
      return List.of(s);
    }

    public long[] shape(TensorStore st) {
      TensorInfo t = st.info(src);
      return t == null ? null : t.shape();
    }

    public float[] read(TensorStore st, long[] shape) {
      return st.floats(src);
    }
  }

  /** A scalar that open_clip stores with shape {@code [1]} ({@code logit_scale}); {@code []} and {@code [1]} fit. */
  record Scalar(String src) implements Recipe {
    public List<String> sources() {
      return List.of(src);
    }

    public List<long[]> sourceShapes(long[] s) {
      return List.of(s);
    }

    @Override
    public boolean accepts(int i, long[] found, long[] expected) {
      return found.length == 0 || (found.length == 1 && found[0] == 1);
    }

    public long[] shape(TensorStore st) {
      return st.info(src) == null ? null : new long[0];
    }

    public float[] read(TensorStore st, long[] shape) {
      return st.floats(src);
    }
  }

  /** A 2-D HF {@code Linear} weight {@code [out, in]} stored where OpenAI keeps {@code [in, out]}. */
  record Transposed(String src) implements Recipe {
    public List<String> sources() {
      return List.of(src);
    }

    public List<long[]> sourceShapes(long[] s) {
      return List.of(s.length == 2 ? new long[] {s[1], s[0]} : s);
    }

    public long[] shape(TensorStore st) {
      TensorInfo t = st.info(src);
      return t == null || t.shape().length != 2 ? null : new long[] {t.shape()[1], t.shape()[0]};
    }

    public float[] read(TensorStore st, long[] shape) {
      float[] a = st.floats(src);
      int rows = Math.toIntExact(shape[0]);
      int cols = Math.toIntExact(shape[1]);
      float[] out = new float[a.length];
      for (int i = 0; i < cols; i++) {
        for (int j = 0; j < rows; j++) {
          out[j * cols + i] = a[i * rows + j];
        }
      }
      return out;
    }
  }

  /** Separate q, k, v tensors stacked along dimension 0 into one {@code in_proj} tensor. */
  record Stacked(List<String> srcs) implements Recipe {
    public List<String> sources() {
      return srcs;
    }

    public List<long[]> sourceShapes(long[] s) {
      long[] part = s.clone();
      part[0] = s[0] / srcs.size();
      return srcs.stream().map(x -> part).toList();
    }

    public long[] shape(TensorStore st) {
      TensorInfo t = st.info(srcs.get(0));
      if (t == null || t.shape().length == 0) {
        return null;
      }
      long[] s = t.shape().clone();
      s[0] *= srcs.size();
      return s;
    }

    public float[] read(TensorStore st, long[] shape) {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      float[] out = new float[Math.toIntExact(n)];
      int off = 0;
      for (String s : srcs) {
        float[] part = st.floats(s);
        System.arraycopy(part, 0, out, off, part.length);
        off += part.length;
      }
      return out;
    }
  }

  private static final Pattern BLOCK = Pattern.compile("^(visual\\.)?transformer\\.resblocks\\.(\\d+)\\.(.+)$");

  private static final Map<String, String> HF_FIXED = Map.ofEntries(
      Map.entry("logit_scale", "logit_scale"),
      Map.entry("token_embedding.weight", "text_model.embeddings.token_embedding.weight"),
      Map.entry("positional_embedding", "text_model.embeddings.position_embedding.weight"),
      Map.entry("ln_final.weight", "text_model.final_layer_norm.weight"),
      Map.entry("ln_final.bias", "text_model.final_layer_norm.bias"),
      Map.entry("visual.conv1.weight", "vision_model.embeddings.patch_embedding.weight"),
      Map.entry("visual.class_embedding", "vision_model.embeddings.class_embedding"),
      Map.entry("visual.positional_embedding", "vision_model.embeddings.position_embedding.weight"),
      Map.entry("visual.ln_pre.weight", "vision_model.pre_layrnorm.weight"),
      Map.entry("visual.ln_pre.bias", "vision_model.pre_layrnorm.bias"),
      Map.entry("visual.ln_post.weight", "vision_model.post_layernorm.weight"),
      Map.entry("visual.ln_post.bias", "vision_model.post_layernorm.bias"));

  private static final Map<String, String> HF_BLOCK = Map.of(
      "attn.out_proj.weight", "self_attn.out_proj.weight",
      "attn.out_proj.bias", "self_attn.out_proj.bias",
      "ln_1.weight", "layer_norm1.weight",
      "ln_1.bias", "layer_norm1.bias",
      "ln_2.weight", "layer_norm2.weight",
      "ln_2.bias", "layer_norm2.bias",
      "mlp.c_fc.weight", "mlp.fc1.weight",
      "mlp.c_fc.bias", "mlp.fc1.bias",
      "mlp.c_proj.weight", "mlp.fc2.weight",
      "mlp.c_proj.bias", "mlp.fc2.bias");

  static Recipe recipe(Layout layout, String o) {
    if (o.equals("logit_scale")) {
      return new Scalar(o);
    }
    if (layout != Layout.HF) {
      return new Direct(o);
    }
    if (o.equals("text_projection")) {
      return new Transposed("text_projection.weight");
    }
    if (o.equals("visual.proj")) {
      return new Transposed("visual_projection.weight");
    }
    String fixed = HF_FIXED.get(o);
    if (fixed != null) {
      return new Direct(fixed);
    }
    Matcher m = BLOCK.matcher(o);
    if (m.matches()) {
      String p = (m.group(1) != null ? "vision_model" : "text_model") + ".encoder.layers." + m.group(2) + ".";
      String rest = m.group(3);
      if (rest.equals("attn.in_proj_weight") || rest.equals("attn.in_proj_bias")) {
        String kind = rest.endsWith("weight") ? "weight" : "bias";
        return new Stacked(List.of(p + "self_attn.q_proj." + kind, p + "self_attn.k_proj." + kind,
            p + "self_attn.v_proj." + kind));
      }
      String mapped = HF_BLOCK.get(rest);
      if (mapped != null) {
        return new Direct(p + mapped);
      }
    }
    throw new IllegalStateException("no HuggingFace name for OpenAI tensor '" + o + "'");
  }

  // ---------------------------------------------------------------------------------------------
  // One load

  /** Where an inferred dimension came from, for messages. */
  private record Evidence(int value, String explanation) {}

  /** A resolved head count and where it came from. */
  private record Heads(int value, String from) {}

  private static final class Job {
    final TensorStore store;
    final LoadOptions opts;
    final Layout layout;
    DeclaredConfig declared;
    final Map<Dim, Evidence> inferred = new EnumMap<>(Dim.class);
    final List<String> notes = new ArrayList<>();

    Job(TensorStore store, LoadOptions opts, Layout layout) {
      this.store = store;
      this.opts = opts;
      this.layout = layout;
    }

    ClipWeights run() {
      readConfig();
      infer();
      crossCheck();
      ClipConfig cfg = resolve();
      Map<String, long[]> shapes = ClipWeights.shapes(cfg);
      Map<String, Recipe> recipes = new LinkedHashMap<>();
      shapes.keySet().forEach(n -> recipes.put(n, recipe(layout, n)));
      validate(cfg, shapes, recipes);
      checkUnknown(recipes);
      Map<String, FloatTensor> data = new ConcurrentHashMap<>();
      new ArrayList<>(shapes.keySet()).parallelStream().forEach(n -> {
        long[] s = shapes.get(n);
        data.put(n, new FloatTensor(n, s, recipes.get(n).read(store, s)));
      });
      String source = store.mainFile().toAbsolutePath().normalize() + " (" + layout.label + ", " + store.description()
          + (declared != null ? ", " + declared.file.getFileName() : "")
          + (notes.isEmpty() ? "" : "; " + String.join("; ", notes)) + ")";
      return new ClipWeights(cfg, data, source);
    }

    void readConfig() {
      Path file = store.configFile();
      if (file == null) {
        return;
      }
      JsonNode root = DeclaredConfig.readJson(file);
      if (file.getFileName().toString().equals(TensorStore.OPEN_CLIP_CONFIG)) {
        declared = DeclaredConfig.parseOpenClip(file, root);
        return;
      }
      DeclaredConfig.Form form = DeclaredConfig.detectForm(root);
      if (form == null && layout == Layout.HF) {
        form = DeclaredConfig.Form.HF; // transformers would take every default
      }
      if (form == null) {
        LOG.warn("{}: neither a HuggingFace CLIPConfig nor OpenAI build_model arguments; ignored", file);
        notes.add(CONFIG + " ignored (unrecognised)");
        return;
      }
      declared = form == DeclaredConfig.Form.HF ? DeclaredConfig.parseHf(file, root)
          : DeclaredConfig.parseOpenAi(file, root);
    }

    // -- inference, as the official build_model does

    void infer() {
      inferFromShape(Dim.VISION_WIDTH, "visual.conv1.weight", 4, 0);
      inferFromShape(Dim.PATCH, "visual.conv1.weight", 4, 3);
      inferFromShape(Dim.VISION_MLP, "visual.transformer.resblocks.0.mlp.c_fc.weight", 2, 0);
      inferFromShape(Dim.EMBED, "text_projection", 2, 1);
      inferFromShape(Dim.TEXT_WIDTH, "ln_final.weight", 1, 0);
      inferFromShape(Dim.CONTEXT, "positional_embedding", 2, 0);
      inferFromShape(Dim.VOCAB, "token_embedding.weight", 2, 0);
      inferFromShape(Dim.TEXT_MLP, "transformer.resblocks.0.mlp.c_fc.weight", 2, 0);
      inferLayers(Dim.VISION_LAYERS, true);
      inferLayers(Dim.TEXT_LAYERS, false);
      // image size = grid * patch, grid from the number of vision positions
      Recipe r = recipe(layout, "visual.positional_embedding");
      long[] s = r.shape(store);
      Evidence patch = inferred.get(Dim.PATCH);
      if (s != null && s.length == 2 && patch != null) {
        long positions = s[0] - 1;
        long grid = Math.round(Math.sqrt((double) positions));
        String src = r.sources().get(0);
        TensorInfo t = store.info(src);
        if (positions < 1 || grid * grid != positions) {
          throw new ClipWeightsException(store.fileOf(src) + ": tensor '" + src + "' has shape " + t.shapeString()
              + ": " + positions + " patch positions (plus the class token) do not form a square grid");
        }
        inferred.put(Dim.IMAGE, new Evidence(Math.toIntExact(grid * patch.value()), store.fileOf(src)
            + ": tensor '" + src + "' has shape " + t.shapeString() + ", i.e. a " + grid + "x" + grid
            + " grid of " + patch.value() + "-pixel patches, so the image size is " + grid * patch.value()));
      }
    }

    /** Infers {@code d} from axis {@code axis} of a tensor of rank {@code rank} (OpenAI layout). */
    private void inferFromShape(Dim d, String openAiName, int rank, int axis) {
      Recipe r = recipe(layout, openAiName);
      long[] s = r.shape(store);
      if (s == null || s.length != rank) {
        return; // missing or malformed: reported by validate() with the expected shape
      }
      String src = r.sources().get(0);
      TensorInfo t = store.info(src);
      inferred.put(d, new Evidence(Math.toIntExact(s[axis]), store.fileOf(src) + ": tensor '" + src
          + "' has shape " + t.shapeString() + ", so the " + d.label + " is " + s[axis]));
    }

    private void inferLayers(Dim d, boolean vision) {
      Pattern p = Pattern.compile(layout == Layout.HF
          ? (vision ? "^vision_model\\.encoder\\.layers\\.(\\d+)\\." : "^text_model\\.encoder\\.layers\\.(\\d+)\\.")
          : (vision ? "^visual\\.transformer\\.resblocks\\.(\\d+)\\." : "^transformer\\.resblocks\\.(\\d+)\\."));
      int max = -1;
      for (String n : store.names()) {
        Matcher m = p.matcher(n);
        if (m.find() && m.group(1).length() <= 6) { // longer indices are left to checkUnknown()
          max = Math.max(max, Integer.parseInt(m.group(1)));
        }
      }
      String pattern = p.pattern().replace("^", "").replace("\\.", ".").replace("(\\d+).", "{i}.*");
      inferred.put(d, new Evidence(max + 1, store.mainFile() + (max < 0 ? " has no tensors '" + pattern + "'"
          : " has tensors '" + pattern + "' for i = 0.." + max) + ", so the " + d.label + " is " + (max + 1)));
    }

    // -- agreement of config.json with the tensors

    void crossCheck() {
      if (declared == null) {
        return;
      }
      for (Dim d : Dim.values()) {
        Value v = declared.get(d);
        Evidence e = inferred.get(d);
        if (v != null && e != null && v.value() != e.value()) {
          throw new ClipWeightsException(declared.file + ": " + v.describe(d.label)
              + " disagrees with the weights: " + e.explanation());
        }
      }
    }

    // -- final dimensions

    ClipConfig resolve() {
      int vw = dim(Dim.VISION_WIDTH, "visual.conv1.weight");
      int tw = dim(Dim.TEXT_WIDTH, "ln_final.weight");
      int vl = dim(Dim.VISION_LAYERS, null);
      int tl = dim(Dim.TEXT_LAYERS, null);
      if (vl == 0 || tl == 0) {
        Dim d = vl == 0 ? Dim.VISION_LAYERS : Dim.TEXT_LAYERS;
        throw new ClipWeightsException(inferred.get(d).explanation() + "; expected at least one");
      }
      int patch = dim(Dim.PATCH, "visual.conv1.weight");
      int image = dim(Dim.IMAGE, "visual.positional_embedding");
      int vmlp = orElse(Dim.VISION_MLP, 4 * vw);
      int tmlp = orElse(Dim.TEXT_MLP, 4 * tw);
      int embed = dim(Dim.EMBED, "text_projection");
      int context = dim(Dim.CONTEXT, "positional_embedding");
      int vocab = dim(Dim.VOCAB, "token_embedding.weight");
      Heads vh = heads(true, vw);
      Heads th = heads(false, tw);
      double veps = declared != null ? declared.visionEps : DeclaredConfig.DEFAULT_EPS;
      double teps = declared != null ? declared.textEps : DeclaredConfig.DEFAULT_EPS;
      Activation vact = declared != null ? declared.visionAct : Activation.QUICK_GELU;
      Activation tact = declared != null ? declared.textAct : Activation.QUICK_GELU;
      return new ClipConfig(embed, new VisionConfig(vw, vl, vh.value(), patch, image, vmlp, veps, vact),
          new TextConfig(tw, tl, th.value(), context, vocab, tmlp, teps, tact));
    }

    /** Inferred value, else the declared one, else a missing-tensor error naming the tensor needed. */
    private int dim(Dim d, String neededOpenAiName) {
      Evidence e = inferred.get(d);
      if (e != null) {
        return e.value();
      }
      Value v = declared == null ? null : declared.get(d);
      if (v != null) {
        return v.value();
      }
      Recipe r = recipe(layout, neededOpenAiName);
      String src = r.sources().get(0);
      TensorInfo t = store.info(src);
      throw new ClipWeightsException(store.fileOf(src) + ": " + (t == null ? "missing tensor '" + src + "'"
          : "tensor '" + src + "' has unexpected shape " + t.shapeString()) + ", needed to determine the "
          + d.label + (layout == Layout.HF ? " (OpenAI name '" + neededOpenAiName + "')" : ""));
    }

    private int orElse(Dim d, int fallback) {
      Evidence e = inferred.get(d);
      if (e != null) {
        return e.value();
      }
      Value v = declared == null ? null : declared.get(d);
      return v != null ? v.value() : fallback;
    }

    /** Explicit option > safetensors __metadata__ > config.json > width / 64. */
    private Heads heads(boolean vision, int width) {
      String tower = vision ? "vision" : "text";
      Heads h;
      Integer opt = vision ? opts.visionHeads() : opts.textHeads();
      String metaKey = vision ? "vision_heads" : "text_heads";
      String meta = store.metadata().get(metaKey);
      Value dec = declared == null ? null : declared.get(vision ? Dim.VISION_HEADS : Dim.TEXT_HEADS);
      if (opt != null) {
        h = new Heads(opt, "LoadOptions." + tower + "Heads = " + opt);
      } else if (meta != null) {
        int v;
        try {
          v = Integer.parseInt(meta.trim());
        } catch (NumberFormatException e) {
          v = -1;
        }
        if (v <= 0) {
          throw new ClipWeightsException(store.mainFile() + ": __metadata__ " + metaKey + " is '" + meta
              + "', expected a positive integer");
        }
        h = new Heads(v, store.mainFile() + ": __metadata__ " + metaKey + " = " + v);
        notes.add(tower + " heads from __metadata__");
      } else if (dec != null) {
        h = new Heads(dec.value(), declared.file + ": " + dec.describe());
      } else {
        if (width % 64 != 0) {
          throw new ClipWeightsException(store.mainFile() + ": cannot determine the " + tower + " head count: "
              + "the " + tower + " width " + width + " is not a multiple of 64 (the official head size); "
              + "give it with LoadOptions.with" + (vision ? "Vision" : "Text") + "Heads, __metadata__ "
              + metaKey + " or " + CONFIG);
        }
        h = new Heads(width / 64, tower + " width " + width + " / 64 (the official loader's assumption)");
        notes.add(tower + " heads = width/64");
      }
      if (width % h.value() != 0) {
        Evidence w = inferred.get(vision ? Dim.VISION_WIDTH : Dim.TEXT_WIDTH);
        throw new ClipWeightsException(h.from() + ": " + h.value() + " " + tower + " heads do not divide the "
            + tower + " width " + width + (w != null ? " (" + w.explanation() + ")" : ""));
      }
      return h;
    }

    // -- every tensor against the configuration

    void validate(ClipConfig cfg, Map<String, long[]> shapes, Map<String, Recipe> recipes) {
      List<String> problems = new ArrayList<>();
      for (Map.Entry<String, long[]> e : shapes.entrySet()) {
        String o = e.getKey();
        Recipe r = recipes.get(o);
        List<long[]> expected = r.sourceShapes(e.getValue());
        for (int i = 0; i < r.sources().size(); i++) {
          String src = r.sources().get(i);
          String alias = layout == Layout.HF ? " (OpenAI '" + o + "')" : "";
          TensorInfo t = store.info(src);
          if (t == null) {
            problems.add(store.mainFile() + ": missing tensor '" + src + "'" + alias + ", expected shape "
                + Arrays.toString(expected.get(i)));
          } else if (!r.accepts(i, t.shape(), expected.get(i))) {
            problems.add(store.fileOf(src) + ": tensor '" + src + "'" + alias + " has shape " + t.shapeString()
                + ", expected " + Arrays.toString(expected.get(i)));
          } else if (!t.dtype().isFloating()) {
            problems.add(store.fileOf(src) + ": tensor '" + src + "'" + alias + " has dtype " + t.dtype()
                + ", expected a floating-point dtype (F32, F16, BF16, F64)");
          }
        }
      }
      if (!problems.isEmpty()) {
        StringBuilder sb = new StringBuilder(problems.get(0));
        if (problems.size() > 1) {
          sb.append("\n(").append(problems.size()).append(" problems in all:");
          problems.stream().skip(1).limit(20).forEach(p -> sb.append("\n  ").append(p));
          if (problems.size() > 21) {
            sb.append("\n  ...");
          }
          sb.append(")");
        }
        sb.append("\nexpected model: ").append(ClipWeights.describe(cfg));
        throw new ClipWeightsException(sb.toString());
      }
    }

    void checkUnknown(Map<String, Recipe> recipes) {
      Set<String> used = new HashSet<>();
      recipes.values().forEach(r -> used.addAll(r.sources()));
      List<String> unknown = new ArrayList<>();
      for (String n : store.names()) {
        if (!used.contains(n) && !ignorable(n)) {
          unknown.add(n);
        }
      }
      if (unknown.isEmpty()) {
        return;
      }
      String list = unknown.stream().limit(10).map(n -> "'" + n + "'").reduce((a, b) -> a + ", " + b).orElse("")
          + (unknown.size() > 10 ? ", ... (" + unknown.size() + " in all)" : "");
      if (!opts.allowUnknownTensors()) {
        throw new ClipWeightsException(store.fileOf(unknown.get(0)) + ": unexpected tensor(s) " + list
            + " not part of a ViT CLIP in the " + layout.label + " (LoadOptions.withAllowUnknownTensors(true) "
            + "skips them)");
      }
      LOG.warn("{}: skipping {} unknown tensor(s): {}", store.mainFile(), unknown.size(), list);
      notes.add(unknown.size() + " unknown tensor(s) skipped");
    }
  }
}
