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
 */
public record MethodConfig(Method method, int nCtx, String ctxInit, boolean csc, ClassTokenPosition position,
    int promptDepth, int nCtxText, int nCtxVision, int depthText, int depthVision, boolean fp16Casts,
    boolean mipSharedLnFinal, long seed) {

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
          (c, v) -> c.toBuilder().seed(v).build())));

  /** The official defaults of a method's configuration keys. */
  public static MethodConfig defaults(Method m) {
    Builder b = new Builder(m);
    return switch (m) {
      case ZS_CLIP, LINEAR_PROBE, COOP, COCOOP, MIP -> b.build();
      case MAPLE, MAPLE_SHARED -> b.nCtx(2).ctxInit("a photo of a").promptDepth(9).build();
      case IVLP -> b.nCtx(0).ctxInit("a photo of a").nCtxText(2).nCtxVision(2).depthText(9).depthVision(9).build();
      case VPT -> b.nCtx(0).ctxInit("a photo of a").nCtxVision(2).depthVision(1).build();
    };
  }

  /**
   * Applies official keys ({@code TRAINER.<NAME>.<KEY>}; the section name is ignored, so CoCoOp's
   * {@code TRAINER.COCOOP.N_CTX} and MIP's {@code TRAINER.MIP.N_CTX} both set {@code nCtx}). {@code PREC}
   * is accepted and ignored: cliptune trains in float32.
   */
  public static MethodConfig fromOfficial(Method m, Map<String, ?> keys) {
    MethodConfig c = defaults(m);
    for (Map.Entry<String, ?> e : keys.entrySet()) {
      String key = e.getKey();
      String k = key.substring(key.lastIndexOf('.') + 1).toUpperCase(Locale.ROOT);
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
          depthVision, fp16Casts, mipSharedLnFinal, seed);
    }
  }
}
