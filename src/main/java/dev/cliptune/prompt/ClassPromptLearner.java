package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.TextInput;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A learner whose text side is built on {@link ClassPrompts} (every method but VPT): holds the prompts and
 * encodes learned context (plus deep text prompts, through the official casts) for all classes.
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
