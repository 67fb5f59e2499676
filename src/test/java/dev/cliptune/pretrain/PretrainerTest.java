package dev.cliptune.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cliptune.Clip;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.world.WorldTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Contrastive pretraining: a resumed run equals an uninterrupted one; the output is a loadable CLIP. */
class PretrainerTest {
  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

  private static PretrainConfig small(int steps) {
    return PretrainConfig.tiny(WorldTokenizer.standard().vocabSize()).withSteps(steps).withBatchSize(8)
        .withCheckpointEvery(2);
  }

  @Test
  void resumedPretrainingEqualsAnUninterruptedRunAndWritesALoadableModel(@TempDir Path tmp) throws IOException {
    List<double[]> straight = new Pretrainer(small(4), QUIET).run(tmp.resolve("a.work"), tmp.resolve("a"), false, false);
    assertThat(straight).isNotEmpty();

    // the same run stopped after step 2 (as if killed after that checkpoint), then resumed by a new process
    Path work = tmp.resolve("b.work");
    new Pretrainer(small(4), QUIET).stopAfter(2).run(work, tmp.resolve("b"), false, false);
    assertThat(tmp.resolve("b/model.safetensors")).doesNotExist();
    try (SafeTensors st = SafeTensors.open(work.resolve(Pretrainer.STATE))) {
      assertThat(st.metadata().get("step")).isEqualTo("2");
    }
    List<double[]> resumed = new Pretrainer(small(4), QUIET).run(work, tmp.resolve("b"), true, false);
    assertThat(resumed.get(resumed.size() - 1)[1]).isEqualTo(straight.get(straight.size() - 1)[1]);
    try (SafeTensors a = SafeTensors.open(tmp.resolve("a/model.safetensors"));
        SafeTensors b = SafeTensors.open(tmp.resolve("b/model.safetensors"))) {
      for (String t : List.of("text_projection.weight", "logit_scale",
          "vision_model.encoder.layers.0.self_attn.q_proj.weight")) {
        float[] x = a.floats(t);
        float[] y = b.floats(t);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
          worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        System.out.printf("%s: max abs diff after resume %.3e%n", t, worst);
        assertThat(y).as(t).containsExactly(x);
      }
      assertThat(a.floats("logit_scale")[0]).as("temperature trained").isNotEqualTo((float) Math.log(1 / 0.07));
    }

    // the model directory loads through the same path as any HF CLIP and classifies
    try (Clip clip = Clip.load(tmp.resolve("a"))) {
      assertThat(clip.model().config().text().vocabSize()).isEqualTo(WorldTokenizer.standard().vocabSize());
      assertThat(Files.size(tmp.resolve("a/model.safetensors"))).isLessThan(10L << 20);
    }
  }
}
