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
    assertThat(missing.err().strip()).startsWith("cliptune download: repository openai/clip-nope not found");

    Run badSpec = cliptune(Map.of(), "download", "ViT-B16");
    assertThat(badSpec.exit()).isEqualTo(2);
    assertThat(badSpec.err()).contains("'ViT-B16' is neither").contains("ViT-B/16");

    // a bare ORG/NAME is a hub id; one that looks like a mistyped clip.load name gets the list
    Run typo = cliptune(Map.of(), "download", "ViT-B/15", "--no-progress");
    assertThat(typo.exit()).isEqualTo(dev.cliptune.cli.Main.USER_ERROR);
    assertThat(typo.err()).contains("repository ViT-B/15 not found").contains("clip.load names: RN50");
  }
}
