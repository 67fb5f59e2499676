package dev.cliptune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real user errors through the entry point: each exits with code 2 and prints exactly one line on stderr,
 * {@code cliptune <command>: <message>}, naming what was wrong. Runs on files made here (no ../shared).
 */
class UserErrorExitTest {

  private record Run(int exit, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void aMissingCheckpointFileIsOneLineAndExitTwo(@TempDir Path tmp) {
    Path missing = tmp.resolve("no-such-prompts.safetensors");
    Run r = cli("interpret", "--prompts", missing.toString());
    assertThat(r.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("cliptune interpret: ").contains(missing.toString()).contains("not found");
  }

  @Test
  void aMissingModelDirectoryIsOneLineAndExitTwo(@TempDir Path tmp) throws IOException {
    Path image = Files.createFile(tmp.resolve("a.png"));
    Path model = tmp.resolve("no-model");
    Run r = cli("classify", "--model", model.toString(), "--classes", "cat,dog", image.toString());
    assertThat(r.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("cliptune classify: --model " + model + ": no such file or directory; expected a model directory");
  }

  @Test
  void anUnknownSetKeyIsOneLineAndExitTwo(@TempDir Path tmp) {
    Run r = cli("train", "--dataset", "DescribableTextures", "--data-root", tmp.toString(), "--output",
        tmp.resolve("out").toString(), "--set", "no_such_key=3");
    assertThat(r.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(r.errLines()).singleElement().asString()
        .startsWith("cliptune train: --set no_such_key").contains("unknown key");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void aDirectoryThatIsNotAFixtureSetIsOneLineAndExitTwo(@TempDir Path tmp) throws IOException {
    Files.writeString(tmp.resolve("notes.txt"), "not a manifest\n");
    Run r = cli("parity", "--fixtures", tmp.toString());
    assertThat(r.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(r.errLines()).singleElement().asString()
        .isEqualTo("cliptune parity: " + tmp + " is not a fixture set: expected manifest.json or fewshot.json in it");
  }

  @Test
  void aMalformedSplitFileGivesOneLineEvenWhenTheParserMessageHasSeveral(@TempDir Path tmp) throws IOException {
    Path split = tmp.resolve("split.json");
    Files.writeString(split, "{\"train\": [[\"a.png\", 0, \"cat\"],\n  oops\n]}\n");
    Run r = cli("zeroshot", "--dataset", split.toString(), "--seeds", "1", "--output", tmp.resolve("out").toString());
    assertThat(r.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(r.errLines()).singleElement().asString().startsWith("cliptune zeroshot: ").contains(split.toString());
  }

  @Test
  void aMistypedOptionIsOneLineWithTheSuggestionAndExitTwo() {
    Run r = cli("bench", "clip", "--sise", "tiny");
    assertThat(r.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(r.errLines()).containsExactly("cliptune bench clip: Unknown options: '--sise', 'tiny'; did you mean"
        + " --size? (see cliptune bench clip --help)");
  }

  @Test
  void optionsThatCannotGoTogetherAreOneLineAndExitTwo() {
    Run r = cli("train", "--dataset", "a,b");
    assertThat(r.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(r.errLines()).containsExactly("cliptune train: train needs exactly one --dataset, got [a, b]");
  }

  /** xdata and dg train on --source and test on --targets: --dataset is refused, not ignored, and not offered. */
  @Test
  void transferCommandsRefuseDatasetAndDoNotOfferIt(@TempDir Path tmp) {
    for (String cmd : List.of("xdata", "dg")) {
      Run r = cli(cmd, "--dataset", "OxfordPets", "--data-root", tmp.toString(), "--output",
          tmp.resolve("out").toString());
      assertThat(r.exit()).as(cmd).isEqualTo(Main.USER_ERROR);
      assertThat(r.errLines()).as(cmd).singleElement().asString().startsWith("cliptune " + cmd + ": --dataset"
          + " OxfordPets: " + cmd + " trains on --source (default ImageNet) and tests on it and on --targets")
          .endsWith("it takes no --dataset");
      assertThat(tmp.resolve("out")).doesNotExist();
      Run help = cli(cmd, "--help");
      assertThat(help.out()).contains("--source").contains("--targets").doesNotContain("--dataset");
    }
    assertThat(cli("base2new", "--help").out()).contains("--dataset=NAME");
  }

  /** --resume continues training: the commands that train offer it; eval, zeroshot and linear-probe refuse it. */
  @Test
  void resumeIsOfferedOnlyByTheCommandsThatTrain() {
    for (String cmd : List.of("train", "base2new", "fewshot", "xdata", "dg")) {
      assertThat(cli(cmd, "--help").out()).as(cmd).contains("--resume");
    }
    for (String cmd : List.of("eval", "zeroshot", "linear-probe")) {
      assertThat(cli(cmd, "--help").out()).as(cmd).doesNotContain("--resume");
      Run r = cmd.equals("eval") ? cli(cmd, "--prompts", "model.pth.tar-1", "--resume") : cli(cmd, "--resume");
      assertThat(r.exit()).as(cmd).isEqualTo(Main.USER_ERROR);
      assertThat(r.errLines()).as(cmd).containsExactly("cliptune " + cmd + ": Unknown option: '--resume'"
          + " (see cliptune " + cmd + " --help)");
    }
  }

  /** Zero-shot trains nothing: its --preset may only name a CoOp config (the official script reads one for the backbone). */
  @Test
  void zeroShotRefusesAPresetNoOfficialScriptCouldRead() {
    Run r = cli("zeroshot", "--dataset", "EuroSAT", "--preset", "vit_b16_nonsense");
    assertThat(r.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("cliptune zeroshot: zero-shot CLIP trains nothing; --preset "
        + "'vit_b16_nonsense' is not a CoOp config").contains("vit_b16_ep50");
  }

  /** Only the single runs choose their classes; the protocols do not offer --subsample, which they would ignore. */
  @Test
  void subsampleIsOfferedWhereItMeansSomethingAndChecked(@TempDir Path tmp) {
    for (String cmd : List.of("train", "eval", "zeroshot", "linear-probe")) {
      assertThat(cli(cmd, "--help").out()).as(cmd).contains("--subsample=all|base|new");
    }
    for (String cmd : List.of("base2new", "xdata", "dg", "fewshot")) {
      assertThat(cli(cmd, "--help").out()).as(cmd).doesNotContain("--subsample");
      Run r = cli(cmd, "--subsample", "base");
      assertThat(r.exit()).as(cmd).isEqualTo(Main.USER_ERROR);
      assertThat(r.errLines()).as(cmd).containsExactly("cliptune " + cmd + ": Unknown options: '--subsample', 'base'"
          + " (see cliptune " + cmd + " --help)");
    }
    Run shots = cli("fewshot", "--shots", "4", "--dataset", "DescribableTextures", "--output",
        tmp.resolve("out").toString());
    assertThat(shots.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(shots.errLines()).containsExactly("cliptune fewshot: --shots: fewshot runs every K of --shots-list"
        + " (default 1,2,4,8,16); give --shots-list K for one K");
    Run bad = cli("zeroshot", "--dataset", "DescribableTextures", "--subsample", "novel", "--output",
        tmp.resolve("out").toString());
    assertThat(bad.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(bad.errLines()).containsExactly("cliptune zeroshot: --subsample novel: expected all, base or new");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void anUnknownDemoMethodFailsBeforeTheWorldIsWritten(@TempDir Path tmp) {
    Run r = cli("demo", "--methods", "CoOp,Foo", "--world", tmp.resolve("world").toString(), "--output",
        tmp.resolve("runs").toString());
    assertThat(r.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(r.errLines()).singleElement().asString().startsWith("cliptune demo: unknown demo method 'Foo'");
    assertThat(tmp.resolve("world")).doesNotExist();
  }

  @Test
  void anUnknownBenchRowIsOneLineAndExitTwo() {
    Run r = cli("bench", "methods", "--only", "coop_train,no_such_row", "--size", "tiny");
    assertThat(r.exit()).isEqualTo(Main.USER_ERROR);
    assertThat(r.errLines()).singleElement().asString().startsWith("cliptune bench methods: unknown row 'no_such_row'");
  }

  @Test
  void multiLineMessagesAreFoldedIntoOne() {
    assertThat(Main.oneLine("a: bad\n  at [Source: x; line: 2]\r\n end")).isEqualTo("a: bad at [Source: x; line: 2] end");
    assertThat(Main.oneLine(null)).isEqualTo("(no message)");
  }
}
