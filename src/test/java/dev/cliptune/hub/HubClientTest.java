package dev.cliptune.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cliptune.testing.Shared;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub client against {@link FakeHub} on 127.0.0.1 (hub and CDN on two ports), never the internet: the cache
 * layout huggingface_hub writes and reads, the revision API, redirects without the token, resume after a dropped
 * connection, refused corrupt downloads, gated repositories, the three 404s, refs/pr/N and offline use.
 */
class HubClientTest {
  static final Path TINY = Path.of("models", "tiny");

  @TempDir Path tmp;
  FakeHub hub;
  Path cache;

  @BeforeEach
  void start() throws IOException {
    hub = new FakeHub();
    cache = tmp.resolve("hf").resolve("hub");
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  HubClient client(String token) {
    Map<String, String> env = new HashMap<>();
    env.put("HF_HOME", tmp.resolve("hf").toString());
    env.put("HF_ENDPOINT", hub.endpoint() + "/");
    if (token != null) {
      env.put("HF_TOKEN", token);
    }
    HubConfig cfg = HubConfig.fromEnvironment(env, tmp.toString()).withProgress(false)
        .withRetries(3, Duration.ofMillis(10)).withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(700));
    return new HubClient(cfg);
  }

  String tinyRepo(String id) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>(FakeHub.readDir(TINY));
    files.put("README.md", "# tiny\n".getBytes(StandardCharsets.UTF_8));
    files.put("flax_model.msgpack", new byte[] {1, 2, 3});
    files.put("pytorch_model.bin", new byte[] {9, 9, 9, 9});
    return hub.repo(id).commit("main", files);
  }

  @Test
  void snapshotWritesHuggingfaceHubsLayoutAndChoosesTheClipFiles() throws IOException {
    String commit = tinyRepo("openai/clip-tiny");
    Path snap = client(FakeHub.TOKEN).snapshot("openai/clip-tiny", null);

    Path repoDir = cache.resolve("models--openai--clip-tiny");
    assertThat(snap).isEqualTo(repoDir.resolve("snapshots").resolve(commit));
    assertThat(Files.readString(repoDir.resolve("refs/main"))).isEqualTo(commit); // no newline, as Python writes
    // refs get the default permissions (umask), as Python's, not a temporary file's 0600
    Path probe = Files.createFile(tmp.resolve("probe"));
    assertThat(Files.getPosixFilePermissions(repoDir.resolve("refs/main")))
        .isEqualTo(Files.getPosixFilePermissions(probe));
    assertThat(names(snap)).containsExactlyInAnyOrder("config.json", "vocab.json", "merges.txt",
        "preprocessor_config.json", "model.safetensors"); // not the .bin, README or flax weights
    for (String f : names(snap)) {
      byte[] original = Files.readAllBytes(TINY.resolve(f));
      Path link = snap.resolve(f);
      assertThat(Files.isSymbolicLink(link)).as(f + " is a symlink").isTrue();
      String etag = f.endsWith(".safetensors") ? FakeHub.sha256(original) : FakeHub.gitBlobId(original);
      assertThat(Files.readSymbolicLink(link).toString()).isEqualTo("../../blobs/" + etag);
      assertThat(Files.readAllBytes(link)).isEqualTo(original);
    }
    assertThat(names(repoDir.resolve("blobs"))).hasSize(5).noneMatch(n -> n.contains("incomplete"));
    assertThat(cache.resolve("CACHEDIR.TAG")).content().startsWith("Signature: 8a477f597d28d172789f06886806bc55");

    // the token goes to the hub, never to the CDN the LFS file redirects to (another port)
    assertThat(hub.requests("hub")).allMatch(r -> ("Bearer " + FakeHub.TOKEN).equals(r.authorization()));
    assertThat(hub.requests("cdn")).hasSize(1).allMatch(r -> r.authorization() == null);
    assertThat(hub.requests("hub").get(0).rawPath())
        .isEqualTo("/api/models/openai/clip-tiny/revision/main");
    assertThat(hub.requests("hub")).filteredOn(r -> r.method().equals("HEAD"))
        .allMatch(r -> r.rawPath().startsWith("/openai/clip-tiny/resolve/" + commit + "/"));
  }

  @Test
  void aCachedFullCommitNeedsNoNetworkAndOfflineModeResolvesRefs() throws IOException {
    String commit = tinyRepo("openai/clip-tiny");
    Path first = client(null).snapshot("openai/clip-tiny", "main");
    int before = hub.requests.size();

    assertThat(client(null).snapshot("openai/clip-tiny", commit)).isEqualTo(first);
    assertThat(hub.requests).hasSize(before);

    hub.close(); // the hub is gone: the ref in the cache answers, as in huggingface_hub
    assertThat(client(null).snapshot("openai/clip-tiny", "main")).isEqualTo(first);
    HubClient offline = new HubClient(client(null).config().withOffline(true));
    assertThat(offline.snapshot("openai/clip-tiny", "main")).isEqualTo(first);
    assertThat(offline.downloadFile("openai/clip-tiny", "main", "config.json")).isEqualTo(first.resolve("config.json"));
    assertThatThrownBy(() -> offline.snapshot("openai/clip-tiny", "v2.0"))
        .isInstanceOfSatisfying(HubException.class, e -> {
          assertThat(e.kind()).isEqualTo(HubException.Kind.NOT_CACHED);
          assertThat(e.isInputError()).as("HF_HUB_OFFLINE is the user's setting: exit 2").isTrue();
        })
        .hasMessageContaining("openai/clip-tiny").hasMessageContaining("v2.0").hasMessageContaining("HF_HUB_OFFLINE");
    assertThatThrownBy(() -> client(null).snapshot("openai/other", "main"))
        .isInstanceOfSatisfying(HubException.class, e -> {
          assertThat(e.kind()).isEqualTo(HubException.Kind.NOT_CACHED);
          assertThat(e.isInputError()).as("an unreachable hub is not the user's input: exit 1").isFalse();
        })
        .hasMessageContaining("could not be asked");
  }

  @Test
  void aCacheLaidOutByHuggingfaceHubIsUsedOffline() throws IOException {
    // the tree hf_hub_download / snapshot_download write: blobs named by etag, refs without newline (refs/pr/N
    // nested under refs/refs/), relative symlinks in snapshots/COMMIT/
    Path repoDir = cache.resolve("models--openai--clip-vit-tiny");
    String commit = "0123456789abcdef0123456789abcdef01234567";
    String pr = "89abcdef0123456789abcdef0123456789abcdef";
    for (String f : List.of("config.json", "vocab.json", "merges.txt", "model.safetensors")) {
      byte[] data = Files.readAllBytes(TINY.resolve(f));
      String etag = f.endsWith(".safetensors") ? FakeHub.sha256(data) : FakeHub.gitBlobId(data);
      Files.createDirectories(repoDir.resolve("blobs"));
      Files.write(repoDir.resolve("blobs").resolve(etag), data);
      for (String c : List.of(commit, pr)) {
        Path link = repoDir.resolve("snapshots").resolve(c).resolve(f);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of("../../blobs/" + etag));
      }
    }
    Files.createDirectories(repoDir.resolve("refs/refs/pr"));
    Files.writeString(repoDir.resolve("refs/main"), commit);
    Files.writeString(repoDir.resolve("refs/refs/pr/3"), pr);

    HubClient offline = new HubClient(client(null).config().withOffline(true));
    Path snap = offline.snapshot("openai/clip-vit-tiny", null);
    assertThat(snap).isEqualTo(repoDir.resolve("snapshots").resolve(commit));
    assertThat(Files.readAllBytes(snap.resolve("model.safetensors")))
        .isEqualTo(Files.readAllBytes(TINY.resolve("model.safetensors")));
    assertThat(offline.snapshot("openai/clip-vit-tiny", "refs/pr/3"))
        .isEqualTo(repoDir.resolve("snapshots").resolve(pr));
    assertThat(offline.snapshot("openai/clip-vit-tiny", commit)).isEqualTo(snap);
    assertThat(hub.requests).isEmpty();

    List<CachedRepo> listed = new HubCache(cache).scan();
    assertThat(listed).singleElement().satisfies(r -> {
      assertThat(r.repoId()).isEqualTo("openai/clip-vit-tiny");
      assertThat(r.refs()).containsEntry("main", commit).containsEntry("refs/pr/3", pr);
      assertThat(r.snapshots()).hasSize(2);
      assertThat(r.blobBytes()).isEqualTo(Stream.of("config.json", "vocab.json", "merges.txt", "model.safetensors")
          .mapToLong(f -> TINY.resolve(f).toFile().length()).sum());
    });
  }

  @Test
  void refsPrRevisionIsUrlEncodedAndStoredUnderRefsRefs() throws IOException {
    Path bin = checkpoints().resolve("vit/hf-bin");
    Map<String, byte[]> main = FakeHub.readDir(bin);
    FakeHub.Repo repo = hub.repo("openai/clip-vit-tiny");
    String mainCommit = repo.commit("main", main);
    String prCommit = repo.commit("refs/pr/1", FakeHub.with(main, "model.safetensors",
        Files.readAllBytes(checkpoints().resolve("vit/hf-gelu/model.safetensors"))));

    HubClient client = client(null);
    Path pr = client.snapshot("openai/clip-vit-tiny", "refs/pr/1");
    assertThat(pr.getFileName().toString()).isEqualTo(prCommit);
    assertThat(names(pr)).contains("model.safetensors").doesNotContain("pytorch_model.bin");
    Path repoDir = cache.resolve("models--openai--clip-vit-tiny");
    assertThat(Files.readString(repoDir.resolve("refs/refs/pr/1"))).isEqualTo(prCommit);
    assertThat(hub.requests("hub").get(0).rawPath())
        .isEqualTo("/api/models/openai/clip-vit-tiny/revision/refs%2Fpr%2F1");

    Path onMain = client.snapshot("openai/clip-vit-tiny", "main");
    assertThat(onMain.getFileName().toString()).isEqualTo(mainCommit);
    assertThat(names(onMain)).containsExactlyInAnyOrder("config.json", "vocab.json", "merges.txt",
        "pytorch_model.bin");
    // config.json is the same blob in both commits: downloaded once, linked twice
    assertThat(hub.requests("hub")).filteredOn(r -> r.method().equals("GET") && r.rawPath().endsWith("/config.json"))
        .hasSize(1);

    Path single = client.downloadFile("openai/clip-vit-tiny", "refs/pr/1", "config.json");
    assertThat(single).isEqualTo(pr.resolve("config.json"));
    assertThat(hub.requests("hub")).last().satisfies(r -> assertThat(r.rawPath())
        .isEqualTo("/openai/clip-vit-tiny/resolve/refs%2Fpr%2F1/config.json"));
  }

  @Test
  void shardedCheckpointsFetchTheIndexThenEveryShard() throws IOException {
    Map<String, byte[]> files = FakeHub.readDir(checkpoints().resolve("vit/hf-sharded"));
    files.putAll(Map.of("vocab.json", Files.readAllBytes(checkpoints().resolve("tokenizer/vocab.json")),
        "merges.txt", Files.readAllBytes(checkpoints().resolve("tokenizer/merges.txt"))));
    hub.repo("org/sharded").commit("main", files);
    Path snap = client(null).snapshot("org/sharded", "main");
    assertThat(names(snap)).containsExactlyInAnyOrder("config.json", "vocab.json", "merges.txt",
        "model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
    assertThat(ClipFiles.complete(snap)).isTrue();
    Files.delete(snap.resolve("model-00002-of-00002.safetensors"));
    assertThat(ClipFiles.complete(snap)).as("a missing shard makes the snapshot incomplete").isFalse();
  }

  @Test
  void aConnectionDroppedMidFileResumesWithRange() throws IOException {
    tinyRepo("openai/clip-tiny");
    byte[] weights = Files.readAllBytes(TINY.resolve("model.safetensors"));
    String sha = FakeHub.sha256(weights);
    hub.drops.put(sha, new java.util.concurrent.atomic.AtomicInteger(2));
    Path snap = client(null).snapshot("openai/clip-tiny", null);
    assertThat(Files.readAllBytes(snap.resolve("model.safetensors"))).isEqualTo(weights);
    List<FakeHub.Request> gets = hub.requests("cdn");
    assertThat(gets).hasSize(3);
    assertThat(gets.get(0).range()).isNull();
    assertThat(gets.get(1).range()).isEqualTo("bytes=" + weights.length / 2 + "-");
    long second = weights.length / 2 + (weights.length - weights.length / 2) / 2;
    assertThat(gets.get(2).range()).isEqualTo("bytes=" + second + "-");
    assertNoIncomplete();
  }

  @Test
  void aServerIgnoringRangeRestartsTheFile() throws IOException {
    tinyRepo("openai/clip-tiny");
    byte[] weights = Files.readAllBytes(TINY.resolve("model.safetensors"));
    hub.drops.put(FakeHub.sha256(weights), new java.util.concurrent.atomic.AtomicInteger(1));
    hub.ignoreRange = true;
    Path snap = client(null).snapshot("openai/clip-tiny", null);
    assertThat(Files.readAllBytes(snap.resolve("model.safetensors"))).isEqualTo(weights);
    assertThat(hub.requests("cdn")).hasSize(2);
  }

  @Test
  void aStalledTransferTimesOutAndResumes() throws IOException {
    tinyRepo("openai/clip-tiny");
    byte[] weights = Files.readAllBytes(TINY.resolve("model.safetensors"));
    hub.stalls.put(FakeHub.sha256(weights), new java.util.concurrent.atomic.AtomicInteger(1));
    hub.stallMillis = 4000; // longer than the client's 0.7 s read timeout
    Path snap = client(null).snapshot("openai/clip-tiny", null);
    assertThat(Files.readAllBytes(snap.resolve("model.safetensors"))).isEqualTo(weights);
    assertThat(hub.requests("cdn")).hasSize(2).last()
        .satisfies(r -> assertThat(r.range()).isEqualTo("bytes=" + weights.length / 2 + "-"));
  }

  @Test
  void retriesEndWithAClearNetworkErrorAndNothingLeft() throws IOException {
    String commit = tinyRepo("openai/clip-tiny");
    byte[] weights = Files.readAllBytes(TINY.resolve("model.safetensors"));
    hub.drops.put(FakeHub.sha256(weights), new java.util.concurrent.atomic.AtomicInteger(100));
    hub.ignoreRange = true; // no progress survives a retry
    assertThatThrownBy(() -> client(null).snapshot("openai/clip-tiny", null))
        .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind()).isEqualTo(HubException.Kind.NETWORK))
        .hasMessageContaining("openai/clip-tiny/model.safetensors").hasMessageContaining("retries");
    assertThat(hub.requests("cdn")).hasSize(4); // the first try and three retries
    assertThat(cache.resolve("models--openai--clip-tiny/snapshots/" + commit + "/model.safetensors")).doesNotExist();
    assertNoIncomplete();
  }

  @Test
  void anUnavailableHubIsRetriedWhenTheCacheCannotAnswer() throws IOException {
    String commit = tinyRepo("openai/clip-tiny");
    hub.unavailable.set(2);
    Path snap = client(null).snapshot("openai/clip-tiny", null);
    assertThat(snap.getFileName().toString()).isEqualTo(commit);
    assertThat(hub.requests("hub")).filteredOn(r -> r.rawPath().startsWith("/api/")).hasSize(3);

    hub.unavailable.set(100); // cached now: the first 503 falls back to refs/main, no retries
    int before = hub.requests.size();
    assertThat(client(null).snapshot("openai/clip-tiny", null)).isEqualTo(snap);
    assertThat(hub.requests).hasSize(before + 1);
  }

  @Test
  void withSymlinksDisabledSnapshotsHoldCopies() throws IOException {
    tinyRepo("openai/clip-tiny");
    Map<String, String> env = new HashMap<>();
    env.put("HF_HOME", tmp.resolve("hf").toString());
    env.put("HF_ENDPOINT", hub.endpoint());
    env.put("HF_HUB_DISABLE_SYMLINKS", "1");
    HubClient client = new HubClient(HubConfig.fromEnvironment(env, tmp.toString()).withProgress(false));
    Path snap = client.snapshot("openai/clip-tiny", null);
    for (String f : names(snap)) {
      assertThat(Files.isSymbolicLink(snap.resolve(f))).isFalse();
      assertThat(Files.readAllBytes(snap.resolve(f))).isEqualTo(Files.readAllBytes(TINY.resolve(f)));
    }
    // a new blob is moved into the snapshot, as huggingface_hub does without symlinks
    assertThat(names(cache.resolve("models--openai--clip-tiny/blobs"))).isEmpty();
  }

  @Test
  void aWrongSha256IsRefusedAndNothingIsCached() throws IOException {
    String commit = tinyRepo("openai/clip-tiny");
    byte[] weights = Files.readAllBytes(TINY.resolve("model.safetensors"));
    String sha = FakeHub.sha256(weights);
    hub.corrupt.add(sha);
    assertThatThrownBy(() -> client(null).snapshot("openai/clip-tiny", null))
        .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind()).isEqualTo(HubException.Kind.INTEGRITY))
        .hasMessageContaining("sha256").hasMessageContaining(sha).hasMessageContaining("model.safetensors");
    Path repoDir = cache.resolve("models--openai--clip-tiny");
    assertThat(repoDir.resolve("blobs").resolve(sha)).doesNotExist();
    assertThat(Files.exists(repoDir.resolve("snapshots").resolve(commit).resolve("model.safetensors"),
        java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertNoIncomplete();

    hub.corrupt.clear(); // a later run downloads it properly
    Path snap = client(null).snapshot("openai/clip-tiny", null);
    assertThat(Files.readAllBytes(snap.resolve("model.safetensors"))).isEqualTo(weights);
  }

  @Test
  void moreBytesThanAnnouncedAreRefusedWithoutFillingTheDisk() throws IOException {
    String commit = tinyRepo("openai/clip-tiny");
    hub.extraBytes = 50 << 20;
    assertThatThrownBy(() -> client(null).snapshot("openai/clip-tiny", null))
        .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind()).isEqualTo(HubException.Kind.INTEGRITY))
        .hasMessageContaining("sent more than the " + TINY.resolve("model.safetensors").toFile().length() + " bytes");
    assertThat(hub.requests("cdn")).hasSize(1); // refused, not retried
    assertThat(cache.resolve("models--openai--clip-tiny/snapshots/" + commit + "/model.safetensors")).doesNotExist();
    assertNoIncomplete();
  }

  @Test
  void aGatedRepositoryNeedsTheToken() throws IOException {
    tinyRepo("org/gated");
    hub.repo("org/gated").gated = true;
    assertThatThrownBy(() -> client(null).snapshot("org/gated", null))
        .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind()).isEqualTo(HubException.Kind.GATED))
        .hasMessageContaining("org/gated is a gated repository").hasMessageContaining("HTTP 401")
        .hasMessageContaining("HF_TOKEN").hasMessageContaining("no token was sent");
    assertThatThrownBy(() -> client("hf_wrong").snapshot("org/gated", null))
        .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind()).isEqualTo(HubException.Kind.GATED))
        .hasMessageContaining("HTTP 403").hasMessageContaining("has no access");
    assertThatThrownBy(() -> client(null).downloadFile("org/gated", "main", "config.json"))
        .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind()).isEqualTo(HubException.Kind.GATED));
    Path snap = client(FakeHub.TOKEN).snapshot("org/gated", null);
    assertThat(snap.resolve("model.safetensors")).exists();
  }

  @Test
  void theTokenFileUnderHfHomeIsUsed() throws IOException {
    tinyRepo("org/gated");
    hub.repo("org/gated").gated = true;
    Files.createDirectories(tmp.resolve("hf"));
    Files.writeString(tmp.resolve("hf/token"), FakeHub.TOKEN + "\n");
    assertThat(client(null).snapshot("org/gated", null).resolve("config.json")).exists();
  }

  @Test
  void repositoryRevisionAndFileNotFoundAreDistinctErrors() throws IOException {
    String commit = tinyRepo("openai/clip-tiny");
    HubClient client = client(null);
    assertThatThrownBy(() -> client.snapshot("openai/no-such-model", null))
        .isInstanceOfSatisfying(HubException.class,
            e -> assertThat(e.kind()).isEqualTo(HubException.Kind.REPO_NOT_FOUND))
        .hasMessageContaining("repository openai/no-such-model not found").hasMessageContaining("HTTP 404");
    assertThatThrownBy(() -> client.snapshot("openai/clip-tiny", "v9"))
        .isInstanceOfSatisfying(HubException.class,
            e -> assertThat(e.kind()).isEqualTo(HubException.Kind.REVISION_NOT_FOUND))
        .hasMessageContaining("revision 'v9' not found in openai/clip-tiny");
    assertThatThrownBy(() -> client.downloadFile("openai/clip-tiny", "main", "open_clip_config.json"))
        .isInstanceOfSatisfying(HubException.class,
            e -> assertThat(e.kind()).isEqualTo(HubException.Kind.ENTRY_NOT_FOUND))
        .hasMessageContaining("file 'open_clip_config.json' not found in openai/clip-tiny at revision 'main'");
    // huggingface_hub's record of the absence
    assertThat(cache.resolve("models--openai--clip-tiny/.no_exist/" + commit + "/open_clip_config.json"))
        .isEmptyFile();

    hub.repo("org/not-clip").commit("main", Map.of("README.md", new byte[] {'#'}, "tokenizer.json", new byte[2]));
    assertThatThrownBy(() -> client.snapshot("org/not-clip", null))
        .isInstanceOfSatisfying(HubException.class,
            e -> assertThat(e.kind()).isEqualTo(HubException.Kind.ENTRY_NOT_FOUND))
        .hasMessageContaining("holds no CLIP model").hasMessageContaining("README.md, tokenizer.json");
  }

  @Test
  void invalidNamesAreRefusedBeforeAnyRequest() {
    HubClient client = client(null);
    assertThatThrownBy(() -> client.snapshot("openai/clip-tiny", "../../../etc"))
        .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind()).isEqualTo(HubException.Kind.INVALID));
    assertThatThrownBy(() -> client.snapshot("a--b/c", null)).isInstanceOf(HubException.class);
    assertThatThrownBy(() -> client.snapshot("../x", null)).isInstanceOf(HubException.class);
    assertThatThrownBy(() -> client.downloadFile("openai/clip-tiny", "main", "../config.json"))
        .isInstanceOf(HubException.class);
    assertThat(hub.requests).isEmpty();
  }

  @Test
  void aRenamedRepositorysRelativeRedirectIsFollowed() throws IOException {
    String commit = tinyRepo("openai/clip-tiny");
    hub.renamed.put("openai/clip-old-name", "openai/clip-tiny");
    Path file = client(null).downloadFile("openai/clip-old-name", "main", "config.json");
    assertThat(file).isEqualTo(cache.resolve("models--openai--clip-old-name/snapshots/" + commit + "/config.json"));
    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(TINY.resolve("config.json")));
  }

  @Test
  void environmentIsReadAsHuggingfaceHubReadsIt() {
    String home = tmp.toString();
    HubConfig d = HubConfig.fromEnvironment(Map.of(), home);
    assertThat(d.hfHome()).isEqualTo(Path.of(home, ".cache", "huggingface"));
    assertThat(d.cacheDir()).isEqualTo(Path.of(home, ".cache", "huggingface", "hub"));
    assertThat(d.endpoint()).isEqualTo("https://huggingface.co");
    assertThat(d.offline()).isFalse();
    assertThat(d.token()).isEmpty();
    assertThat(d.etagTimeout()).isEqualTo(Duration.ofSeconds(10));

    assertThat(HubConfig.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x/cache"), home).cacheDir())
        .isEqualTo(Path.of("/x/cache/huggingface/hub"));
    HubConfig c = HubConfig.fromEnvironment(Map.of("HF_HOME", "~/hfh", "HF_HUB_CACHE", "$BASE/c", "BASE", "/b",
        "HF_HUB_OFFLINE", "yes", "HF_ENDPOINT", "http://mirror.local:8080//", "HF_HUB_DOWNLOAD_TIMEOUT", "2.5",
        "HUGGING_FACE_HUB_TOKEN", "legacy", "HF_TOKEN", " hf_abc\n"), home);
    assertThat(c.hfHome()).isEqualTo(Path.of(home, "hfh"));
    assertThat(c.cacheDir()).isEqualTo(Path.of("/b/c"));
    assertThat(c.offline()).isTrue();
    assertThat(c.endpoint()).isEqualTo("http://mirror.local:8080");
    assertThat(c.downloadTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(c.token()).contains("hf_abc");
    assertThat(HubConfig.fromEnvironment(Map.of("HUGGINGFACE_HUB_CACHE", "/legacy"), home).cacheDir())
        .isEqualTo(Path.of("/legacy"));
    assertThat(HubConfig.fromEnvironment(Map.of("TRANSFORMERS_OFFLINE", "1"), home).offline()).isTrue();
    assertThat(HubConfig.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).offline()).isFalse();
    assertThat(HubConfig.fromEnvironment(Map.of("HUGGING_FACE_HUB_TOKEN", "legacy"), home).token()).contains("legacy");
  }

  @Test
  void theTestJvmCannotReachTheInternetOrTheUsersCache() {
    // pom.xml points the hub and OpenAI's URLs at a closed loopback port for every test
    HubConfig env = HubConfig.fromEnvironment();
    assertThat(env.endpoint()).isEqualTo("http://127.0.0.1:9");
    assertThat(OfficialClip.baseUrlFromEnvironment()).startsWith("http://127.0.0.1:9/");
    assertThat(env.cacheDir().toString()).contains("test-hf-home");
    assertThat(env.token()).isEmpty();
    assertThatThrownBy(() -> HubClient.fromEnvironment().snapshot("openai/clip-vit-base-patch16", "main"))
        .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.kind()).isEqualTo(HubException.Kind.NOT_CACHED))
        .hasMessageContaining("http://127.0.0.1:9");
  }

  @Test
  void urlsAreQuotedAsHfHubUrlQuotesThem() {
    HubClient client = client(null);
    assertThat(client.resolveUrl("openai/clip-vit-base-patch16", "refs/pr/10", "a b/model+1.json").toString())
        .isEqualTo(hub.endpoint() + "/openai/clip-vit-base-patch16/resolve/refs%2Fpr%2F10/a%20b/model%2B1.json");
    assertThat(HubClient.normalizeEtag("W/\"abc\"")).isEqualTo("abc");
    assertThat(HubClient.normalizeEtag("\"abc\"")).isEqualTo("abc");
  }

  @Test
  void filesAreChosenSafetensorsFirstThenTheBinThenOpenClip() {
    assertThat(ClipFiles.choose(List.of("config.json", "pytorch_model.bin", "model.safetensors", "vocab.json",
        "merges.txt", "tf_model.h5"), "r").files())
        .containsExactly("config.json", "vocab.json", "merges.txt", "model.safetensors");
    assertThat(ClipFiles.choose(List.of("config.json", "pytorch_model.bin", "pytorch_model.bin.index.json",
        "model.safetensors.index.json"), "r")).satisfies(c -> {
          assertThat(c.files()).containsExactly("config.json", "model.safetensors.index.json");
          assertThat(c.index()).isEqualTo("model.safetensors.index.json");
        });
    assertThat(ClipFiles.choose(List.of("config.json", "pytorch_model.bin"), "r").files())
        .containsExactly("config.json", "pytorch_model.bin");
    assertThat(ClipFiles.choose(List.of("open_clip_config.json", "open_clip_pytorch_model.bin",
        "open_clip_model.safetensors", "README.md"), "r").files())
        .containsExactly("open_clip_config.json", "open_clip_model.safetensors");
    // both layouts: open_clip's files, not a mix (LAION's repositories hold the same weights twice; timm's
    // config.json and model.safetensors are a timm model, not a CLIPModel)
    assertThat(ClipFiles.choose(List.of("open_clip_config.json", "open_clip_pytorch_model.bin", "config.json",
        "pytorch_model.bin", "vocab.json", "merges.txt"), "r").files())
        .containsExactly("open_clip_config.json", "vocab.json", "merges.txt", "open_clip_pytorch_model.bin");
    assertThat(ClipFiles.choose(List.of("open_clip_config.json", "open_clip_model.safetensors",
        "open_clip_pytorch_model.bin", "config.json", "model.safetensors", "README.md"), "r").files())
        .containsExactly("open_clip_config.json", "open_clip_model.safetensors");
  }

  private void assertNoIncomplete() throws IOException {
    if (!Files.exists(cache)) {
      return;
    }
    try (Stream<Path> all = Files.walk(cache)) {
      assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".incomplete"));
    }
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  static Path checkpoints() {
    Path p = Shared.root().resolve("fixtures/checkpoints");
    assumeTrue(Files.isDirectory(p), "skipped: checkpoint fixtures not found at " + p
        + " (put shared/ beside the checkout or pass -Dcliptune.shared=DIR)");
    return p;
  }

  /** What exit code bin/cliptune gives a hub failure: 2 when the user's input is at fault, 1 for the network. */
  @Test
  void networkIntegrityAndProtocolFailuresAreNotInputErrors() {
    for (HubException.Kind k : HubException.Kind.values()) {
      boolean input = new HubException(k, "m").isInputError();
      boolean outside = k == HubException.Kind.NETWORK || k == HubException.Kind.INTEGRITY
          || k == HubException.Kind.PROTOCOL;
      assertThat(input).as(k.name()).isEqualTo(!outside);
    }
    // not cached: the user's setting (HF_HUB_OFFLINE) is theirs to change; an unreachable hub is not their input
    HubException network = new HubException(HubException.Kind.NETWORK, "connection refused");
    assertThat(new HubException(HubException.Kind.NOT_CACHED, "m", network).isInputError()).isFalse();
    assertThat(new HubException(HubException.Kind.NOT_CACHED, "m").isInputError()).isTrue();
  }
}
