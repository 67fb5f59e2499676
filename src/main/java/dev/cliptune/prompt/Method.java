package dev.cliptune.prompt;

import java.util.Locale;

/** The prompt-learning methods, by their official trainer names. */
public enum Method {
  ZS_CLIP("ZeroshotCLIP"),
  COOP("CoOp"),
  COCOOP("CoCoOp"),
  MIP("MIP"),
  MAPLE("MaPLe"),
  /** MaPLe† of the paper's ablation: one coupling function shared by every depth (no official code). */
  MAPLE_SHARED("MaPLeShared"),
  IVLP("IVLP"),
  VPT("VPT"),
  /** PromptSRC (ICCV 2023): IVLP prompts, self-regularisation towards the frozen CLIP, Gaussian prompt aggregation. */
  PROMPTSRC("PromptSRC"),
  /** KgCoOp (CVPR 2023): CoOp plus a knowledge-guided term towards the hand-crafted prompt's text features. */
  KGCOOP("KgCoOp"),
  /** Linear-probe CLIP (the CoOp paper's baseline, {@code lpclip/}): no prompts; see {@code eval.LinearProbe}. */
  LINEAR_PROBE("LinearProbeCLIP");

  public final String officialName;

  Method(String officialName) {
    this.officialName = officialName;
  }

  /** Parses an official trainer name or an alias ({@code coop}, {@code maple-shared}, {@code vpt}, ...). */
  public static Method parse(String s) {
    String k = s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace("†", "shared");
    for (Method m : values()) {
      if (m.officialName.toLowerCase(Locale.ROOT).equals(k) || m.name().toLowerCase(Locale.ROOT).replace("_", "").equals(k)) {
        return m;
      }
    }
    return switch (k) {
      case "zeroshot", "zsclip", "zeroshotclip", "clip" -> ZS_CLIP;
      case "independentvl", "deeplanguage", "languageonly" -> IVLP;
      case "vptdeep", "deepvision" -> VPT;
      case "linearprobe", "lpclip", "linearprobeclip" -> LINEAR_PROBE;
      case "src" -> PROMPTSRC;
      case "kg" -> KGCOOP;
      default -> throw new IllegalArgumentException("unknown method '" + s
          + "': expected one of CoOp, CoCoOp, MIP, MaPLe, MaPLeShared, IVLP, VPT, PromptSRC, KgCoOp, ZeroshotCLIP, LinearProbeCLIP");
    };
  }
}
