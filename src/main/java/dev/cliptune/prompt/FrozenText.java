package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.zeroshot.Templates;
import java.util.ArrayList;
import java.util.List;

/**
 * The frozen CLIP's text features of hand-crafted prompts (no learned context): the targets KgCoOp and PromptSRC
 * regularise towards. Class names have {@code _} replaced by spaces and fill every {@code {}} of a template, as
 * both official constructors do.
 */
final class FrozenText {
  /** Sequences per text-encoder call, so that 60 templates × many classes stay within memory. */
  private static final int SEQUENCES_PER_CALL = 256;

  private FrozenText() {}

  /** The filled prompts of one template, one per class. */
  static List<String> fill(String template, List<String> classNames) {
    List<String> out = new ArrayList<>();
    for (String c : classNames) {
      out.add(Templates.fill(template, c.replace('_', ' ')));
    }
    return out;
  }

  /** Token ids {@code [N, L]} (int64) of {@code texts}, in {@code m}. */
  static NDArray tokens(NDManager m, ClipModel clip, ClipTokenizer tokenizer, List<String> texts) {
    int ctx = clip.config().text().contextLength();
    long[] ids = new long[texts.size() * ctx];
    for (int i = 0; i < texts.size(); i++) {
      System.arraycopy(tokenizer.tokenize(texts.get(i), ctx, false), 0, ids, i * ctx, ctx);
    }
    return m.create(ids, new Shape(texts.size(), ctx));
  }

  /** {@code encode_text} of token ids {@code [N, L]}: features {@code [N, E]}, not normalised, in the manager of {@code ids}. */
  static NDArray encode(ClipModel clip, NDArray ids) {
    NDManager m = ids.getManager();
    long n = ids.getShape().get(0);
    try (NDManager scope = m.newSubManager()) {
      NDList parts = new NDList();
      for (long start = 0; start < n; start += SEQUENCES_PER_CALL) {
        NDArray part = ids.get("{}:{}", start, Math.min(n, start + SEQUENCES_PER_CALL));
        part.attach(scope);
        NDArray f = clip.encodeText(part);
        f.attach(scope);
        parts.add(f);
      }
      NDArray out = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
      NDArray stopped = out.stopGradient();
      stopped.attach(m);
      return stopped;
    }
  }
}
