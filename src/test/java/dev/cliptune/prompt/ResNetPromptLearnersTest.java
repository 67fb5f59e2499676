package dev.cliptune.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.Probe;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.prompt.checkpoint.PromptCheckpoint;
import dev.cliptune.testing.Shared;
import dev.cliptune.train.TrainingStep;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Prompt learners on the checkpoints set's ResNet CLIP: the methods whose prompts enter ViT layers refuse it by
 * name; KgCoOp and MIP (no ResNet case in the fixtures; CoOp and CoCoOp are checked by parity) learn on it.
 */
class ResNetPromptLearnersTest {

  private static Path set() {
    return Shared.checkpoints();
  }

  @Test
  void methodsWithVisualPromptsRefuseAResNet() {
    ClipTokenizer tok = ClipTokenizer.fromBpeGz(set().resolve("tokenizer/bpe_trunc_2000.txt.gz"));
    try (ClipModel clip = ClipModel.create(ClipLoader.load(set().resolve("rn")))) {
      for (Method m : List.of(Method.MAPLE, Method.MAPLE_SHARED, Method.IVLP, Method.VPT, Method.PROMPTSRC)) {
        assertThatThrownBy(() -> PromptLearners.create(clip, tok, TinyClip.CLASSES, MethodConfig.defaults(m)))
            .as(m.officialName).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(m.officialName).hasMessageContaining("ModifiedResNet");
      }
    }
  }

  @Test
  void promptCheckpointsOfAResNetRecordItsConfiguration(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    ClipTokenizer tok = ClipTokenizer.fromBpeGz(set().resolve("tokenizer/bpe_trunc_2000.txt.gz"));
    try (ClipModel clip = ClipModel.create(ClipLoader.load(set().resolve("rn")));
        PromptLearner coop = PromptLearners.create(clip, tok, TinyClip.CLASSES,
            TinyClip.config(Method.COOP, "TRAINER.COOP.N_CTX", 4, "TRAINER.COOP.CTX_INIT", "a photo of a"))) {
      Path file = tmp.resolve("ck.safetensors");
      PromptCheckpoint.save(file, coop, null);
      assertThat(PromptCheckpoint.read(file).backboneConfig()).isEqualTo(clip.config());
      try (PromptLearner back = PromptCheckpoint.load(file, clip, tok, TinyClip.CLASSES)) {
        assertThat(back.parameter("prompt_learner.ctx").value().toFloatArray())
            .containsExactly(coop.parameter("prompt_learner.ctx").value().toFloatArray());
      }
    }
  }

  @Test
  void kgcoopAndMipLearnOnAResNet() {
    learns(MethodConfig.defaults(Method.KGCOOP));
    learns(TinyClip.config(Method.MIP, "TRAINER.MIP.N_CTX", 4, "TRAINER.MIP.CTX_INIT", "a photo of a"));
  }

  /** Six SGD steps of the trainer's own step on one batch lower the loss. */
  private static void learns(MethodConfig config) {
    ClipTokenizer tok = ClipTokenizer.fromBpeGz(set().resolve("tokenizer/bpe_trunc_2000.txt.gz"));
    try (ClipModel clip = ClipModel.create(ClipLoader.load(set().resolve("rn")));
        NDManager m = NDManager.newBaseManager();
        PromptLearner learner = PromptLearners.create(clip, tok, TinyClip.CLASSES, config);
        TrainingStep step = new TrainingStep(learner, 0.9, 5e-4)) {
      NDArray px = TinyClip.pixels(m, clip, 8, 3);
      NDArray labels = m.create(new long[] {0, 1, 2, 3, 4, 0, 2, 4});
      float first = step.run(px, labels, 0.05).loss();
      float loss = first;
      for (int i = 0; i < 5; i++) {
        loss = step.run(px, labels, 0.05).loss();
      }
      System.out.printf("%s on the ResNet CLIP: loss %.4f -> %.4f after 6 SGD steps on one batch%n",
          config.method().officialName, first, loss);
      assertThat(loss).as(config.method().officialName).isLessThan(first);
      try (NDArray logits = learner.logits(px, Probe.NONE)) {
        assertThat(logits.getShape().getShape()).containsExactly(8, TinyClip.CLASSES.size());
      }
    }
  }
}
