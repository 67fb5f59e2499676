package dev.cliptune.protocol;

import dev.cliptune.prompt.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The official config files by name (METHODS.md §7), e.g. {@code vit_b16_c4_ep10_batch1_ctxv1}. The same
 * file name exists for CoCoOp and MIP, so lookups take the method.
 */
public final class Presets {
  private Presets() {}

  private static final Map<String, Preset> ALL = new LinkedHashMap<>();

  private static void add(String name, Method m, String backbone, int batch, double lr, int epochs, String... kv) {
    Map<String, String> keys = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      keys.put(kv[i], kv[i + 1]);
    }
    ALL.put(key(m, name), new Preset(name, m, backbone, batch, lr, epochs, Map.copyOf(keys)));
  }

  private static String key(Method m, String name) {
    return m.name() + "/" + name.toLowerCase(Locale.ROOT);
  }

  static {
    String[][] coopBackbones = {{"rn50", "RN50"}, {"rn101", "RN101"}, {"vit_b16", "ViT-B/16"}, {"vit_b32", "ViT-B/32"}};
    for (String[] b : coopBackbones) {
      add(b[0], Method.COOP, b[1], 32, 0.002, 200, "CTX_INIT", "");
      add(b[0] + "_ep50", Method.COOP, b[1], 32, 0.002, 50, "CTX_INIT", "");
    }
    add("rn50_ep100", Method.COOP, "RN50", 32, 0.002, 100, "CTX_INIT", "");
    add("vit_b16_ep100", Method.COOP, "ViT-B/16", 32, 0.002, 100, "CTX_INIT", "");
    add("rn50_ctxv1", Method.COOP, "RN50", 32, 0.002, 200, "CTX_INIT", "a photo of a");
    add("vit_b16_ctxv1", Method.COOP, "ViT-B/16", 32, 0.002, 200, "CTX_INIT", "a photo of a");
    add("rn50_ep50_ctxv1", Method.COOP, "RN50", 32, 0.002, 50, "CTX_INIT", "a photo of a");
    add("vit_b16_ep50_ctxv1", Method.COOP, "ViT-B/16", 32, 0.002, 50, "CTX_INIT", "a photo of a");
    add("vit_b16_ep100_ctxv1", Method.COOP, "ViT-B/16", 32, 0.002, 100, "CTX_INIT", "a photo of a");
    for (Method m : new Method[] {Method.COCOOP, Method.MIP}) {
      add("vit_b16_c4_ep10_batch1_ctxv1", m, "ViT-B/16", 1, 0.002, 10, "N_CTX", "4", "CTX_INIT", "a photo of a");
      add("vit_b16_c4_ep10_batch1", m, "ViT-B/16", 1, 0.002, 10, "N_CTX", "4", "CTX_INIT", "");
      add("vit_b16_c8_ep10_batch1", m, "ViT-B/16", 1, 0.002, 10, "N_CTX", "8", "CTX_INIT", "");
      add("vit_b16_c16_ep10_batch1", m, "ViT-B/16", 1, 0.002, 10, "N_CTX", "16", "CTX_INIT", "");
    }
    add("vit_b16_c2_ep5_batch4_2ctx", Method.MAPLE, "ViT-B/16", 4, 0.0035, 5,
        "N_CTX", "2", "CTX_INIT", "a photo of a", "PROMPT_DEPTH", "9");
    add("vit_b16_c2_ep5_batch4_2ctx_cross_datasets", Method.MAPLE, "ViT-B/16", 4, 0.0026, 2,
        "N_CTX", "2", "CTX_INIT", "a photo of a", "PROMPT_DEPTH", "3");
    add("vit_b16_c2_ep5_batch4_2+2ctx", Method.IVLP, "ViT-B/16", 4, 0.0035, 5, "N_CTX_TEXT", "2",
        "N_CTX_VISION", "2", "PROMPT_DEPTH_TEXT", "12", "PROMPT_DEPTH_VISION", "12", "CTX_INIT", "a photo of a");
    add("vit_b16_c2_ep5_batch4_4ctx_language_only", Method.IVLP, "ViT-B/16", 4, 0.0025, 5, "N_CTX_TEXT", "4",
        "PROMPT_DEPTH_TEXT", "12", "N_CTX_VISION", "0", "PROMPT_DEPTH_VISION", "0", "CTX_INIT", "a photo of a");
    add("vit_b16_c2_ep5_batch4_4", Method.VPT, "ViT-B/16", 4, 0.0025, 5, "N_CTX_VISION", "8",
        "PROMPT_DEPTH_VISION", "12");
    // PromptSRC (METHODS-NEXT.md §1.7): configs/trainers/PromptSRC/
    String[] src = {"N_CTX_TEXT", "4", "N_CTX_VISION", "4", "CTX_INIT", "a photo of a", "TEXT_LOSS_WEIGHT", "25",
        "IMAGE_LOSS_WEIGHT", "10"};
    add("vit_b16_c2_ep20_batch4_4+4ctx", Method.PROMPTSRC, "ViT-B/16", 4, 0.0025, 20,
        with(src, "PROMPT_DEPTH_TEXT", "9", "PROMPT_DEPTH_VISION", "9", "GPA_MEAN", "15", "GPA_STD", "1"));
    add("vit_b16_c2_ep20_batch4_4+4ctx_cross_datasets", Method.PROMPTSRC, "ViT-B/16", 4, 0.0025, 20,
        with(src, "PROMPT_DEPTH_TEXT", "3", "PROMPT_DEPTH_VISION", "3", "GPA_MEAN", "6", "GPA_STD", "10"));
    add("vit_b16_c2_ep50_batch4_4+4ctx_few_shot", Method.PROMPTSRC, "ViT-B/16", 4, 0.0025, 50,
        with(src, "PROMPT_DEPTH_TEXT", "9", "PROMPT_DEPTH_VISION", "9", "GPA_MEAN", "30", "GPA_STD", "30"));
    // KgCoOp (METHODS-NEXT.md §2.5): KgCoOp/configs/trainers/KgCoOp/, with the scripts' N_CTX 4 and W 8.0
    add("vit_b16_ep100_ctxv1", Method.KGCOOP, "ViT-B/16", 128, 0.002, 100, "CTX_INIT", "True", "N_CTX", "4",
        "CSC", "false", "W", "8.0");
    add("rn50_ep100", Method.KGCOOP, "RN50", 128, 0.002, 100, "CTX_INIT", "True", "N_CTX", "4", "CSC", "false",
        "W", "8.0");
    // The linear probe trains no prompts: its presets set only the feature-extraction batch (its test batch).
    // lpclip: the default, Dassl's test batch 100; rn50_val: CoOp's configs/trainers/CoOp/rn50_val.yaml, the
    // config lpclip/feat_extractor.sh extracts features with (batch 200, no OPTIM section; METHODS.md §7).
    add("lpclip", Method.LINEAR_PROBE, "any", 100, 0, 0);
    add("rn50_val", Method.LINEAR_PROBE, "RN50", 200, 0, 0);
  }

  private static String[] with(String[] base, String... more) {
    String[] out = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, out, base.length, more.length);
    return out;
  }

  /** The preset {@code name} of {@code method}; a clear error listing that method's presets otherwise. */
  public static Preset get(Method method, String name) {
    Method lookup = method == Method.MAPLE_SHARED ? Method.MAPLE : method;
    Preset p = ALL.get(key(lookup, name));
    if (p == null) {
      throw new IllegalArgumentException("no preset '" + name + "' for " + method.officialName + "; presets: "
          + String.join(", ", names(lookup)));
    }
    return lookup == method ? p : new Preset(p.name(), method, p.backbone(), p.batchSize(), p.lr(), p.epochs(),
        p.methodKeys());
  }

  public static List<String> names(Method method) {
    List<String> out = new ArrayList<>();
    for (Preset p : ALL.values()) {
      if (p.method() == method) {
        out.add(p.name());
      }
    }
    return out;
  }

  /** The protocols whose official scripts may name another config file than base-to-novel's. */
  public enum Protocol {
    /** base-to-novel, and the single runs ({@code train}, {@code eval}, {@code zeroshot}). */
    BASE_TO_NOVEL,
    /** cross-dataset transfer and domain generalisation: the same training on ImageNet, two evaluations. */
    CROSS_DATASET,
    FEW_SHOT
  }

  /**
   * The preset the official scripts use for {@code method} under {@code protocol} ({@code dataset}: the one
   * trained on). Where they name another file than base-to-novel's: PromptSRC's {@code xd_train.sh} /
   * {@code reproduce_xd.sh} its {@code _cross_datasets} config ({@code xd_train.sh} spells it {@code ep5}, a file
   * that does not exist; {@code reproduce_xd.sh} and {@code docs/TRAIN.md} name the {@code ep20} one) and
   * {@code few_shot.sh} its {@code _few_shot} config (METHODS-NEXT.md §1.7); MaPLe's {@code xd_train_maple.sh} its
   * {@code _cross_datasets} config. CoCoOp, IVLP, VPT and KgCoOp train for cross-dataset with their base-to-novel
   * config; CoOp's scripts take the config as an argument.
   */
  public static Preset defaultFor(Method method, Protocol protocol, String dataset) {
    return switch (protocol) {
      case BASE_TO_NOVEL -> baseToNovel(method, dataset);
      case CROSS_DATASET -> switch (method) {
        case PROMPTSRC -> get(method, "vit_b16_c2_ep20_batch4_4+4ctx_cross_datasets");
        case MAPLE, MAPLE_SHARED -> get(method, "vit_b16_c2_ep5_batch4_2ctx_cross_datasets");
        default -> baseToNovel(method, dataset);
      };
      case FEW_SHOT -> method == Method.PROMPTSRC ? get(method, "vit_b16_c2_ep50_batch4_4+4ctx_few_shot")
          : baseToNovel(method, dataset);
    };
  }

  /** The preset the papers use for base-to-novel with {@code method} (METHODS.md §7, PROTOCOL.md §11). */
  public static Preset baseToNovel(Method method, String dataset) {
    return switch (method) {
      case COOP -> get(method, "ImageNet".equals(dataset) ? "vit_b16_ep50_ctxv1" : "vit_b16_ctxv1");
      case COCOOP, MIP -> get(method, "vit_b16_c4_ep10_batch1_ctxv1");
      case MAPLE, MAPLE_SHARED -> get(method, "vit_b16_c2_ep5_batch4_2ctx");
      case IVLP -> get(method, "vit_b16_c2_ep5_batch4_2+2ctx");
      case VPT -> get(method, "vit_b16_c2_ep5_batch4_4");
      case PROMPTSRC -> get(method, "vit_b16_c2_ep20_batch4_4+4ctx");
      case KGCOOP -> get(method, "vit_b16_ep100_ctxv1");
      case ZS_CLIP -> throw new IllegalArgumentException("zero-shot CLIP has no training preset");
      case LINEAR_PROBE -> throw new IllegalArgumentException("linear-probe CLIP has no training preset");
    };
  }
}
