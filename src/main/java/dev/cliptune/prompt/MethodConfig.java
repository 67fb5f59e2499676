package dev.cliptune.prompt;

import dev.cliptune.config.Setting;
import dev.cliptune.config.Settings;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every hyper-parameter of a prompt learner, with the official defaults (METHODS.md §7). The official
 * configuration keys ({@code TRAINER.COOP.N_CTX}, {@code TRAINER.MAPLE.PROMPT_DEPTH}, ...) map onto it with
 * {@link #fromOfficial}; {@link #KEYS} is the one table of those keys (parsing, validation, help, config.yaml
 * and checkpoints).
 *
 * @param nCtx          context length of CoOp / CoCoOp / MIP / MaPLe ({@code N_CTX})
 * @param ctxInit       word initialisation ({@code CTX_INIT}), empty for random
 * @param csc           CoOp class-specific context
 * @param position      CoOp class-token position
 * @param promptDepth   MaPLe prompt depth J
 * @param nCtxText      IVLP text prompt length
 * @param nCtxVision    IVLP / VPT vision prompt length
 * @param depthText     IVLP text prompt depth
 * @param depthVision   IVLP / VPT vision prompt depth
 * @param fp16Casts     round inserted prompt tokens to float16 as the official MaPLe/IVLP/VPT forward does
 * @param mipSharedLnFinal MIP: {@code meta_features} is the text encoder's {@code ln_final.weight} itself and
 *                      trains (the official fp32 behaviour, as the fixtures record it); false: a frozen copy,
 *                      as in the official fp16 runs
 * @param seed          seed of the random initialisations
 * @param kgWeight      KgCoOp: weight W of the knowledge-guided term ({@code TRAINER.COOP.W})
 * @param textLossWeight  PromptSRC: weight of the L1 text-feature agreement ({@code TEXT_LOSS_WEIGHT})
 * @param imageLossWeight PromptSRC: weight of the L1 image-feature agreement ({@code IMAGE_LOSS_WEIGHT})
 * @param gpaMean       PromptSRC: mean (in epochs) of the Gaussian prompt aggregation ({@code GPA_MEAN})
 * @param gpaStd        PromptSRC: standard deviation of the Gaussian prompt aggregation ({@code GPA_STD})
 * @param templates     the frozen text targets' templates, {@code " | "}-separated ({@code {}} = class name);
 *                      empty: the method's own (KgCoOp: {@code a photo of a {}.}; PromptSRC: its 60 templates)
 */
public record MethodConfig(Method method, int nCtx, String ctxInit, boolean csc, ClassTokenPosition position,
    int promptDepth, int nCtxText, int nCtxVision, int depthText, int depthVision, boolean fp16Casts,
    boolean mipSharedLnFinal, long seed, double kgWeight, double textLossWeight, double imageLossWeight,
    double gpaMean, double gpaStd, String templates) {

  /** Keys added after the first checkpoints were written: a checkpoint without them gets the method's defaults. */
  public static final java.util.Set<String> LATER_KEYS = java.util.Set.of("W", "TEXT_LOSS_WEIGHT",
      "IMAGE_LOSS_WEIGHT", "GPA_MEAN", "GPA_STD", "TEMPLATES");

  /** The separator of {@code TEMPLATES}. */
  public static final String TEMPLATE_SEPARATOR = " | ";

  /** The method keys, in the order config.yaml and checkpoints record them ({@code method} section). */
  public static final Settings<MethodConfig> KEYS = new Settings<>(List.of(
      Setting.integer("N_CTX", "method", 0, "context length (CoOp, CoCoOp, MIP, MaPLe)", MethodConfig::nCtx,
          (c, v) -> c.toBuilder().nCtx(v).build()),
      Setting.text("CTX_INIT", "method", "word initialisation of the context, empty for random",
          c -> c.ctxInit() == null ? "" : c.ctxInit(), (c, v) -> c.toBuilder().ctxInit(v).build()),
      Setting.bool("CSC", "method", "CoOp: class-specific context", MethodConfig::csc,
          (c, v) -> c.toBuilder().csc(v).build()),
      Setting.choice("CLASS_TOKEN_POSITION", "method", List.of("end", "middle", "front"),
          "CoOp: where the class name goes", c -> c.position().name().toLowerCase(Locale.ROOT),
          (c, v) -> c.toBuilder().position(ClassTokenPosition.parse(v)).build()),
      Setting.integer("PROMPT_DEPTH", "method", 0, "MaPLe prompt depth J", MethodConfig::promptDepth,
          (c, v) -> c.toBuilder().promptDepth(v).build()),
      Setting.integer("N_CTX_TEXT", "method", 0, "IVLP text prompt length", MethodConfig::nCtxText,
          (c, v) -> c.toBuilder().nCtxText(v).build()),
      Setting.integer("N_CTX_VISION", "method", 0, "IVLP / VPT vision prompt length", MethodConfig::nCtxVision,
          (c, v) -> c.toBuilder().nCtxVision(v).build()),
      Setting.integer("PROMPT_DEPTH_TEXT", "method", 0, "IVLP text prompt depth", MethodConfig::depthText,
          (c, v) -> c.toBuilder().depthText(v).build()),
      Setting.integer("PROMPT_DEPTH_VISION", "method", 0, "IVLP / VPT vision prompt depth", MethodConfig::depthVision,
          (c, v) -> c.toBuilder().depthVision(v).build()),
      Setting.bool("FP16_CASTS", "method", "round inserted prompts to float16 as the official forward does",
          MethodConfig::fp16Casts, (c, v) -> c.toBuilder().fp16Casts(v).build()),
      Setting.bool("MIP_SHARED_LN_FINAL", "method", "MIP: meta_features is the trained ln_final.weight (official fp32)",
          MethodConfig::mipSharedLnFinal, (c, v) -> c.toBuilder().mipSharedLnFinal(v).build()),
      Setting.longInteger("SEED", "method", "seed of the random initialisations", MethodConfig::seed,
          (c, v) -> c.toBuilder().seed(v).build()),
      Setting.number("W", "method", "KgCoOp: weight of the knowledge-guided term", MethodConfig::kgWeight,
          (c, v) -> c.toBuilder().kgWeight(nonNegative(v)).build()),
      Setting.number("TEXT_LOSS_WEIGHT", "method", "PromptSRC: weight of the L1 text-feature agreement",
          MethodConfig::textLossWeight, (c, v) -> c.toBuilder().textLossWeight(nonNegative(v)).build()),
      Setting.number("IMAGE_LOSS_WEIGHT", "method", "PromptSRC: weight of the L1 image-feature agreement",
          MethodConfig::imageLossWeight, (c, v) -> c.toBuilder().imageLossWeight(nonNegative(v)).build()),
      Setting.number("GPA_MEAN", "method", "PromptSRC: mean epoch of the Gaussian prompt aggregation",
          MethodConfig::gpaMean, (c, v) -> c.toBuilder().gpaMean(v).build()),
      Setting.number("GPA_STD", "method", "PromptSRC: standard deviation (epochs) of the Gaussian prompt aggregation",
          MethodConfig::gpaStd, (c, v) -> {
            if (v <= 0) {
              throw new IllegalArgumentException("expected a number > 0");
            }
            return c.toBuilder().gpaStd(v).build();
          }),
      Setting.text("TEMPLATES", "method", "KgCoOp / PromptSRC: templates of the frozen text targets, ' | '-separated; "
          + "empty for the method's own", MethodConfig::templates, (c, v) -> c.toBuilder().templates(v).build())));

  private static double nonNegative(double v) {
    if (v < 0) {
      throw new IllegalArgumentException("expected a number >= 0");
    }
    return v;
  }

  /** The official defaults of a method's configuration keys. */
  public static MethodConfig defaults(Method m) {
    Builder b = new Builder(m);
    return switch (m) {
      case ZS_CLIP, LINEAR_PROBE, COOP, COCOOP, MIP -> b.build();
      case MAPLE, MAPLE_SHARED -> b.nCtx(2).ctxInit("a photo of a").promptDepth(9).build();
      case IVLP -> b.nCtx(0).ctxInit("a photo of a").nCtxText(2).nCtxVision(2).depthText(9).depthVision(9).build();
      case VPT -> b.nCtx(0).ctxInit("a photo of a").nCtxVision(2).depthVision(1).build();
      // train.py extend_cfg: the base-to-novel values
      case PROMPTSRC -> b.nCtx(0).ctxInit("a photo of a").nCtxText(4).nCtxVision(4).depthText(9).depthVision(9).build();
      // KgCoOp/train.py: CoOp's defaults (N_CTX 16, CSC False, CTX_INIT False), W 1.0
      case KGCOOP -> b.build();
    };
  }

  /**
   * Applies official keys ({@code TRAINER.<NAME>.<KEY>}; the section name is ignored, so CoCoOp's
   * {@code TRAINER.COCOOP.N_CTX} and MIP's {@code TRAINER.MIP.N_CTX} both set {@code nCtx}). {@code PREC}
   * is accepted and ignored: cliptune trains in float32. {@code OPTIM.*} keys are training options, not method
   * keys, and are skipped; KgCoOp's {@code DATASET.NAME} selects its hand-crafted template and its unused
   * {@code ALPHA} is skipped.
   */
  public static MethodConfig fromOfficial(Method m, Map<String, ?> keys) {
    MethodConfig c = defaults(m);
    for (Map.Entry<String, ?> e : keys.entrySet()) {
      String key = e.getKey();
      String k = key.substring(key.lastIndexOf('.') + 1).toUpperCase(Locale.ROOT);
      if (key.startsWith("OPTIM.") || (m == Method.KGCOOP && k.equals("ALPHA"))) {
        continue;
      }
      if (key.equals("DATASET.NAME")) {
        if (m == Method.KGCOOP) {
          c = c.toBuilder().templates(KgCoOp.template(String.valueOf(e.getValue()))).build();
        }
        continue;
      }
      if (!k.equals("PREC")) {
        c = c.with(k, String.valueOf(e.getValue()), key);
      }
    }
    return c;
  }

  /**
   * One override by short key ({@code N_CTX}, {@code CTX_INIT}, {@code CSC}, ...; see {@link #KEYS}).
   *
   * @param source what set it, for errors
   */
  public MethodConfig with(String key, String value, String source) {
    try {
      return KEYS.apply(this, key, value, source);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (method " + method.officialName + ")", e);
    }
  }

  /** {@code CTX_INIT} with underscores replaced, as every official constructor does before using it. */
  public String ctxInitText() {
    return ctxInit == null ? "" : ctxInit.replace('_', ' ');
  }

  /** {@link #templates} as a list (empty when the method's own apply). */
  public List<String> templateList() {
    if (templates == null || templates.isBlank()) {
      return List.of();
    }
    return java.util.Arrays.stream(templates.split(java.util.regex.Pattern.quote(TEMPLATE_SEPARATOR)))
        .map(String::strip).toList();
  }

  public boolean hasCtxInit() {
    return ctxInit != null && !ctxInit.isBlank();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** A {@link MethodConfig} under construction; starts from the defaults shared by every method. */
  public static final class Builder {
    private final Method method;
    private int nCtx = 16;
    private String ctxInit = "";
    private boolean csc;
    private ClassTokenPosition position = ClassTokenPosition.END;
    private int promptDepth;
    private int nCtxText;
    private int nCtxVision;
    private int depthText;
    private int depthVision;
    private boolean fp16Casts;
    private boolean mipSharedLnFinal = true;
    private long seed = 1;
    private double kgWeight = 1.0;
    private double textLossWeight = 25;
    private double imageLossWeight = 10;
    private double gpaMean = 15;
    private double gpaStd = 1;
    private String templates = "";

    private Builder(Method method) {
      this.method = method;
    }

    private Builder(MethodConfig c) {
      this(c.method);
      nCtx = c.nCtx;
      ctxInit = c.ctxInit;
      csc = c.csc;
      position = c.position;
      promptDepth = c.promptDepth;
      nCtxText = c.nCtxText;
      nCtxVision = c.nCtxVision;
      depthText = c.depthText;
      depthVision = c.depthVision;
      fp16Casts = c.fp16Casts;
      mipSharedLnFinal = c.mipSharedLnFinal;
      seed = c.seed;
      kgWeight = c.kgWeight;
      textLossWeight = c.textLossWeight;
      imageLossWeight = c.imageLossWeight;
      gpaMean = c.gpaMean;
      gpaStd = c.gpaStd;
      templates = c.templates;
    }

    public Builder kgWeight(double v) {
      kgWeight = v;
      return this;
    }

    public Builder textLossWeight(double v) {
      textLossWeight = v;
      return this;
    }

    public Builder imageLossWeight(double v) {
      imageLossWeight = v;
      return this;
    }

    public Builder gpaMean(double v) {
      gpaMean = v;
      return this;
    }

    public Builder gpaStd(double v) {
      gpaStd = v;
      return this;
    }

    public Builder templates(String v) {
      templates = v == null ? "" : v;
      return this;
    }

    public Builder nCtx(int v) {
      nCtx = v;
      return this;
    }

    public Builder ctxInit(String v) {
      ctxInit = v;
      return this;
    }

    public Builder csc(boolean v) {
      csc = v;
      return this;
    }

    public Builder position(ClassTokenPosition v) {
      position = v;
      return this;
    }

    public Builder promptDepth(int v) {
      promptDepth = v;
      return this;
    }

    public Builder nCtxText(int v) {
      nCtxText = v;
      return this;
    }

    public Builder nCtxVision(int v) {
      nCtxVision = v;
      return this;
    }

    public Builder depthText(int v) {
      depthText = v;
      return this;
    }

    public Builder depthVision(int v) {
      depthVision = v;
      return this;
    }

    public Builder fp16Casts(boolean v) {
      fp16Casts = v;
      return this;
    }

    public Builder mipSharedLnFinal(boolean v) {
      mipSharedLnFinal = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public MethodConfig build() {
      return new MethodConfig(method, nCtx, ctxInit, csc, position, promptDepth, nCtxText, nCtxVision, depthText,
          depthVision, fp16Casts, mipSharedLnFinal, seed, kgWeight, textLossWeight, imageLossWeight, gpaMean, gpaStd,
          templates);
    }
  }
}
