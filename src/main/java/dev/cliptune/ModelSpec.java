package dev.cliptune;

import dev.cliptune.io.UserException;
import dev.cliptune.hub.HubClient;
import dev.cliptune.hub.HubConfig;
import dev.cliptune.hub.HubException;
import dev.cliptune.hub.OfficialClip;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
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
 * {@link #parse} decides what a spec names without downloading anything ({@code cliptune download} takes the specs
 * whose {@link Parsed#downloadable()} is true); {@link #resolve} also fetches what is not local. Resolving never
 * reads weights; {@link dev.cliptune.clip.weights.ClipLoader#load} reads what {@link Resolved#path()} names.
 */
public final class ModelSpec {
  public static final String BUILTIN_TINY = "builtin:tiny";
  public static final String HF_HUB = "hf-hub:";

  /** What kind of spec it was. */
  public enum Kind { BUILTIN, OFFICIAL, HF_HUB, DIRECTORY, FILE }

  /** A resolved spec: the file or directory to load. */
  public record Resolved(Kind kind, String spec, Path path) {}

  /**
   * What a spec names before anything is fetched: a local {@code path} (builtin, directory, file), an official
   * name ({@code spec} itself), or a hub {@code repoId} at {@code revision} (null: {@code main}). {@code label}
   * is how error messages name it ({@code --model SPEC}, or the spec alone).
   */
  public record Parsed(Kind kind, String spec, String label, Path path, String repoId, String revision) {
    /** Whether there is anything to download: an official name or a hub repository. */
    public boolean downloadable() {
      return kind == Kind.OFFICIAL || kind == Kind.HF_HUB;
    }
  }

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
      m.put(name, new Official(name, OfficialClip.fileName(name).orElseThrow(),
          OfficialClip.sha256(name).orElseThrow()));
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Resolves {@code spec} to a local file or directory, downloading an official name missing from
   * {@code ~/.cache/clip} or a hub repository missing from the HF cache (settings from the environment).
   *
   * @throws UserException with a message naming the spec and what was expected
   */
  public static Resolved resolve(String spec) {
    return fetch(parse(spec), HubConfig.fromEnvironment(), OfficialClip.defaultCacheDir(), System.err);
  }

  /** {@link #parse(String, String)} with error messages naming {@code --model SPEC}. */
  public static Parsed parse(String spec) {
    return parse(spec, "--model " + (spec == null ? "" : spec));
  }

  /**
   * What {@code spec} names, in the grammar's order, without downloading anything; errors start with
   * {@code label}.
   *
   * @throws UserException for a spec that names nothing (with the nearest official name when it looks like one)
   */
  public static Parsed parse(String spec, String label) {
    if (spec == null || spec.isBlank()) {
      throw new UserException(label.strip() + ": empty; expected " + expected());
    }
    if (spec.startsWith("builtin:")) {
      return new Parsed(Kind.BUILTIN, spec, label, builtin(spec, label), null, null);
    }
    if (spec.startsWith(HF_HUB)) {
      Matcher m = HUB_REPO.matcher(spec.substring(HF_HUB.length()));
      if (!m.matches()) {
        throw new UserException(label + ": expected hf-hub:ORG/NAME or hf-hub:ORG/NAME@REVISION");
      }
      return new Parsed(Kind.HF_HUB, spec, label, null, m.group(1), m.group(2));
    }
    if (OFFICIAL.containsKey(spec)) {
      return new Parsed(Kind.OFFICIAL, spec, label, null, null, null);
    }
    Path p = Path.of(spec);
    if (Files.isDirectory(p)) {
      return new Parsed(Kind.DIRECTORY, spec, label, p, null, null);
    }
    if (Files.isRegularFile(p)) {
      return new Parsed(Kind.FILE, spec, label, p, null, null);
    }
    Matcher m = HUB_REPO.matcher(spec);
    if (m.matches() && !spec.startsWith(".")) {
      return new Parsed(Kind.HF_HUB, spec, label, null, m.group(1), m.group(2));
    }
    String near = nearestOfficial(spec).map(k -> " (did you mean the official name '" + k + "'?)").orElse("");
    throw new UserException(label + ": no such file or directory" + near + "; expected " + expected());
  }

  private static String expected() {
    return "a model directory, a checkpoint file (.pt, .bin, .safetensors), an official name (" + String.join(", ",
        OFFICIAL.keySet()) + "), hf-hub:ORG/NAME[@REVISION] or " + BUILTIN_TINY;
  }

  /** The official name {@code spec} spells with other case or punctuation ({@code vit-b-16}, {@code ViT-B16}). */
  static java.util.Optional<String> nearestOfficial(String spec) {
    String key = letters(spec);
    return OFFICIAL.keySet().stream().filter(k -> letters(k).equals(key)).findFirst();
  }

  private static String letters(String s) {
    return s.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
  }

  /**
   * The local file or directory {@code p} names: itself when local, else the official file in {@code clipDir}
   * (downloaded when missing or when its sha256 differs from its URL's, as {@code clip.load} does) or the hub
   * snapshot in {@code cfg}'s cache (downloading what is missing); download messages go to {@code log}.
   */
  public static Resolved fetch(Parsed p, HubConfig cfg, Path clipDir, PrintStream log) {
    return switch (p.kind()) {
      case BUILTIN, DIRECTORY, FILE -> new Resolved(p.kind(), p.spec(), p.path());
      case OFFICIAL -> new Resolved(p.kind(), p.spec(), official(OFFICIAL.get(p.spec()), p.label(), cfg, clipDir, log));
      case HF_HUB -> new Resolved(p.kind(), p.spec(), fromHub(p, cfg));
    };
  }

  /** {@code builtin:tiny}: found through the {@code cliptune.home} property that {@code bin/cliptune} sets. */
  private static Path builtin(String spec, String label) {
    if (!spec.equals(BUILTIN_TINY)) {
      throw new UserException(label + ": the only built-in model is " + BUILTIN_TINY);
    }
    String home = System.getProperty("cliptune.home", ".");
    Path dir = Path.of(home, "models", "tiny");
    if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
      throw new UserException(label + ": " + dir + " holds no model.safetensors; rebuild it"
          + " with `bin/cliptune pretrain --out models/tiny` (see docs/BENCHMARKS.md) or pass --model DIR");
    }
    return dir;
  }

  /**
   * {@code clip._download(url, clipDir)}: {@link OfficialClip#fetch} returns the cached file when its sha256 is the
   * one in its URL, else downloads {@link Official#url()}, verifies it and renames it into place.
   */
  private static Path official(Official o, String label, HubConfig cfg, Path clipDir, PrintStream log) {
    try {
      return new OfficialClip(cfg).fetch(o.name(), clipDir, log);
    } catch (HubException e) {
      throw new UserException(label + ": " + clipDir.resolve(o.fileName()) + " is missing or does not match the"
          + " SHA256 in its URL, and downloading " + o.url() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The hub repository at its revision (null: {@code main}) as a snapshot directory of the HF cache that
   * {@code huggingface_hub} shares ({@code <HF_HUB_CACHE>/models--ORG--NAME/snapshots/<commit>/}), downloading what
   * is missing ({@link HubClient#snapshot}). A bare ORG/NAME the hub does not know may be a mistyped official name:
   * the message lists them.
   */
  private static Path fromHub(Parsed p, HubConfig cfg) {
    try {
      return new HubClient(cfg).snapshot(p.repoId(), p.revision());
    } catch (HubException e) {
      String names = e.kind() == HubException.Kind.REPO_NOT_FOUND && !p.spec().startsWith(HF_HUB)
          ? " (clip.load names: " + String.join(", ", OFFICIAL.keySet()) + ")" : "";
      throw new UserException(p.label() + ": the HuggingFace hub (" + p.repoId()
          + (p.revision() != null ? " at " + p.revision() : "") + "): " + e.getMessage() + names, e);
    }
  }
}
