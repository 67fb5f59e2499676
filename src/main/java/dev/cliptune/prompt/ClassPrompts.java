package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The one prompt-assembly path every method uses (METHODS.md §0): the prompt texts
 * {@code "<prefix> <class>."}, their token ids, the frozen {@code token_prefix} (SOT row) and
 * {@code token_suffix} (rows after the context) buffers, {@code name_lens}, the EOT positions, and the
 * assembly of learned context vectors into {@code [C, L, Dt]} text-encoder inputs at the class-token
 * position {@code end}, {@code middle} or {@code front}; for image-conditioned methods, the assembly of a batch
 * of per-image contexts into {@code [B·C, L, Dt]}.
 *
 * <p>Buffers are rebuilt from the current class names, never loaded from a checkpoint, which is what lets a
 * unified context transfer to another class set.
 */
public final class ClassPrompts implements AutoCloseable {
  private final List<String> classNames;
  private final List<String> promptTexts;
  private final int nCtx;
  private final int contextLength;
  private final int width;
  private final long[] tokenIds;
  private final int[] nameLens;
  private final NDManager manager;
  private final NDArray tokenPrefix;
  private final NDArray tokenSuffix;
  private final NDArray eotIndex;
  private final ClassTokenPosition position;
  /** Row order of each class's prompt relative to the {@code end} layout, flattened; null for end. */
  private final NDArray reorder;

  /**
   * @param prefixText         text before the class name: {@code CTX_INIT} with underscores replaced, or
   *                           {@code "X"} repeated {@code nCtx} times
   * @param nCtx               number of learnable rows after SOT
   * @param replaceUnderscores whether class names get {@code _} replaced by spaces (all methods but MIP)
   */
  public ClassPrompts(ClipModel model, ClipTokenizer tokenizer, List<String> classNames, String prefixText,
      int nCtx, boolean replaceUnderscores, ClassTokenPosition position) {
    if (classNames.isEmpty()) {
      throw new IllegalArgumentException("prompt learner needs at least one class name");
    }
    this.classNames = List.copyOf(classNames);
    this.nCtx = nCtx;
    this.position = position;
    this.contextLength = model.config().text().contextLength();
    this.width = model.config().text().width();
    int c = classNames.size();
    List<String> names = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (String n : classNames) {
      String name = replaceUnderscores ? n.replace('_', ' ') : n;
      names.add(name);
      texts.add(prefixText + " " + name + ".");
    }
    this.promptTexts = List.copyOf(texts);
    this.nameLens = new int[c];
    this.tokenIds = new long[c * contextLength];
    long[] eot = new long[c];
    for (int k = 0; k < c; k++) {
      nameLens[k] = tokenizer.encode(names.get(k)).length;
      long[] ids = tokenizer.tokenize(texts.get(k), contextLength, false);
      System.arraycopy(ids, 0, tokenIds, k * contextLength, contextLength);
      int arg = 0;
      for (int t = 1; t < contextLength; t++) {
        if (ids[t] > ids[arg]) {
          arg = t;
        }
      }
      eot[k] = arg;
    }
    this.manager = NDManager.newBaseManager(model.device());
    NDArray ids = manager.create(tokenIds, new Shape(c, contextLength));
    try (NDArray emb = model.embedTokens(ids)) {
      tokenPrefix = emb.get(new NDIndex(":, :1, :"));
      tokenSuffix = emb.get(new NDIndex(":, {}:, :", 1 + nCtx));
    }
    ids.close();
    eotIndex = manager.create(eot);
    reorder = position == ClassTokenPosition.END ? null : manager.create(rowOrder());
  }

  /** For middle / front: row {@code r} of class {@code k} comes from row {@code order[k*L + r]} of the end layout. */
  private long[] rowOrder() {
    int c = classNames.size();
    int l = contextLength;
    long[] order = new long[c * l];
    int h = nCtx / 2;
    for (int k = 0; k < c; k++) {
      int len = nameLens[k];
      List<Integer> rows = new ArrayList<>();
      rows.add(0);
      if (position == ClassTokenPosition.MIDDLE) {
        for (int i = 1; i <= h; i++) {
          rows.add(i);
        }
        for (int i = 0; i < len; i++) {
          rows.add(1 + nCtx + i);
        }
        for (int i = h + 1; i <= nCtx; i++) {
          rows.add(i);
        }
      } else {
        for (int i = 0; i < len; i++) {
          rows.add(1 + nCtx + i);
        }
        for (int i = 1; i <= nCtx; i++) {
          rows.add(i);
        }
      }
      for (int i = 1 + nCtx + len; i < l; i++) {
        rows.add(i);
      }
      for (int r = 0; r < l; r++) {
        order[k * l + r] = (long) k * l + rows.get(r);
      }
    }
    return order;
  }

  /**
   * Assembles the text-encoder input {@code [C, L, Dt]} from context vectors: {@code [n, Dt]} shared by every
   * class (unified) or {@code [C, n, Dt]} (class-specific). The result lives in the manager of {@code ctx}.
   */
  public NDArray assemble(NDArray ctx) {
    int c = classNames.size();
    Shape s = ctx.getShape();
    NDArray expanded = s.dimension() == 2 ? ctx.expandDims(0).broadcast(c, s.get(0), s.get(1)) : ctx;
    if (expanded.getShape().get(0) != c || expanded.getShape().get(1) != nCtx) {
      throw new IllegalArgumentException("context has shape " + s + ", expected [" + nCtx + ", " + width
          + "] or [" + c + ", " + nCtx + ", " + width + "]");
    }
    // the result of an op belongs to its first operand's manager (here the buffers'): move it to the caller's
    NDArray end = NDArrays.concat(new NDList(tokenPrefix, expanded, tokenSuffix), 1);
    end.attach(ctx.getManager());
    if (expanded != ctx) {
      expanded.close();
    }
    if (reorder == null) {
      return end;
    }
    try (NDArray flat = end.reshape(c * (long) contextLength, width); NDArray rows = flat.get(new NDIndex("{}", reorder))) {
      end.close();
      return rows.reshape(c, contextLength, width);
    }
  }

  /**
   * Assembles the prompts of classes {@code [c0, c1)} for a batch of per-image contexts {@code ctx [B, n, Dt]}
   * (CoCoOp, MIP): {@code [B·(c1−c0), L, Dt]}, image major, in the manager of {@code ctx}. Class token at the
   * end, the only position of the official image-conditioned methods.
   */
  public NDArray assemble(NDArray ctx, int c0, int c1) {
    Shape s = ctx.getShape();
    if (s.dimension() != 3 || s.get(1) != nCtx || s.get(2) != width) {
      throw new IllegalArgumentException("per-image context has shape " + s + ", expected [B, " + nCtx + ", " + width
          + "]");
    }
    if (position != ClassTokenPosition.END) {
      throw new IllegalArgumentException("per-image contexts are assembled with the class token at the end, not "
          + position);
    }
    long b = s.get(0);
    int cs = c1 - c0;
    NDManager m = ctx.getManager();
    NDArray pre = tokenPrefix.get(m, new NDIndex("{}:{}", c0, c1)); // [cs, 1, Dt]
    NDArray suf = tokenSuffix.get(m, new NDIndex("{}:{}", c0, c1)); // [cs, S, Dt]
    long tail = suf.getShape().get(1);
    NDArray preB = pre.expandDims(0).broadcast(b, cs, 1, width);
    NDArray sufB = suf.expandDims(0).broadcast(b, cs, tail, width);
    NDArray ctxB = ctx.expandDims(1).broadcast(b, cs, nCtx, width);
    NDArray seq = NDArrays.concat(new NDList(preB, ctxB, sufB), 2); // [B, cs, L, Dt]
    return seq.reshape(b * cs, 1 + nCtx + tail, width);
  }

  /** int64 {@code [images·(c1−c0)]} in {@code m}: the EOT positions of classes {@code [c0, c1)}, once per image. */
  public NDArray eotIndex(NDManager m, int c0, int c1, long images) {
    long[] all = eotIndex.toLongArray();
    long[] out = new long[(int) (images * (c1 - c0))];
    for (int i = 0; i < images; i++) {
      System.arraycopy(all, c0, out, i * (c1 - c0), c1 - c0);
    }
    return m.create(out);
  }

  public List<String> classNames() {
    return classNames;
  }

  public List<String> promptTexts() {
    return promptTexts;
  }

  public int nCtx() {
    return nCtx;
  }

  public int[] nameLens() {
    return nameLens.clone();
  }

  /** The token ids {@code [C, L]} of the prompt texts (row-major), which fix the EOT positions. */
  public long[] tokenIds() {
    return tokenIds.clone();
  }

  /** int64 {@code [C]}: the pooling position of every class prompt. */
  public NDArray eotIndex() {
    return eotIndex;
  }

  public NDArray tokenPrefix() {
    return tokenPrefix;
  }

  public NDArray tokenSuffix() {
    return tokenSuffix;
  }

  @Override
  public void close() {
    manager.close();
  }

}
