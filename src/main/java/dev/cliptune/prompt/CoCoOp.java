package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.TextInput;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.List;

/**
 * CoCoOp (METHODS.md §3): a unified context plus a per-image bias {@code π = meta_net(norm(f_img))} from a
 * two-layer meta-net ({@code Linear(E, E/16) → ReLU → Linear(E/16, Dt)}); every image gets its own prompts
 * and its own class text features. Text encoding is chunked ({@link #maxSequences} sequences per call) so
 * memory stays bounded for many classes. {@link Mip} changes initialisation, scaling and class names.
 */
public class CoCoOp extends ClassPromptLearner {
  /** Text sequences per text-encoder call. */
  protected int maxSequences = 256;

  protected final NDArray ctx;
  private final NDArray w1;
  private final NDArray b1;
  private final NDArray w2;
  private final NDArray b2;

  public CoCoOp(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config) {
    this(clip, tokenizer, classNames, config, false);
  }

  /** @param mip MIP's constructor: meta-initialisation, class names kept with underscores */
  protected CoCoOp(ClipModel clip, ClipTokenizer tokenizer, List<String> classNames, MethodConfig config, boolean mip) {
    super(clip, tokenizer, config);
    int dt = clip.config().text().width();
    int e = clip.config().embedDim();
    String prefix;
    int n;
    if (config.hasCtxInit()) {
      prefix = config.ctxInitText();
      n = prefix.split(" ").length;
      ctx = addParameter("prompt_learner.ctx", "ctx", wordInit(prefix, n), n, dt);
    } else {
      n = config.nCtx();
      prefix = placeholder(n);
      ctx = addParameter("prompt_learner.ctx", "ctx", mip ? metaInit(n) : init.normal(n * dt, 0.02), n, dt);
    }
    int hidden = e / 16;
    float[][] l1 = init.linear(e, hidden);
    float[][] l2 = init.linear(hidden, dt);
    w1 = addParameter("prompt_learner.meta_net.linear1.weight", "meta_net.linear1.weight", l1[0], hidden, e);
    b1 = addParameter("prompt_learner.meta_net.linear1.bias", "meta_net.linear1.bias", l1[1], hidden);
    w2 = addParameter("prompt_learner.meta_net.linear2.weight", "meta_net.linear2.weight", l2[0], dt, hidden);
    b2 = addParameter("prompt_learner.meta_net.linear2.bias", "meta_net.linear2.bias", l2[1], dt);
    usePrompts(new ClassPrompts(clip, tokenizer, classNames, prefix, n, !mip, ClassTokenPosition.END));
  }

  /** MIP's meta-initialisation: every row is {@code ln_final.weight / ||ln_final.weight||₂}. */
  private float[] metaInit(int n) {
    float[] g = clip.lnFinalWeight().toFloatArray();
    double norm = 0;
    for (float v : g) {
      norm += (double) v * v;
    }
    // the official code normalises in float32: x / x.norm()
    float nf = (float) Math.sqrt(norm);
    float[] out = new float[n * g.length];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < g.length; i++) {
        out[r * g.length + i] = g[i] / nf;
      }
    }
    return out;
  }

  /** The context of each image: {@code ctx + π_b} (MIP divides by √Dt), {@code [B, n, Dt]}. */
  protected NDArray conditionedContext(NDArray ctx, NDArray bias) {
    return ctx.expandDims(0).add(bias.expandDims(1));
  }

  /** The ln_final scale the text encoder uses (MIP may train it), or null for the frozen one. */
  protected NDArray lnFinalWeight() {
    return null;
  }

  @Override
  public boolean textDependsOnImage() {
    return true;
  }

  @Override
  protected NDArray imageFeatures(NDArray pixels, Probe probe) {
    return clip.encodeImage(pixels);
  }

  @Override
  protected NDArray textFeatures(NDManager m, Probe probe) {
    throw new UnsupportedOperationException("CoCoOp text features depend on the image: use logits()");
  }

  @Override
  public NDArray logits(NDArray pixels, Probe probe) {
    NDManager caller = pixels.getManager();
    int c = prompts().classNames().size();
    int l = clip.config().text().contextLength();
    long b = pixels.getShape().get(0);
    try (NDManager scope = caller.newSubManager()) {
      for (NDArray p : List.of(ctx, w1, b1, w2, b2)) {
        p.tempAttach(scope);
      }
      NDArray img = clip.encodeImage(pixels);
      img.attach(scope);
      probe.record("image_features", img);
      NDArray f = ClipModel.l2Normalise(img);
      NDArray h = Activation.relu(Linear.linear(f, w1, b1).singletonOrThrow());
      NDArray bias = Linear.linear(h, w2, b2).singletonOrThrow(); // [B, Dt]
      NDArray ctxB = conditionedContext(ctx, bias); // [B, n, Dt]
      int cc = Math.min(c, maxSequences);
      int bc = Math.max(1, maxSequences / cc);
      NDList rowsOfLogits = new NDList();
      NDList textRecords = new NDList();
      // a libtorch-owned scalar: mul(float) would wrap the value in a Java direct buffer that mul's backward
      // keeps using after DJL released it (freed by the next GC: garbage gradients)
      NDArray scale = scope.full(new Shape(), clip.logitScaleExp(), DataType.FLOAT32);
      for (long b0 = 0; b0 < b; b0 += bc) {
        long b1i = Math.min(b, b0 + bc);
        NDList pieces = new NDList();
        for (int c0 = 0; c0 < c; c0 += cc) {
          int c1 = Math.min(c, c0 + cc);
          NDArray ctxChunk = ctxB.get(new NDIndex("{}:{}", b0, b1i));
          NDArray seq = assemble(ctxChunk, c0, c1); // [(b1-b0)*(c1-c0), L, Dt]
          if (b0 == 0 && c0 == 0 && probe != Probe.NONE && c1 == c) {
            probe.record("prompt_embeddings_image0", seq.get(new NDIndex(":{}", c1 - c0)));
          }
          long rows = (b1i - b0) * (c1 - c0);
          NDArray eot = scope.create(java.util.Arrays.copyOf(eotFor(c0, c1, b1i - b0), (int) rows));
          NDArray g = clip.encodeText(new TextInput(seq, eot, List.of(), lnFinalWeight()), Probe.NONE);
          NDArray g3 = g.reshape(b1i - b0, c1 - c0, g.getShape().get(1));
          textRecords.add(g3);
          NDArray gn = ClipModel.l2Normalise(g3);
          NDArray fb = f.get(new NDIndex("{}:{}", b0, b1i)).expandDims(1); // [b, 1, E]
          NDArray lg = fb.matMul(gn.transpose(0, 2, 1)).squeeze(1).mul(scale); // [b, c]
          pieces.add(lg);
        }
        rowsOfLogits.add(pieces.size() == 1 ? pieces.get(0) : NDArrays.concat(pieces, 1));
      }
      if (probe != Probe.NONE) {
        probe.record("text_features", textRecords.size() == 1 ? textRecords.get(0) : concatText(textRecords, b, c));
      }
      NDArray logits = rowsOfLogits.size() == 1 ? rowsOfLogits.get(0) : NDArrays.concat(rowsOfLogits, 0);
      logits.attach(caller);
      return logits;
    }
  }

  /** Probe helper: chunked text features back to {@code [B, C, E]}. */
  private NDArray concatText(NDList chunks, long b, int c) {
    // chunks are ordered image-chunk major, class-chunk minor
    NDList perImageChunk = new NDList();
    NDList current = new NDList();
    long classes = 0;
    for (NDArray t : chunks) {
      current.add(t);
      classes += t.getShape().get(1);
      if (classes == c) {
        perImageChunk.add(current.size() == 1 ? current.get(0) : NDArrays.concat(current, 1));
        current = new NDList();
        classes = 0;
      }
    }
    return NDArrays.concat(perImageChunk, 0);
  }

  /** EOT positions for {@code images} copies of classes [c0, c1). */
  private long[] eotFor(int c0, int c1, long images) {
    long[] all = prompts().eotIndex().toLongArray();
    long[] out = new long[(int) (images * (c1 - c0))];
    for (int i = 0; i < images; i++) {
      System.arraycopy(all, c0, out, i * (c1 - c0), c1 - c0);
    }
    return out;
  }

  /**
   * Prompts of classes [c0, c1) for every image of {@code ctxB [b, n, Dt]}: {@code [b*(c1-c0), L, Dt]}, image
   * major, in the manager of {@code ctxB}.
   */
  private NDArray assemble(NDArray ctxB, int c0, int c1) {
    long b = ctxB.getShape().get(0);
    long n = ctxB.getShape().get(1);
    long d = ctxB.getShape().get(2);
    int cs = c1 - c0;
    NDManager m = ctxB.getManager();
    NDArray pre = prompts().tokenPrefix().get(m, new NDIndex("{}:{}", c0, c1)); // [cs, 1, D]
    NDArray suf = prompts().tokenSuffix().get(m, new NDIndex("{}:{}", c0, c1)); // [cs, S, D]
    long s = suf.getShape().get(1);
    NDArray preB = pre.expandDims(0).broadcast(b, cs, 1, d);
    NDArray sufB = suf.expandDims(0).broadcast(b, cs, s, d);
    NDArray ctx4 = ctxB.expandDims(1).broadcast(b, cs, n, d);
    NDArray seq = NDArrays.concat(new NDList(preB, ctx4, sufB), 2); // [b, cs, L, D]
    return seq.reshape(b * cs, 1 + n + s, d);
  }

  @Override
  public String checkpointModule() {
    return "prompt_learner";
  }

}
