package dev.cliptune.predict;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.Classifier;
import dev.cliptune.Clip;
import dev.cliptune.Models;
import dev.cliptune.cli.Main;
import dev.cliptune.eval.Metrics;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.checkpoint.PromptCheckpoint;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptLearners;
import dev.cliptune.testing.WorldImages;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/cliptune predict} end to end on real PNG/JPEG files with the embedded tiny CLIP. */
class PredictCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static Clip clip;
  static Classifier classifier;
  static List<String> colors;
  static String template;

  @BeforeAll
  static void load() {
    clip = Clip.load(Models.resolve(Models.BUILTIN_TINY));
    colors = WorldImages.dataset("Colors").classNames();
    template = WorldImages.dataset("Colors").template();
    classifier = Classifier.zeroShot(clip, colors, List.of(template));
  }

  @AfterAll
  static void close() {
    classifier.close();
    clip.close();
  }

  /** Runs the CLI; returns its exit status and what it printed on stderr. */
  static Object[] cli(String... args) {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int status = Main.run(args);
      return new Object[] {status, err.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setErr(old);
    }
  }

  String[] zeroShot(String... rest) {
    List<String> a = new ArrayList<>(List.of("predict", "--classes", String.join(",", colors), "--template", template));
    a.addAll(Arrays.asList(rest));
    return a.toArray(String[]::new);
  }

  @Test
  void foldersToCsvWithACorruptFileAndTruthFolders(@TempDir Path tmp) throws Exception {
    Path root = tmp.resolve("images");
    List<WorldImages.Item> items = WorldImages.write(root, "Colors", 12, 3);
    Path broken = root.resolve(colors.get(0)).resolve("broken.png");
    byte[] png = items.get(0).bytes();
    Files.write(broken, Arrays.copyOf(png, png.length / 2));
    Files.writeString(root.resolve("notes.txt"), "not an image, not listed"); // ignored in folders
    Path out = tmp.resolve("out.csv");
    Object[] r = cli(zeroShot(root.toString(), "--out", out.toString(), "--top", "3", "--batch", "5", "--truth",
        "folders"));
    assertThat(r[0]).as((String) r[1]).isEqualTo(0);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0)).isEqualTo("path,label_1,probability_1,label_2,probability_2,label_3,probability_3,error");
    assertThat(lines).hasSize(1 + items.size() + 1);
    Map<String, String> top1 = new HashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      PredictOutput.Row row = PredictOutput.CSV.parse(line);
      top1.put(row.path(), row.top1());
      if (row.path().equals(broken.toString())) {
        assertThat(row.top1()).isNull();
        assertThat(row.error()).contains("broken.png").contains("truncated or corrupt");
      } else {
        assertThat(row.error()).isNull();
      }
    }
    Metrics expected = new Metrics(colors.size());
    for (WorldImages.Item it : items) {
      Classifier.Prediction lib = classifier.classify(it.file(), 1).get(0);
      assertThat(top1.get(it.file().toString())).as("%s from predict and from the library", it.file())
          .isEqualTo(lib.label());
      expected.add(it.label(), lib.index());
    }
    String err = (String) r[1];
    assertThat(err).contains("1 unreadable").contains(String.format(java.util.Locale.ROOT,
        "accuracy %.2f%%, macro-F1 %.2f%% on %d images", expected.accuracy(), expected.macroF1(), items.size()));
    assertThat(expected.accuracy()).isGreaterThan(75.0);
    assertThat(tmp.resolve("out.csv.partial")).doesNotExist();

    // --fail-fast stops at the broken file, naming it
    Object[] ff = cli(zeroShot(root.toString(), "--out", tmp.resolve("ff.csv").toString(), "--fail-fast"));
    assertThat(ff[0]).isEqualTo(dev.cliptune.cli.Main.USER_ERROR);
    assertThat((String) ff[1]).contains("broken.png").contains("--fail-fast");
    assertThat(tmp.resolve("ff.csv")).doesNotExist();
  }

  @Test
  void anInterruptedRunResumesWithTheSameOut(@TempDir Path tmp) throws Exception {
    Path root = tmp.resolve("images");
    List<WorldImages.Item> items = WorldImages.write(root, "Colors", 6, 3);
    Path out = tmp.resolve("out.jsonl");
    Path partial = tmp.resolve("out.jsonl.partial");
    Object[] first = cli(zeroShot(root.toString(), "--out", out.toString(), "--batch", "4", "--stop-after", "8"));
    assertThat(first[0]).as((String) first[1]).isEqualTo(0);
    assertThat(out).doesNotExist();
    assertThat(Files.readAllLines(partial)).hasSize(8);
    // killed in the middle of writing a line: that line is redone
    Files.writeString(partial, "{\"path\":\"" + items.get(9).file() + "\",\"labels\":[\"re", StandardOpenOption.APPEND);
    Object[] second = cli(zeroShot(root.toString(), "--out", out.toString(), "--batch", "4"));
    assertThat(second[0]).as((String) second[1]).isEqualTo(0);
    assertThat((String) second[1]).contains("8 of " + items.size() + " images already in");
    assertThat(partial).doesNotExist();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(items.size());
    List<String> paths = new ArrayList<>();
    for (String line : lines) {
      JsonNode o = JSON.readTree(line);
      paths.add(o.path("path").asText());
      assertThat(o.path("labels")).hasSize(5);
      assertThat(o.path("labels").get(0).asText())
          .isEqualTo(classifier.classify(Path.of(o.path("path").asText()), 1).get(0).label());
    }
    assertThat(paths).containsExactlyInAnyOrderElementsOf(items.stream().map(i -> i.file().toString()).toList());
    // a third run has nothing to do and leaves the file as it was
    String before = Files.readString(out);
    Object[] third = cli(zeroShot(root.toString(), "--out", out.toString()));
    assertThat(third[0]).isEqualTo(0);
    assertThat(Files.readString(out)).isEqualTo(before);
  }

  @Test
  void aListFileAndAPromptCheckpoint(@TempDir Path tmp) throws Exception {
    List<WorldImages.Item> items = WorldImages.write(tmp.resolve("imgs"), "Colors", 4, 2);
    Path list = tmp.resolve("list.txt");
    StringBuilder sb = new StringBuilder("# images to label\n");
    for (WorldImages.Item it : items) {
      sb.append(tmp.relativize(it.file())).append('\n');
    }
    Files.writeString(list, sb.toString());
    Path ckpt = tmp.resolve("coop.safetensors");
    MethodConfig config = MethodConfig.defaults(Method.COOP).with("N_CTX", "4", "test");
    try (PromptLearner learner = PromptLearners.create(clip.model(), clip.tokenizer(), colors.subList(0, 4), config)) {
      PromptCheckpoint.save(ckpt, learner, null);
    }
    Path out = tmp.resolve("out.jsonl");
    Object[] r = cli("predict", "--prompts", ckpt.toString(), "--list", list.toString(), "--out", out.toString(),
        "--top", "2");
    assertThat(r[0]).as((String) r[1]).isEqualTo(0);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(items.size());
    try (Classifier c = Classifier.fromCheckpoint(clip, ckpt, null)) {
      for (int i = 0; i < items.size(); i++) {
        JsonNode o = JSON.readTree(lines.get(i));
        assertThat(Path.of(o.path("path").asText())).isEqualTo(items.get(i).file());
        List<Classifier.Prediction> lib = c.classify(items.get(i).file(), 2);
        assertThat(o.path("labels").get(0).asText()).isEqualTo(lib.get(0).label());
        assertThat((float) o.path("probabilities").get(0).asDouble()).isEqualTo(lib.get(0).probability());
      }
    }
    Object[] none = cli("predict", "--out", out.toString(), tmp.resolve("imgs").toString());
    assertThat(none[0]).isEqualTo(dev.cliptune.cli.Main.USER_ERROR);
    assertThat((String) none[1]).contains("--prompts").contains("--classes");
  }
}
