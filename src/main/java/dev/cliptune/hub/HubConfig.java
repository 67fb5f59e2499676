package dev.cliptune.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the hub is and where its cache lives, read from the environment exactly as {@code huggingface_hub}
 * reads it ({@code constants.py}, {@code utils/_auth.py}): {@code HF_HOME} (default
 * {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface}); the cache {@code HF_HUB_CACHE}, else
 * the legacy {@code HUGGINGFACE_HUB_CACHE}, else {@code $HF_HOME/hub} (with {@code ~} and {@code $VAR} expanded);
 * {@code HF_HUB_OFFLINE} or {@code TRANSFORMERS_OFFLINE} in {1, ON, YES, TRUE}; {@code HF_ENDPOINT} without its
 * trailing slash; the token from {@code HF_TOKEN}, else {@code HUGGING_FACE_HUB_TOKEN}, else the file
 * {@code HF_TOKEN_PATH} (default {@code $HF_HOME/token}); {@code HF_HUB_ETAG_TIMEOUT} and
 * {@code HF_HUB_DOWNLOAD_TIMEOUT} in seconds (10 each); {@code HF_HUB_DISABLE_SYMLINKS}.
 *
 * @param retries how many times a dropped download resumes (with {@code Range}) after its last progress
 * @param retryDelay the pause before a retry
 * @param progress whether downloads draw a progress bar on stderr
 */
public record HubConfig(String endpoint, Path hfHome, Path cacheDir, boolean offline, Optional<String> token,
    Duration etagTimeout, Duration downloadTimeout, boolean disableSymlinks, int retries, Duration retryDelay,
    boolean progress) {

  public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
  private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");
  private static final Pattern VAR = Pattern.compile("\\$(\\w+|\\{([^}]*)})");

  /** The configuration of this process's environment. */
  public static HubConfig fromEnvironment() {
    return fromEnvironment(System.getenv(), System.getProperty("user.home"));
  }

  /** The configuration an environment {@code env} gives, with {@code ~} meaning {@code userHome}. */
  public static HubConfig fromEnvironment(Map<String, String> env, String userHome) {
    String defaultHome = Path.of(userHome, ".cache").toString();
    Path hfHome = Path.of(expand(env.getOrDefault("HF_HOME",
        Path.of(env.getOrDefault("XDG_CACHE_HOME", defaultHome), "huggingface").toString()), env, userHome));
    String legacy = env.getOrDefault("HUGGINGFACE_HUB_CACHE", hfHome.resolve("hub").toString());
    Path cache = Path.of(expand(env.getOrDefault("HF_HUB_CACHE", legacy), env, userHome));
    boolean offline = isTrue(firstNonEmpty(env.get("HF_HUB_OFFLINE"), env.get("TRANSFORMERS_OFFLINE")));
    String endpoint = stripTrailingSlashes(env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT));
    Optional<String> token = clean(firstNonEmpty(env.get("HF_TOKEN"), env.get("HUGGING_FACE_HUB_TOKEN")));
    if (token.isEmpty()) {
      Path tokenFile = Path.of(expand(env.getOrDefault("HF_TOKEN_PATH", hfHome.resolve("token").toString()), env,
          userHome));
      token = readToken(tokenFile);
    }
    return new HubConfig(endpoint, hfHome, cache, offline, token,
        seconds(env, "HF_HUB_ETAG_TIMEOUT"), seconds(env, "HF_HUB_DOWNLOAD_TIMEOUT"),
        isTrue(env.get("HF_HUB_DISABLE_SYMLINKS")), 5, Duration.ofSeconds(1), true);
  }

  public HubConfig withCacheDir(Path dir) {
    return new HubConfig(endpoint, hfHome, dir, offline, token, etagTimeout, downloadTimeout, disableSymlinks,
        retries, retryDelay, progress);
  }

  public HubConfig withOffline(boolean value) {
    return new HubConfig(endpoint, hfHome, cacheDir, value, token, etagTimeout, downloadTimeout, disableSymlinks,
        retries, retryDelay, progress);
  }

  public HubConfig withProgress(boolean value) {
    return new HubConfig(endpoint, hfHome, cacheDir, offline, token, etagTimeout, downloadTimeout, disableSymlinks,
        retries, retryDelay, value);
  }

  public HubConfig withRetries(int count, Duration delay) {
    return new HubConfig(endpoint, hfHome, cacheDir, offline, token, etagTimeout, downloadTimeout, disableSymlinks,
        count, delay, progress);
  }

  public HubConfig withTimeouts(Duration etag, Duration download) {
    return new HubConfig(endpoint, hfHome, cacheDir, offline, token, etag, download, disableSymlinks, retries,
        retryDelay, progress);
  }

  static boolean isTrue(String value) {
    return value != null && TRUE_VALUES.contains(value.toUpperCase(Locale.ROOT));
  }

  private static String firstNonEmpty(String a, String b) {
    return a != null && !a.isEmpty() ? a : b;
  }

  private static String stripTrailingSlashes(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(0, end);
  }

  private static Optional<String> clean(String token) {
    if (token == null) {
      return Optional.empty();
    }
    String t = token.replace("\r", "").replace("\n", "").strip();
    return t.isEmpty() ? Optional.empty() : Optional.of(t);
  }

  private static Optional<String> readToken(Path file) {
    try {
      return Files.isRegularFile(file) ? clean(Files.readString(file, StandardCharsets.UTF_8)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Duration seconds(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return Duration.ofSeconds(10);
    }
    try {
      return Duration.ofMillis(Math.round(Double.parseDouble(v.strip()) * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + v + ": expected a number of seconds");
    }
  }

  /** Python's {@code os.path.expandvars(os.path.expanduser(p))}: {@code ~} and {@code $NAME} / {@code ${NAME}}. */
  static String expand(String path, Map<String, String> env, String userHome) {
    String p = path;
    if (p.equals("~") || p.startsWith("~/")) {
      p = userHome + p.substring(1);
    }
    Matcher m = VAR.matcher(p);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(2) != null ? m.group(2) : m.group(1);
      String value = env.get(name);
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }
}
