package dev.cliptune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.Tensors;
import dev.cliptune.prompt.Evaluator;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.checkpoint.PromptCheckpoint;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptLearners;
import dev.cliptune.prompt.PromptParameter;
import dev.cliptune.prompt.checkpoint.CheckpointException;
import dev.cliptune.testing.WorldImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library API on the embedded tiny CLIP, with real image files and real prompt checkpoints. */
class ClassifierTest {
  static Clip clip;
  static List<String> colors;
  static String template;

  @BeforeAll
  static void load() {
    clip = Clip.load(Models.resolve(Models.BUILTIN_TINY));
    colors = WorldImages.dataset("Colors").classNames();
    template = WorldImages.dataset("Colors").template();
  }

  @AfterAll
  static void close() {
    clip.close();
  }

  @Test
  void pathBytesAndBufferedImageGiveTheSameLabelsAndClipGoesThroughTheClassifier(@TempDir Path tmp)
      throws Exception {
    List<WorldImages.Item> items = WorldImages.write(tmp, "Colors", 6, 3);
    try (Classifier c = Classifier.zeroShot(clip, colors, List.of(template))) {
      int correct = 0;
      for (WorldImages.Item it : items) {
        List<Classifier.Prediction> fromPath = c.classify(it.file(), 3);
        assertThat(c.classify(it.bytes(), 3)).isEqualTo(fromPath);
        assertThat(c.classify(ImageIO.read(it.file().toFile()), 3)).isEqualTo(fromPath);
        assertThat(clip.classify(it.file(), colors, 3, List.of(template))).isEqualTo(fromPath);
        assertThat(fromPath).hasSize(3).isSortedAccordingTo((a, b) -> Float.compare(b.probability(), a.probability()));
        correct += fromPath.get(0).label().equals(it.className()) ? 1 : 0;
      }
      // the embedded model labels world colours far above chance (1/12); EmbeddedModelTest has the floors
      assertThat(correct).as("top-1 correct of %d", items.size()).isGreaterThanOrEqualTo(items.size() * 3 / 4);
      assertThat(c.classifyAll(items.stream().map(WorldImages.Item::file).toList(), 3))
          .isEqualTo(items.stream().map(it -> c.classify(it.file(), 3)).toList());
    }
  }

  @Test
  void anImageGetsTheSameLogitsAloneAndInAnyBatchAndFromManyThreads() throws Exception {
    List<float[]> pixels = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      pixels.add(clip.preprocessor().apply(WorldImages.render("Colors", i % 12, i)));
    }
    try (Classifier c = Classifier.zeroShot(clip, colors, List.of(template))) {
      assertThat(c.microBatch()).isEqualTo(Classifier.DEFAULT_MICRO_BATCH);
      float[][] batch = c.logits(pixels, null);
      List<float[]> alone = new ArrayList<>();
      for (float[] p : pixels) {
        alone.add(c.logits(List.of(p), null)[0]);
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<float[][]>> fs = new ArrayList<>();
        for (int start = 0; start < 12; start += 3) {
          List<float[]> part = pixels.subList(start, start + 3);
          fs.add(pool.submit(() -> c.logits(part, null)));
        }
        for (int i = 0; i < 12; i++) {
          assertThat(batch[i]).as("image %d in a batch of 12 and alone", i).isEqualTo(alone.get(i));
          assertThat(fs.get(i / 3).get()[i % 3]).as("image %d in a batch of 3 on another thread", i)
              .isEqualTo(alone.get(i));
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void aCheckpointOfEveryMethodClassifiesAsItsLearnerDoes(@TempDir Path tmp) throws Exception {
    List<String> base = colors.subList(0, 6);
    List<float[]> pixels = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pixels.add(clip.preprocessor().apply(WorldImages.render("Colors", i, i)));
    }
    int r = clip.preprocessor().resolution();
    for (Method m : List.of(Method.COOP, Method.COCOOP, Method.MIP, Method.MAPLE, Method.IVLP, Method.VPT)) {
      MethodConfig config = MethodConfig.defaults(m)
          .with(m == Method.IVLP ? "PROMPT_DEPTH_TEXT" : "N_CTX", m == Method.IVLP ? "3" : "4", "test");
      if (m == Method.MAPLE) {
        config = config.with("PROMPT_DEPTH", "3", "test");
      }
      if (m == Method.IVLP) {
        config = config.with("PROMPT_DEPTH_VISION", "3", "test");
      }
      Path file = tmp.resolve(m.officialName + ".safetensors");
      float[] expected;
      try (PromptLearner learner = PromptLearners.create(clip.model(), clip.tokenizer(), base, config)) {
        perturb(learner, new Random(7));
        PromptCheckpoint.save(file, learner, null);
        try (Evaluator ev = learner.evaluator(); NDManager nm = NDManager.newBaseManager()) {
          float[] flat = new float[pixels.size() * 3 * r * r];
          for (int i = 0; i < pixels.size(); i++) {
            System.arraycopy(pixels.get(i), 0, flat, i * 3 * r * r, 3 * r * r);
          }
          NDArray px = Tensors.owned(nm, flat, new Shape(pixels.size(), 3, r, r));
          expected = ev.logits(px).toFloatArray();
        }
      }
      try (Classifier c = Classifier.fromCheckpoint(clip, file, null)) {
        assertThat(c.method()).isEqualTo(m.officialName);
        assertThat(c.labels()).isEqualTo(base);
        assertThat(c.checkpointSha256()).hasSize(64);
        float[][] got = c.microBatch(0).logits(pixels, null); // the learner's batch shape: 5 images
        float[] flat = new float[expected.length];
        for (int i = 0; i < got.length; i++) {
          System.arraycopy(got[i], 0, flat, i * base.size(), base.size());
        }
        assertThat(flat).as("%s logits through the Classifier and the learner's evaluator", m).isEqualTo(expected);
        // a unified context takes new class names
        List<String> novel = colors.subList(6, 12);
        assertThat(c.acceptsLabels()).isTrue();
        assertThat(c.classify(pixels, 2, novel).get(0).top().get(0).label()).isIn(novel);
      }
    }
  }

  @Test
  void aClassSpecificContextRefusesOtherLabels(@TempDir Path tmp) throws Exception {
    List<String> base = colors.subList(0, 4);
    Path file = tmp.resolve("csc.safetensors");
    MethodConfig config = MethodConfig.defaults(Method.COOP).with("CSC", "true", "test").with("N_CTX", "4", "test");
    try (PromptLearner learner = PromptLearners.create(clip.model(), clip.tokenizer(), base, config)) {
      PromptCheckpoint.save(file, learner, null);
    }
    assertThatThrownBy(() -> Classifier.fromCheckpoint(clip, file, colors.subList(4, 8)))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("class-specific");
    try (Classifier c = Classifier.fromCheckpoint(clip, file, null)) {
      assertThat(c.acceptsLabels()).isFalse();
      float[] px = clip.preprocessor().apply(WorldImages.render("Colors", 0, 0));
      assertThatThrownBy(() -> c.classify(List.of(px), 1, colors.subList(4, 8)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("class-specific");
    }
  }

  @Test
  void badArgumentsAreRefusedWithAClearMessage() {
    assertThatThrownBy(() -> Classifier.zeroShot(clip, List.of("red"), List.of("a photo")))
        .hasMessageContaining("has no {}");
    try (Classifier c = Classifier.zeroShot(clip, colors, List.of(template))) {
      float[] px = clip.preprocessor().apply(WorldImages.render("Colors", 0, 0));
      assertThatThrownBy(() -> c.classify(List.of(px), 0, null)).hasMessageContaining("top-k");
      assertThatThrownBy(() -> c.classify(new byte[] {1, 2, 3}, 1)).hasMessageContaining("unrecognised image format");
    }
  }

  private static void perturb(PromptLearner learner, Random rnd) {
    for (PromptParameter p : learner.parameters()) {
      float[] v = p.value().toFloatArray();
      for (int i = 0; i < v.length; i++) {
        v[i] += 0.05f * (float) rnd.nextGaussian();
      }
      learner.setParameter(p.name(), v, p.value().getShape().getShape());
    }
  }
}
