package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.VisionInput;
import java.util.ArrayList;
import java.util.List;

/** The image side shared by IVLP and VPT: first-layer prompts appended, deep prompts replacing the last n tokens. */
final class VisualPrompting {
  private VisualPrompting() {}

  static NDArray encode(PromptLearner learner, NDArray pixels, NDArray first, List<NDArray> deep) {
    try (NDManager scope = pixels.getManager().newSubManager()) {
      NDArray f0 = learner.officialCast(first);
      List<NDArray> d = new ArrayList<>();
      for (NDArray a : deep) {
        d.add(learner.officialCast(a));
      }
      NDArray f = learner.clip().encodeImage(new VisionInput(pixels, f0, d), Probe.NONE);
      f.attach(pixels.getManager());
      return f;
    }
  }
}
