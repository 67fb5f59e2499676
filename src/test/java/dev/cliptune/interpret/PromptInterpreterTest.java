package dev.cliptune.interpret;

import static dev.cliptune.prompt.checkpoint.CheckpointFixture.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.cli.Main;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.ClipWeights;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.interpret.PromptInterpreter.Group;
import dev.cliptune.interpret.PromptInterpreter.Neighbour;
import dev.cliptune.prompt.Method;
import dev.cliptune.prompt.MethodConfig;
import dev.cliptune.prompt.PromptLearner;
import dev.cliptune.prompt.PromptLearners;
import dev.cliptune.prompt.checkpoint.CheckpointException;
import dev.cliptune.prompt.checkpoint.CheckpointFixture;
import dev.cliptune.prompt.checkpoint.LoadedCheckpoint;
import dev.cliptune.prompt.checkpoint.PromptCheckpoint;
import dev.cliptune.testing.TinyModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Nearest-token interpretation of learned contexts on the repository's tiny CLIP (the world's vocabulary). */
class PromptInterpreterTest {
  static final List<String> CLASSES = List.of("golden_retriever", "tabby cat", "airliner");

  static ClipWeights weights;
  static ClipModel clip;
  static ClipTokenizer tok;

  @TempDir Path tmp;

  @BeforeAll
  static void load() {
    weights = TinyModel.weights();
    clip = TinyModel.clip();
    tok = TinyModel.tokenizer();
  }

  private LoadedCheckpoint save(String name, MethodConfig config, ClipModel on) throws IOException {
    Path f = tmp.resolve(name);
    try (PromptLearner learner = PromptLearners.create(on, tok, CLASSES, config)) {
      PromptCheckpoint.save(f, learner, null);
    }
    return PromptCheckpoint.read(f);
  }

  @Test
  void wordInitialisedContextMapsEachRowToItsOwnWordAtDistanceZero() throws IOException {
    LoadedCheckpoint ck = save("ctxv1.safetensors", config(Method.COOP, "CTX_INIT", "a photo of a"), clip);
    List<Group> groups = PromptInterpreter.interpret(ck, clip, tok, 3);
    assertThat(groups).hasSize(1);
    Group g = groups.get(0);
    assertThat(g.tensor()).isEqualTo("ctx");
    assertThat(g.className()).isNull();
    assertThat(g.rows()).hasSize(4);
    assertThat(g.rows().stream().map(r -> r.get(0).token())).containsExactly("a</w>", "photo</w>", "of</w>", "a</w>");
    for (List<Neighbour> row : g.rows()) {
      assertThat(row).hasSize(3);
      assertThat(row.get(0).distance()).isEqualTo(0.0);
      assertThat(String.format("%.4f", row.get(0).distance())).isEqualTo("0.0000");
      assertThat(row.get(1).distance()).isGreaterThan(0.0);
      assertThat(row).isSortedAccordingTo(Comparator.comparingDouble(Neighbour::distance));
    }
    assertThat(g.rows().get(0).get(0).tokenId()).isEqualTo(g.rows().get(3).get(0).tokenId());
  }

  @Test
  void nearestTokensAgreeWithAFullScanOfTheTable() throws IOException {
    LoadedCheckpoint ck = save("random.safetensors", config(Method.COOP, "N_CTX", 3, "SEED", 11), clip);
    int k = 5;
    List<List<Neighbour>> rows = PromptInterpreter.interpret(ck, clip, tok, k).get(0).rows();
    float[] table = clip.tokenEmbeddingTable().toFloatArray();
    float[] ctx = ck.tensor("ctx").data();
    int d = clip.config().text().width();
    int vocab = table.length / d;
    for (int r = 0; r < 3; r++) {
      double[] dist = new double[vocab];
      for (int v = 0; v < vocab; v++) {
        double s = 0;
        for (int i = 0; i < d; i++) {
          double diff = (double) ctx[r * d + i] - table[v * d + i];
          s += diff * diff;
        }
        dist[v] = Math.sqrt(s);
      }
      List<Integer> expected = IntStream.range(0, vocab).boxed()
          .sorted(Comparator.<Integer>comparingDouble(v -> dist[v]).thenComparingInt(v -> v)).limit(k).toList();
      List<Neighbour> got = rows.get(r);
      assertThat(got.stream().map(Neighbour::tokenId)).containsExactlyElementsOf(expected);
      for (Neighbour n : got) {
        assertThat(n.distance()).isCloseTo(dist[n.tokenId()], org.assertj.core.data.Offset.offset(1e-12));
        assertThat(n.token()).isEqualTo(tok.tokenString(n.tokenId()));
      }
    }
  }

  @Test
  void deepTextPromptsOfMaPLeAndIvlpAreInterpretedInLayerOrder() throws IOException {
    LoadedCheckpoint maple = save("maple.safetensors", config(Method.MAPLE, "PROMPT_DEPTH", 4), clip);
    assertThat(PromptInterpreter.interpret(maple, clip, tok, 2).stream().map(Group::tensor)).containsExactly(
        "prompt_learner.ctx", "prompt_learner.compound_prompts_text.0", "prompt_learner.compound_prompts_text.1",
        "prompt_learner.compound_prompts_text.2");
    LoadedCheckpoint ivlp = save("ivlp.safetensors",
        config(Method.IVLP, "PROMPT_DEPTH_TEXT", 3, "PROMPT_DEPTH_VISION", 2), clip);
    List<Group> groups = PromptInterpreter.interpret(ivlp, clip, tok, 2);
    assertThat(groups.stream().map(Group::tensor)).containsExactly("prompt_learner.ctx",
        "text_encoder.transformer.resblocks.1.VPT_shallow", "text_encoder.transformer.resblocks.2.VPT_shallow");
    // MaPLe / IVLP take the first N_CTX = 2 words of "a photo of a"
    assertThat(groups.get(0).rows().stream().map(r -> r.get(0).token())).containsExactly("a</w>", "photo</w>");
  }

  @Test
  void classSpecificContextIsInterpretedClassByClass() throws IOException {
    LoadedCheckpoint ck = save("csc.safetensors", config(Method.COOP, "N_CTX", 2, "CSC", true), clip);
    List<Group> groups = PromptInterpreter.interpret(ck, clip, tok, 1);
    assertThat(groups.stream().map(Group::className)).containsExactlyElementsOf(CLASSES);
    assertThat(groups).allSatisfy(g -> assertThat(g.rows()).hasSize(2));
    // class 1's rows are rows 2 and 3 of the [3, 2, Dt] tensor
    int d = clip.config().text().width();
    float[] row2 = java.util.Arrays.copyOfRange(ck.tensor("ctx").data(), 2 * d, 3 * d);
    int expected = PromptInterpreter.nearest(clip.tokenEmbeddingTable(), row2, d, 1, tok).get(0).get(0).tokenId();
    assertThat(groups.get(1).rows().get(0).get(0).tokenId()).isEqualTo(expected);
  }

  @Test
  void vptAndForeignBackbonesAreRefused() throws IOException {
    LoadedCheckpoint vpt = save("vpt.safetensors", config(Method.VPT, "N_CTX_VISION", 2, "PROMPT_DEPTH_VISION", 2), clip);
    assertThatThrownBy(() -> PromptInterpreter.interpret(vpt, clip, tok, 3))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("VPT learns no text context vectors");
    try (ClipModel other = ClipModel.create(CheckpointFixture.modified(weights))) {
      LoadedCheckpoint foreign = save("foreign.safetensors", config(Method.COOP, "N_CTX", 2), other);
      assertThatThrownBy(() -> PromptInterpreter.interpret(foreign, clip, tok, 3))
          .isInstanceOf(CheckpointException.class)
          .hasMessageContaining("another backbone")
          .hasMessageContaining(other.identity());
    }
    LoadedCheckpoint ok = save("coop.safetensors", config(Method.COOP, "N_CTX", 2), clip);
    assertThatThrownBy(() -> PromptInterpreter.interpret(ok, clip, tok, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("top k = 0");
  }

  // ------------------------------------------------------------------ CLI

  private record Run(int exit, String out, String err) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void cliPrintsTheNearestTokensTable() throws IOException {
    LoadedCheckpoint ck = save("ctxv1.safetensors", config(Method.COOP, "CTX_INIT", "a photo of a"), clip);
    Run r = cli("interpret", "--prompts", ck.file().toString(), "--model", CheckpointFixture.modelDir().toString(),
        "--top", "2");
    assertThat(r.err()).isEmpty();
    assertThat(r.exit()).isZero();
    List<String> lines = r.out().lines().toList();
    int d = clip.config().text().width();
    assertThat(lines).contains(
        "prompts: " + ck.file() + " (CoOp, 3 classes)",
        "backbone: sha256 " + clip.identity() + " (the model's)",
        "top 2 tokens by Euclidean distance in token_embedding [" + tok.vocabSize() + ", " + d + "]",
        "ctx [4, " + d + "]");
    List<String> table = new ArrayList<>(lines.subList(lines.indexOf("ctx [4, " + d + "]") + 1, lines.size()));
    assertThat(table).hasSize(4);
    String[] words = {"a</w>", "photo</w>", "of</w>", "a</w>"};
    List<List<Neighbour>> rows = PromptInterpreter.interpret(ck, clip, tok, 2).get(0).rows();
    for (int i = 0; i < 4; i++) {
      String line = table.get(i);
      assertThat(line).startsWith(String.format("%4d  %s 0.0000 ", i + 1, words[i]));
      Neighbour second = rows.get(i).get(1);
      assertThat(line).endsWith(second.token() + " " + String.format("%.4f", second.distance()));
      assertThat(line.trim().split("\\s+")).hasSize(5);
    }
  }

  @Test
  void cliRefusesPromptsOfAnotherBackbone() throws IOException {
    try (ClipModel other = ClipModel.create(CheckpointFixture.modified(weights))) {
      LoadedCheckpoint ck = save("foreign.safetensors", config(Method.COOP, "N_CTX", 2), other);
      Run r = cli("interpret", "--prompts", ck.file().toString(), "--model", CheckpointFixture.modelDir().toString());
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).startsWith("cliptune interpret: ").contains("another backbone").contains(other.identity());
    }
  }
}
