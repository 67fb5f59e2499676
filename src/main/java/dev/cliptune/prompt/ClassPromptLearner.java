package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.TextInput;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A learner whose text side is built on {@link ClassPrompts} (every method but VPT): holds the prompts and
 * encodes learned context (plus deep text prompts, through the official casts) for all classes, or one
 * context per image for all classes (CoCoOp, MIP).
 */
abstract class ClassPromptLearner extends PromptLearner {
  private ClassPrompts prompts;

  protected ClassPromptLearner(ClipModel clip, ClipTokenizer tokenizer, MethodConfig config) {
    super(clip, tokenizer, config);
  }

  /** Called once by the subclass constructor, when the prompt prefix is known. */
  protected final void usePrompts(ClassPrompts p) {
    this.prompts = p;
  }

  protected final ClassPrompts prompts() {
    return prompts;
  }

  /**
   * Class text features {@code [C, E]} in manager {@code m}: {@code ctx} assembled into the class prompts
   * (probe {@code prompt_embeddings}), {@code deepText} replacing rows 1..n before layers 1.. of the text encoder.
   */
  protected final NDArray encodeClassPrompts(NDManager m, Probe probe, NDArray ctx, List<NDArray> deepText) {
    try (NDManager scope = m.newSubManager()) {
      ctx.tempAttach(scope);
      NDArray assembled = prompts.assemble(ctx);
      probe.record("prompt_embeddings", assembled);
      List<NDArray> deep = new ArrayList<>();
      for (NDArray t : deepText) {
        deep.add(officialCast(t));
      }
      NDArray f = clip.encodeText(new TextInput(assembled, prompts.eotIndex(), deep), Probe.NONE);
      f.attach(m);
      return f;
    }
  }

  /**
   * Class text features {@code [B, C, E]} of per-image contexts {@code ctx [B, n, Dt]} (CoCoOp, MIP), in the
   * manager of {@code ctx}: every image's context assembled into every class prompt and encoded, at most
   * {@code sequencesPerCall} sequences per text-encoder call (whole images when they fit, else class chunks),
   * so memory stays bounded for many classes. Probe: {@code prompt_embeddings_image0} (when one call holds all
   * classes of the first image).
   *
   * @param lnFinalWeight the text encoder's final scale when the method trains it (MIP), else null
   */
  protected final NDArray encodeClassPrompts(Probe probe, NDArray ctx, NDArray lnFinalWeight, int sequencesPerCall) {
    NDManager m = ctx.getManager();
    int c = prompts.classNames().size();
    long b = ctx.getShape().get(0);
    int classesPerCall = Math.min(c, sequencesPerCall);
    int imagesPerCall = Math.max(1, sequencesPerCall / classesPerCall);
    NDList perImageChunk = new NDList();
    for (long b0 = 0; b0 < b; b0 += imagesPerCall) {
      long b1 = Math.min(b, b0 + imagesPerCall);
      NDArray ctxChunk = ctx.get(new NDIndex("{}:{}", b0, b1));
      NDList perClassChunk = new NDList();
      for (int c0 = 0; c0 < c; c0 += classesPerCall) {
        int c1 = Math.min(c, c0 + classesPerCall);
        NDArray seq = prompts.assemble(ctxChunk, c0, c1); // [(b1-b0)·(c1-c0), L, Dt]
        if (b0 == 0 && c0 == 0 && c1 == c && probe != Probe.NONE) {
          probe.record("prompt_embeddings_image0", seq.get(new NDIndex(":{}", c)));
        }
        NDArray eot = prompts.eotIndex(m, c0, c1, b1 - b0);
        NDArray f = clip.encodeText(new TextInput(seq, eot, List.of(), lnFinalWeight), Probe.NONE);
        perClassChunk.add(f.reshape(b1 - b0, c1 - c0, f.getShape().get(1)));
      }
      perImageChunk.add(perClassChunk.size() == 1 ? perClassChunk.get(0) : NDArrays.concat(perClassChunk, 1));
    }
    return perImageChunk.size() == 1 ? perImageChunk.get(0) : NDArrays.concat(perImageChunk, 0);
  }

  @Override
  public List<String> classNames() {
    return prompts.classNames();
  }

  @Override
  public List<String> promptTexts() {
    return prompts.promptTexts();
  }

  @Override
  public long[] tokenizedPrompts() {
    return prompts.tokenIds();
  }

  @Override
  public void close() {
    if (prompts != null) {
      prompts.close();
    }
    super.close();
  }
}
