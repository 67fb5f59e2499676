package dev.cliptune.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cliptune.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cliptune download} and {@code cliptune models} as a user runs them: another JVM with the HF_* variables
 * set, against {@link FakeHub} on 127.0.0.1.
 */
class HubCommandsTest {
  @TempDir Path tmp;
  FakeHub hub;
  String commit;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() throws IOException {
    hub = new FakeHub();
    commit = hub.repo("openai/clip-tiny").commit("main", FakeHub.readDir(Path.of("models", "tiny")));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  Run cliptune(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Duser.home=" + tmp.resolve("home"), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out.txt").toFile())
        .redirectError(tmp.resolve("err.txt").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HF_") || k.startsWith("HUGGING"));
    pb.environment().put("HF_HOME", tmp.resolve("hf").toString());
    pb.environment().put("HF_ENDPOINT", hub.endpoint());
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("cliptune finished").isTrue();
    return new Run(p.exitValue(), Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8),
        Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8));
  }

  @Test
  void downloadFetchesIntoTheHfHomeCacheAndModelsListsIt() throws Exception {
    Run d = cliptune(Map.of(), "download", "hf-hub:openai/clip-tiny");
    Path snap = tmp.resolve("hf/hub/models--openai--clip-tiny/snapshots").resolve(commit);
    assertThat(d.exit()).as(d.err()).isZero();
    assertThat(d.out().strip()).isEqualTo(snap.toString());
    assertThat(d.err()).as("progress bar with rate").contains("openai/clip-tiny/model.safetensors").contains("MB/s");
    assertThat(snap.resolve("model.safetensors")).hasSameBinaryContentAs(Path.of("models/tiny/model.safetensors"));

    Run m = cliptune(Map.of(), "models");
    assertThat(m.exit()).as(m.err()).isZero();
    assertThat(m.out()).contains("HF hub cache: " + tmp.resolve("hf/hub"))
        .contains("openai/clip-tiny  6.7 MB on disk")
        .contains(commit + " (main)  5 files, 6.7 MB: config.json merges.txt model.safetensors"
            + " preprocessor_config.json vocab.json")
        .contains("clip.load cache: " + tmp.resolve("home/.cache/clip"));

    hub.close(); // offline: the same spec resolves from the cache without the hub
    Run offline = cliptune(Map.of("HF_HUB_OFFLINE", "1"), "download", "openai/clip-tiny@main", "--no-progress");
    assertThat(offline.exit()).as(offline.err()).isZero();
    assertThat(offline.out().strip()).isEqualTo(snap.toString());
  }

  @Test
  void errorsAreOneClearLine() throws Exception {
    Run missing = cliptune(Map.of(), "download", "hf-hub:openai/clip-nope", "--no-progress");
    assertThat(missing.exit()).isEqualTo(dev.cliptune.cli.Main.USER_ERROR);
    assertThat(missing.err().strip()).startsWith("cliptune download: hf-hub:openai/clip-nope: the HuggingFace hub"
        + " (openai/clip-nope): repository openai/clip-nope not found").doesNotContain("\n");

    Run badSpec = cliptune(Map.of(), "download", "ViT-B16");
    assertThat(badSpec.exit()).isEqualTo(2);
    assertThat(badSpec.err()).startsWith("cliptune download: ViT-B16: no such file or directory (did you mean the"
        + " official name 'ViT-B/16'?)");

    // a bare ORG/NAME is a hub id; one that looks like a mistyped clip.load name gets the list
    Run typo = cliptune(Map.of(), "download", "ViT-B/15", "--no-progress");
    assertThat(typo.exit()).isEqualTo(dev.cliptune.cli.Main.USER_ERROR);
    assertThat(typo.err()).contains("repository ViT-B/15 not found").contains("clip.load names: RN50");
  }

  /** download reads SPEC with --model's grammar: what names something local is refused, the rest is fetched. */
  @Test
  void downloadTakesTheModelGrammarAndRefusesLocalSpecs() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("org/name"));
    Path file = Files.write(tmp.resolve("w.pt"), new byte[] {1});
    for (String local : List.of(dir.toString(), file.toString(), "builtin:tiny")) {
      Run r = cliptune(Map.of(), "download", local);
      assertThat(r.exit()).as(local).isEqualTo(2);
      assertThat(r.err().strip()).as(local).startsWith("cliptune download: " + local + " is ")
          .contains("nothing to download").contains("clip.load name (RN50,");
    }
    Run noSlash = cliptune(Map.of(), "download", "hf-hub:clip-tiny");
    assertThat(noSlash.exit()).isEqualTo(2);
    assertThat(noSlash.err()).contains("hf-hub:clip-tiny: expected hf-hub:ORG/NAME");

    // an official name goes to --clip-dir from the official URL (here the local CDN, whose bytes do not match)
    hub.files.put("/clip/models/5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f/ViT-B-16.pt",
        new byte[] {1, 2, 3});
    Path clipDir = tmp.resolve("clip");
    Run official = cliptune(Map.of("CLIPTUNE_CLIP_BASE_URL", hub.cdnOrigin() + "/clip/models"), "download",
        "ViT-B/16", "--clip-dir", clipDir.toString(), "--no-progress");
    // bytes that do not match the URL's hash are not the user's input at fault: one line, exit 1
    assertThat(official.exit()).as(official.err()).isEqualTo(dev.cliptune.cli.Main.FAILURE);
    assertThat(official.err()).contains("cliptune download: ViT-B/16: " + clipDir.resolve("ViT-B-16.pt"))
        .contains("the URL says 5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f");
    assertThat(clipDir.resolve("ViT-B-16.pt")).doesNotExist();

    // a bare ORG/NAME@REVISION is the hub, as hf-hub: is
    Run bare = cliptune(Map.of(), "download", "openai/clip-tiny@" + commit, "--no-progress");
    assertThat(bare.exit()).as(bare.err()).isZero();
    assertThat(bare.out().strip()).isEqualTo(
        tmp.resolve("hf/hub/models--openai--clip-tiny/snapshots").resolve(commit).toString());
  }
}
