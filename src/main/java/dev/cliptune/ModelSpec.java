package dev.cliptune;

import dev.cliptune.io.UserException;
import dev.cliptune.hub.HubClient;
import dev.cliptune.hub.HubConfig;
import dev.cliptune.hub.HubException;
import dev.cliptune.hub.OfficialClip;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one {@code --model} grammar (every command, and the library's {@link Clip#load(String)}), tried in this
 * order:
 *
 * <ol>
 *   <li>{@code builtin:tiny}: the tiny CLIP shipped under {@code models/tiny};
 *   <li>{@code hf-hub:ORG/NAME[@REVISION]}: a HuggingFace hub repository (revision: branch, tag, commit or
 *       {@code refs/pr/N});
 *   <li>an official name as {@code clip.load} spells it ({@code RN50}, {@code ViT-B/16}, {@code ViT-L/14@336px},
 *       ... see {@link #OFFICIAL}): the file in {@code ~/.cache/clip} (where {@code clip.load}, CoOp and MaPLe
 *       keep it), sha256-checked as {@code clip.load} does;
 *   <li>an existing directory (HF {@code CLIPModel}, open_clip, OpenAI-named safetensors) or file ({@code .pt},
 *       {@code .bin}, {@code .safetensors}, {@code *.index.json});
 *   <li>a bare {@code ORG/NAME[@REVISION]} that is not a local path: the hub, as {@code hf-hub:}.
 * </ol>
 *
 * Resolving never reads weights; {@link dev.cliptune.clip.weights.ClipLoader#load} reads what {@link Resolved#path()}
 * names.
 */
public final class ModelSpec {
  public static final String BUILTIN_TINY = "builtin:tiny";
  public static final String HF_HUB = "hf-hub:";
  /** System property overriding {@code ~/.cache/clip} (tests; Python has no such setting). */
  public static final String CLIP_CACHE_PROPERTY = "cliptune.clipCache";

  /** What kind of spec it was. */
  public enum Kind { BUILTIN, OFFICIAL, HF_HUB, DIRECTORY, FILE }

  /** A resolved spec: the file or directory to load. */
  public record Resolved(Kind kind, String spec, Path path) {}

  /** One of OpenAI's released checkpoints ({@code clip._MODELS}): the URL's next-to-last segment is its sha256. */
  public record Official(String name, String fileName, String sha256) {
    public String url() {
      return OfficialClip.DEFAULT_BASE_URL + "/" + sha256 + "/" + fileName;
    }
  }

  /** {@code clip._MODELS} of openai/CLIP, in its order (the one table is {@link OfficialClip}'s). */
  public static final Map<String, Official> OFFICIAL = officials();

  private static final Pattern HUB_REPO = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+)(?:@(.+))?$");

  private ModelSpec() {}

  private static Map<String, Official> officials() {
    Map<String, Official> m = new LinkedHashMap<>();
    for (String name : OfficialClip.names()) {
      m.put(name, new Official(name, OfficialClip.fileName(name).orElseThrow(), OfficialClip.sha256(name).orElseThrow()));
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Resolves {@code spec} to a local file or directory.
   *
   * @throws IllegalArgumentException with a message naming the spec and what was expected
   */
  public static Resolved resolve(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new UserException("--model: empty; expected a directory, a checkpoint file, an official name "
          + "(" + String.join(", ", OFFICIAL.keySet()) + "), hf-hub:ORG/NAME[@REVISION] or " + BUILTIN_TINY);
    }
    if (spec.startsWith("builtin:")) {
      return new Resolved(Kind.BUILTIN, spec, builtin(spec));
    }
    if (spec.startsWith(HF_HUB)) {
      Matcher m = HUB_REPO.matcher(spec.substring(HF_HUB.length()));
      if (!m.matches()) {
        throw new UserException("--model " + spec + ": expected hf-hub:ORG/NAME or hf-hub:ORG/NAME@REVISION");
      }
      return new Resolved(Kind.HF_HUB, spec, fromHub(spec, m.group(1), m.group(2)));
    }
    Official o = OFFICIAL.get(spec);
    if (o != null) {
      return new Resolved(Kind.OFFICIAL, spec, official(o));
    }
    Path p = Path.of(spec);
    if (Files.isDirectory(p)) {
      return new Resolved(Kind.DIRECTORY, spec, p);
    }
    if (Files.isRegularFile(p)) {
      return new Resolved(Kind.FILE, spec, p);
    }
    Matcher m = HUB_REPO.matcher(spec);
    if (m.matches() && !spec.startsWith(".")) {
      return new Resolved(Kind.HF_HUB, spec, fromHub(spec, m.group(1), m.group(2)));
    }
    String near = OFFICIAL.keySet().stream().filter(k -> k.equalsIgnoreCase(spec) || k.replace('/', '-').equalsIgnoreCase(spec))
        .findFirst().map(k -> " (did you mean the official name '" + k + "'?)").orElse("");
    throw new UserException("--model " + spec + ": no such file or directory" + near + "; expected a model "
        + "directory, a checkpoint file (.pt, .bin, .safetensors), an official name (" + String.join(", ",
        OFFICIAL.keySet()) + "), hf-hub:ORG/NAME[@REVISION] or " + BUILTIN_TINY);
  }

  /** {@code builtin:tiny}: found through the {@code cliptune.home} property that {@code bin/cliptune} sets. */
  private static Path builtin(String spec) {
    if (!spec.equals(BUILTIN_TINY)) {
      throw new UserException("--model " + spec + ": the only built-in model is " + BUILTIN_TINY);
    }
    String home = System.getProperty("cliptune.home", ".");
    Path dir = Path.of(home, "models", "tiny");
    if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
      throw new UserException("--model " + spec + ": " + dir + " holds no model.safetensors; rebuild it"
          + " with `bin/cliptune pretrain --out models/tiny` (see docs/BENCHMARKS.md) or pass --model DIR");
    }
    return dir;
  }

  /** Where {@code clip.load} keeps OpenAI's checkpoints: {@code ~/.cache/clip}. */
  public static Path clipCacheDir() {
    String p = System.getProperty(CLIP_CACHE_PROPERTY);
    return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".cache", "clip");
  }

  /**
   * The cached official file, checked against the sha256 in its URL; downloaded when absent, and downloaded again
   * (with a warning) when its checksum does not match, as {@code clip.load} does.
   */
  static Path official(Official o) {
    Path file = clipCacheDir().resolve(o.fileName());
    if (Files.isRegularFile(file) && sha256(file).equals(o.sha256())) {
      return file;
    }
    return downloadOfficial(o, file);
  }

  /**
   * {@code clip._download(url, ~/.cache/clip)}: {@link OfficialClip} fetches {@link Official#url()} into
   * {@code target}'s directory, verifies its sha256 and renames it into place.
   */
  static Path downloadOfficial(Official o, Path target) {
    try {
      return new OfficialClip(HubConfig.fromEnvironment()).fetch(o.name(), target.getParent(), System.err);
    } catch (HubException e) {
      throw new UserException("--model " + o.name() + ": " + target + " is missing or does not match the SHA256 in"
          + " its URL, and downloading " + o.url() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * {@code repo} at {@code revision} (null: {@code main}) as a snapshot directory of the HF cache that
   * {@code huggingface_hub} shares ({@code <HF_HUB_CACHE>/models--ORG--NAME/snapshots/<commit>/}), downloading what
   * is missing ({@link HubClient#snapshot}).
   */
  static Path fromHub(String spec, String repo, String revision) {
    try {
      return HubClient.fromEnvironment().snapshot(repo, revision);
    } catch (HubException e) {
      throw new UserException("--model " + spec + ": the HuggingFace hub (" + repo
          + (revision != null ? " at " + revision : "") + "): " + e.getMessage(), e);
    }
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UserException(file + ": cannot read: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
