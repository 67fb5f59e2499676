package dev.cliptune.hub;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Optional;

/**
 * OpenAI's own checkpoints by the names {@code clip.load} takes ({@code ViT-B/16}, {@code RN50}, ...): the URL table
 * of {@code clip/clip.py} ({@code _MODELS}), whose next-to-last path segment is the full sha256 of the file, and
 * {@code _download}'s cache ({@code ~/.cache/clip/<file>}, re-downloaded when the hash of a cached file differs).
 * Unlike {@code _download}, the file is written through a temporary file and renamed only after its sha256
 * matched, so a failed or corrupt download leaves nothing behind.
 *
 * <p>Tests point the base URL at a local server with the system property {@value #BASE_URL_PROPERTY} or the
 * environment variable {@value #BASE_URL_ENV}.
 */
public final class OfficialClip {
  public static final String DEFAULT_BASE_URL = "https://openaipublic.azureedge.net/clip/models";
  public static final String BASE_URL_PROPERTY = "cliptune.clip.baseUrl";
  public static final String BASE_URL_ENV = "CLIPTUNE_CLIP_BASE_URL";
  /** System property overriding {@code ~/.cache/clip} (tests; Python has no such setting). */
  public static final String CACHE_DIR_PROPERTY = "cliptune.clipCache";

  /** name → "sha256/file", in clip.py's order. */
  private static final Map<String, String> MODELS;

  static {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("RN50", "afeb0e10f9e5a86da6080e35cf09123aca3b358a0c3e3b6c78a7b63bc04b6762/RN50.pt");
    m.put("RN101", "8fa8567bab74a42d41c5915025a8e4538c3bdbe8804a470a72f30b0d94fab599/RN101.pt");
    m.put("RN50x4", "7e526bd135e493cef0776de27d5f42653e6b4c8bf9e0f653bb11773263205fdd/RN50x4.pt");
    m.put("RN50x16", "52378b407f34354e150460fe41077663dd5b39c54cd0bfd2b27167a4a06ec9aa/RN50x16.pt");
    m.put("RN50x64", "be1cfb55d75a9666199fb2206c106743da0f6468c9d327f3e0d0a543a9919d9c/RN50x64.pt");
    m.put("ViT-B/32", "40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af/ViT-B-32.pt");
    m.put("ViT-B/16", "5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f/ViT-B-16.pt");
    m.put("ViT-L/14", "b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836/ViT-L-14.pt");
    m.put("ViT-L/14@336px", "3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02/ViT-L-14-336px.pt");
    MODELS = Collections.unmodifiableMap(m);
  }

  private final HubConfig cfg;
  private final String baseUrl;
  private final Map<String, String> models;

  /** Uses {@code cfg}'s timeouts, retries and progress setting; the base URL from the test override or OpenAI's. */
  public OfficialClip(HubConfig cfg) {
    this(cfg, baseUrlFromEnvironment());
  }

  /** For tests: another base URL and table (name → "sha256/file"). */
  OfficialClip(HubConfig cfg, String baseUrl, Map<String, String> models) {
    this.cfg = cfg;
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.models = models;
  }

  OfficialClip(HubConfig cfg, String baseUrl) {
    this(cfg, baseUrl, MODELS);
  }

  /** {@code clip.available_models()}, in clip.py's order. */
  public static java.util.List<String> names() {
    return java.util.List.copyOf(MODELS.keySet());
  }

  public static boolean isName(String name) {
    return MODELS.containsKey(name);
  }

  /** The cached file's name, e.g. {@code ViT-B-16.pt} for {@code ViT-B/16}. */
  public static Optional<String> fileName(String name) {
    return Optional.ofNullable(MODELS.get(name)).map(v -> v.substring(v.indexOf('/') + 1));
  }

  /** The sha256 the URL of {@code name} carries. */
  public static Optional<String> sha256(String name) {
    return Optional.ofNullable(MODELS.get(name)).map(v -> v.substring(0, v.indexOf('/')));
  }

  /** The official name whose file is called {@code fileName}, e.g. {@code ViT-B/16} for {@code ViT-B-16.pt}. */
  public static Optional<String> nameOfFile(String fileName) {
    return MODELS.entrySet().stream().filter(e -> e.getValue().endsWith("/" + fileName)).map(Entry::getKey)
        .findFirst();
  }

  /** Whether {@code file}'s sha256 is the one in {@code name}'s official URL. */
  public static boolean matches(Path file, String name) throws IOException {
    return Transfer.sha256(file).equals(sha256(name).orElseThrow(() -> new HubException(HubException.Kind.INVALID,
        "'" + name + "' is not one of clip.load's models")));
  }

  /** clip.load's default {@code download_root}: {@code ~/.cache/clip} (or {@value #CACHE_DIR_PROPERTY}). */
  public static Path defaultCacheDir() {
    String p = System.getProperty(CACHE_DIR_PROPERTY);
    return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".cache", "clip");
  }

  /** {@code clip._download(_MODELS[name], cacheDir)} with the environment's settings. */
  public static Path download(String name, Path cacheDir) {
    return new OfficialClip(HubConfig.fromEnvironment()).fetch(name, cacheDir, System.err);
  }

  /**
   * The verified file of {@code name} in {@code cacheDir}: the cached one when its sha256 matches the URL's, else
   * downloaded (a cached file with another hash is replaced, as clip.py does, with a warning on {@code log}).
   */
  public Path fetch(String name, Path cacheDir, PrintStream log) {
    String entry = models.get(name);
    if (entry == null) {
      throw new HubException(HubException.Kind.INVALID, "'" + name + "' is not one of clip.load's models: "
          + String.join(", ", models.keySet()));
    }
    String expected = entry.substring(0, entry.indexOf('/'));
    Path target = cacheDir.resolve(entry.substring(entry.indexOf('/') + 1));
    try {
      if (Files.exists(target) && !Files.isRegularFile(target)) {
        throw new HubException(HubException.Kind.INVALID, target + " exists and is not a regular file");
      }
      if (Files.isRegularFile(target)) {
        if (Transfer.sha256(target).equals(expected)) {
          return target;
        }
        log.println("cliptune: " + target + " exists, but the SHA256 checksum does not match; re-downloading the"
            + " file");
      }
      URI url = URI.create(baseUrl + "/" + entry);
      new Transfer(cfg).download(url, Map.of("User-Agent", "cliptune; java/" + System.getProperty("java.version")),
          target, -1, (file, actual) -> {
            if (!actual.equals(expected)) {
              throw new HubException(HubException.Kind.INTEGRITY, name + " from " + url + ": the downloaded file's"
                  + " SHA256 is " + actual + ", the URL says " + expected + "; the download was refused");
            }
          }, target.getFileName().toString(),
          (status, h, u) -> new HubException(status == 404 ? HubException.Kind.ENTRY_NOT_FOUND
              : HubException.Kind.PROTOCOL, "downloading " + name + ": HTTP " + status + " from " + u));
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("downloading " + name + " into " + cacheDir + ": " + e.getMessage(), e);
    }
  }

  static String baseUrlFromEnvironment() {
    String p = System.getProperty(BASE_URL_PROPERTY);
    if (p != null && !p.isBlank()) {
      return p;
    }
    String e = System.getenv(BASE_URL_ENV);
    return e != null && !e.isBlank() ? e : DEFAULT_BASE_URL;
  }
}
