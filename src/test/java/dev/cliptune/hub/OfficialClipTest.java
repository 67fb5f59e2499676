package dev.cliptune.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** clip.load's download (URL table, sha256 in the URL, ~/.cache/clip) against a local server, never the internet. */
class OfficialClipTest {
  @TempDir Path tmp;
  FakeHub server;
  byte[] content;
  String sha;
  Path clipDir;
  HubConfig cfg;

  @BeforeEach
  void start() throws IOException {
    server = new FakeHub();
    // OpenAI's TorchScript format when the shared fixtures are there, the embedded model's file otherwise
    Path jit = Shared.root().resolve("fixtures/checkpoints/vit/openai-jit.pt");
    content = Files.readAllBytes(Files.isRegularFile(jit) ? jit : Path.of("models/tiny/model.safetensors"));
    sha = FakeHub.sha256(content);
    server.files.put("/clip/models/" + sha + "/ViT-T-8.pt", content);
    clipDir = tmp.resolve(".cache/clip");
    cfg = HubConfig.fromEnvironment(Map.of(), tmp.toString()).withProgress(false)
        .withRetries(3, Duration.ofMillis(10)).withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  OfficialClip clip() {
    return new OfficialClip(cfg, server.cdnOrigin() + "/clip/models/", Map.of("ViT-T/8", sha + "/ViT-T-8.pt"));
  }

  @Test
  void downloadsToTheCacheClipLoadUsesAndReusesAVerifiedFile() throws IOException {
    Path file = clip().fetch("ViT-T/8", clipDir, System.err);
    assertThat(file).isEqualTo(clipDir.resolve("ViT-T-8.pt"));
    assertThat(Files.readAllBytes(file)).isEqualTo(content);
    assertThat(server.requests("cdn")).singleElement()
        .satisfies(r -> assertThat(r.rawPath()).isEqualTo("/clip/models/" + sha + "/ViT-T-8.pt"));
    assertThat(clip().fetch("ViT-T/8", clipDir, System.err)).isEqualTo(file);
    assertThat(server.requests("cdn")).hasSize(1);
  }

  @Test
  void aCachedFileWithAnotherHashIsReplacedWithAWarning() throws IOException {
    Files.createDirectories(clipDir);
    Files.write(clipDir.resolve("ViT-T-8.pt"), new byte[] {1, 2, 3});
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path file = clip().fetch("ViT-T/8", clipDir, new PrintStream(log, true, StandardCharsets.UTF_8));
    assertThat(Files.readAllBytes(file)).isEqualTo(content);
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("SHA256 checksum does not match; re-downloading");
  }

  @Test
  void aWrongSha256IsRefusedAndNothingIsLeft() throws IOException {
    server.corrupt.add(sha);
    assertThatThrownBy(() -> clip().fetch("ViT-T/8", clipDir, System.err))
        .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind()).isEqualTo(HubException.Kind.INTEGRITY))
        .hasMessageContaining("SHA256").hasMessageContaining(sha);
    try (Stream<Path> s = Files.list(clipDir)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void aDroppedConnectionResumes() throws IOException {
    server.drops.put(sha, new AtomicInteger(1));
    Path file = clip().fetch("ViT-T/8", clipDir, System.err);
    assertThat(Files.readAllBytes(file)).isEqualTo(content);
    assertThat(server.requests("cdn")).hasSize(2).last()
        .satisfies(r -> assertThat(r.range()).isEqualTo("bytes=" + content.length / 2 + "-"));
  }

  @Test
  void theOfficialTableUsesTheFullSha256AsThePathAndChecksIt() {
    assertThat(OfficialClip.names()).containsExactly("RN50", "RN101", "RN50x4", "RN50x16", "RN50x64", "ViT-B/32",
        "ViT-B/16", "ViT-L/14", "ViT-L/14@336px");
    assertThat(OfficialClip.fileName("ViT-B/16")).contains("ViT-B-16.pt");
    assertThat(OfficialClip.nameOfFile("ViT-L-14-336px.pt")).contains("ViT-L/14@336px");
    assertThat(OfficialClip.sha256("RN50")).contains(
        "afeb0e10f9e5a86da6080e35cf09123aca3b358a0c3e3b6c78a7b63bc04b6762");
    assertThat(OfficialClip.defaultCacheDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "clip"));

    // the base URL comes from the test override; the local server serves other bytes under ViT-B/16's hash
    String real = "5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f";
    server.files.put("/clip/models/" + real + "/ViT-B-16.pt", content);
    System.setProperty(OfficialClip.BASE_URL_PROPERTY, server.cdnOrigin() + "/clip/models");
    try {
      assertThatThrownBy(() -> new OfficialClip(cfg).fetch("ViT-B/16", clipDir, System.err))
          .isInstanceOfSatisfying(HubException.class,
              e -> assertThat(e.kind()).isEqualTo(HubException.Kind.INTEGRITY))
          .hasMessageContaining("the URL says " + real);
    } finally {
      System.clearProperty(OfficialClip.BASE_URL_PROPERTY);
    }
    assertThat(server.requests("cdn")).singleElement()
        .satisfies(r -> assertThat(r.rawPath()).isEqualTo("/clip/models/" + real + "/ViT-B-16.pt"));
    assertThat(clipDir.resolve("ViT-B-16.pt")).doesNotExist();
  }

  @Test
  void unknownNamesAndMissingFilesAreClearErrors() {
    assertThatThrownBy(() -> clip().fetch("ViT-B/15", clipDir, System.err))
        .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind()).isEqualTo(HubException.Kind.INVALID))
        .hasMessageContaining("'ViT-B/15' is not one of clip.load's models: ViT-T/8");
    server.files.clear();
    assertThatThrownBy(() -> clip().fetch("ViT-T/8", clipDir, System.err))
        .isInstanceOfSatisfying(HubException.class,
            e -> assertThat(e.kind()).isEqualTo(HubException.Kind.ENTRY_NOT_FOUND))
        .hasMessageContaining("HTTP 404");
  }
}
