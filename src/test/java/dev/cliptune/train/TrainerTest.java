package dev.cliptune.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.image.ClipPreprocessor;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.data.Item;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptLearners;
import dev.cliptune.prompt.PromptParameter;
import dev.cliptune.testing.TinyModel;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop on the repository's tiny CLIP: determinism, interruption and resume, checkpoints. */
class TrainerTest {
  private static final List<String> CLASSES = List.of("red square", "green circle", "blue stripes");

  static List<Item> images(Path dir) throws IOException {
    List<Item> items = new ArrayList<>();
    Color[] colours = {Color.RED, Color.GREEN, Color.BLUE};
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 4; i++) {
        BufferedImage img = new BufferedImage(40, 36, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 40, 36);
        g.setColor(colours[c]);
        if (c == 0) {
          g.fillRect(5 + i, 5, 25, 25);
        } else if (c == 1) {
          g.fillOval(4 + i, 4, 28, 28);
        } else {
          for (int x = i; x < 40; x += 6) {
            g.fillRect(x, 0, 3, 36);
          }
        }
        g.dispose();
        Path p = dir.resolve("c" + c + "_" + i + ".png");
        ImageIO.write(img, "png", p.toFile());
        items.add(new Item(p.toString(), c, CLASSES.get(c)));
      }
    }
    return items;
  }

  private static Map<String, float[]> values(PromptLearner l) {
    Map<String, float[]> m = new LinkedHashMap<>();
    for (PromptParameter p : l.parameters()) {
      m.put(p.name(), p.value().toFloatArray());
    }
    return m;
  }

  @Test
  void anInterruptedRunResumesToTheSamePromptsAsAnUninterruptedOne(@TempDir Path tmp) throws IOException {
    List<Item> train = images(Files.createDirectories(tmp.resolve("img")));
    TrainOptions opt = new TrainOptions.Builder().epochs(3).batchSize(4).lr(0.01).seed(7).testBatchSize(10).threads(2)
        .decodeCacheBytes(1 << 20).progress(false).build();
    MethodConfig cfg = MethodConfig.fromOfficial(Method.COCOOP, Map.of("N_CTX", "2", "SEED", "3"));
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    ClipModel clip = TinyModel.clip();
    ClipTokenizer tok = TinyModel.tokenizer();
    ClipPreprocessor pre = ClipPreprocessor.openAi(clip.config().vision().imageSize());
    Map<String, float[]> straight;
    List<Trainer.EpochLog> logs;
    try (PromptLearner l = PromptLearners.create(clip, tok, CLASSES, cfg)) {
      logs = new Trainer(l, pre, opt, tmp.resolve("a"), quiet).fit(train, false);
      straight = values(l);
    }
    assertThat(logs).hasSize(3);
    assertThat(logs.get(0).lr()).isEqualTo(1e-5);
    assertThat(logs.get(1).steps()).isEqualTo(3); // 12 images, batch 4, drop_last

    // the same run, stopped right after epoch 1's checkpoint, then resumed by a fresh learner
    try (PromptLearner l = PromptLearners.create(clip, tok, CLASSES, cfg)) {
      Trainer t = new Trainer(l, pre, opt, tmp.resolve("b"), quiet).onEpochEnd(e -> {
        if (e.epoch() == 1) {
          throw new IllegalStateException("killed");
        }
      });
      assertThatThrownBy(() -> t.fit(train, true)).hasMessage("killed");
    }
    assertThat(Files.readString(tmp.resolve("b/checkpoints/latest")).trim()).isEqualTo("epoch-1.safetensors");
    try (PromptLearner l = PromptLearners.create(clip, tok, CLASSES, cfg)) {
      List<Trainer.EpochLog> rest = new Trainer(l, pre, opt, tmp.resolve("b"), quiet).fit(train, true);
      assertThat(rest).extracting(Trainer.EpochLog::epoch).containsExactly(2, 3);
      Map<String, float[]> resumed = values(l);
      for (String k : straight.keySet()) {
        assertThat(resumed.get(k)).as(k).containsExactly(straight.get(k));
        assertThat(straight.get(k)).as(k + " trained").isNotEqualTo(l.initialValue(k));
      }
    }
    assertThat(tmp.resolve("b/checkpoints/epoch-1.safetensors")).doesNotExist();
    // history.json: the three epochs of the uninterrupted run, the resumed one the same (epoch 1 kept from before)
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.JsonNode a = json.readTree(tmp.resolve("a/history.json").toFile()).path("epochs");
    com.fasterxml.jackson.databind.JsonNode b = json.readTree(tmp.resolve("b/history.json").toFile()).path("epochs");
    assertThat(a).hasSize(3);
    for (int e = 0; e < 3; e++) {
      assertThat(a.get(e).path("epoch").asInt()).isEqualTo(e + 1);
      assertThat(a.get(e).path("loss").asDouble()).isEqualTo(logs.get(e).loss());
      assertThat(a.get(e).path("lr").asDouble()).isEqualTo(logs.get(e).lr());
      assertThat(b.get(e).path("loss").asDouble()).as("resumed epoch %d loss", e + 1)
          .isEqualTo(a.get(e).path("loss").asDouble());
      assertThat(b.get(e).path("accuracy").asDouble()).isEqualTo(a.get(e).path("accuracy").asDouble());
    }
    assertThat(b).hasSize(3);
    assertThat(tmp.resolve("b/checkpoints/epoch-3.safetensors")).exists();
  }

  /**
   * PromptSRC's Gaussian prompt aggregation carries a running sum across epochs; it travels in the checkpoint, so a
   * run killed after epoch 2 and resumed ends with the same aggregated prompts as an uninterrupted one.
   */
  @Test
  void anInterruptedPromptSrcRunResumesToTheSameAggregatedPrompts(@TempDir Path tmp) throws IOException {
    List<Item> train = images(Files.createDirectories(tmp.resolve("img")));
    TrainOptions opt = new TrainOptions.Builder().epochs(3).batchSize(4).lr(0.01).seed(7).testBatchSize(10).threads(2)
        .decodeCacheBytes(1 << 20).progress(false).build();
    MethodConfig cfg = MethodConfig.fromOfficial(Method.PROMPTSRC, Map.of("N_CTX_TEXT", "2", "N_CTX_VISION", "2",
        "PROMPT_DEPTH_TEXT", "2", "PROMPT_DEPTH_VISION", "2", "GPA_MEAN", "2", "GPA_STD", "1", "TEMPLATES",
        "a photo of a {}. | a drawing of a {}."));
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    ClipModel clip = TinyModel.clip();
    ClipTokenizer tok = TinyModel.tokenizer();
    ClipPreprocessor pre = ClipPreprocessor.openAi(clip.config().vision().imageSize());
    Map<String, float[]> straight;
    Map<String, float[]> lastEpoch = new LinkedHashMap<>();
    try (PromptLearner l = PromptLearners.create(clip, tok, CLASSES, cfg)) {
      new Trainer(l, pre, opt, tmp.resolve("a"), quiet).fit(train, false);
      straight = values(l);
    }
    try (PromptLearner l = PromptLearners.create(clip, tok, CLASSES, cfg)) {
      Trainer t = new Trainer(l, pre, opt, tmp.resolve("b"), quiet).onEpochEnd(e -> {
        if (e.epoch() == 2) {
          lastEpoch.putAll(values(l));
          throw new IllegalStateException("killed");
        }
      });
      assertThatThrownBy(() -> t.fit(train, true)).hasMessage("killed");
    }
    try (PromptLearner l = PromptLearners.create(clip, tok, CLASSES, cfg)) {
      new Trainer(l, pre, opt, tmp.resolve("b"), quiet).fit(train, true);
      Map<String, float[]> resumed = values(l);
      for (String k : straight.keySet()) {
        assertThat(resumed.get(k)).as(k).containsExactly(straight.get(k));
        // a restarted sum would end at about 0.27 x the epoch-3 prompts; and the aggregate is not epoch 2's prompts
        assertThat(straight.get(k)).as(k + " aggregated").isNotEqualTo(lastEpoch.get(k));
      }
    }
  }

  @Test
  void aDivergingLossStopsWithTheStep(@TempDir Path tmp) throws IOException {
    List<Item> train = images(Files.createDirectories(tmp.resolve("img")));
    TrainOptions opt = new TrainOptions.Builder().epochs(3).batchSize(4).lr(1e30).warmupLr(1e30).seed(7)
        .testBatchSize(10).threads(1).decodeCacheBytes(0).progress(false).build();
    try (PromptLearner l = PromptLearners.create(TinyModel.clip(), TinyModel.tokenizer(), CLASSES,
        MethodConfig.fromOfficial(Method.COOP, Map.of("N_CTX", "2")))) {
      Trainer t = new Trainer(l, ClipPreprocessor.openAi(32), opt, tmp.resolve("run"),
          new PrintStream(new ByteArrayOutputStream()));
      assertThatThrownBy(() -> t.fit(train, false)).isInstanceOf(TrainingDivergedException.class)
          .hasMessageContaining("epoch 1, step").hasMessageContaining("learning rate");
    }
  }
}
