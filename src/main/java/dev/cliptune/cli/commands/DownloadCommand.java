package dev.cliptune.cli.commands;

import dev.cliptune.ModelSpec;
import dev.cliptune.hub.OfficialClip;
import dev.cliptune.hub.HubConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cliptune download SPEC}: fetch a model into its cache without running anything. SPEC is read by
 * {@link ModelSpec#parse}, the {@code --model} grammar; the specs that name something local are refused.
 */
@Command(name = "download", mixinStandardHelpOptions = true,
    description = {"Download a model into the cache it is used from, and print where it is.",
        "SPEC: what --model takes that names something to download: hf-hub:ORG/NAME[@REVISION] or a bare"
            + " ORG/NAME[@REVISION] (HF hub; revision = branch, tag, commit or refs/pr/N; into the cache"
            + " huggingface_hub uses: HF_HUB_CACHE, HF_HOME), or a clip.load name (RN50, RN101, RN50x4, RN50x16,"
            + " RN50x64, ViT-B/32, ViT-B/16, ViT-L/14, ViT-L/14@336px; into ~/.cache/clip, sha256-checked)."})
public final class DownloadCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "SPEC", description = "the model to fetch")
  String spec;

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "hub cache folder (default: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub)")
  Path cacheDir;

  @Option(names = "--clip-dir", paramLabel = "DIR",
      description = "folder of clip.load's files (default: ~/.cache/clip)")
  Path clipDir;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Override
  public Integer call() {
    ModelSpec.Parsed p = ModelSpec.parse(spec, spec);
    if (!p.downloadable()) {
      String what = switch (p.kind()) {
        case BUILTIN -> "the embedded model (" + p.path() + ")";
        case DIRECTORY -> "a local directory";
        default -> "a local file";
      };
      throw new UsageException(spec + " is " + what + ", nothing to download (--model takes it as it is);"
          + " download takes hf-hub:ORG/NAME[@REVISION], ORG/NAME[@REVISION] or a clip.load name ("
          + String.join(", ", ModelSpec.OFFICIAL.keySet()) + ")");
    }
    HubConfig cfg = HubConfig.fromEnvironment().withProgress(!noProgress);
    if (cacheDir != null) {
      cfg = cfg.withCacheDir(cacheDir);
    }
    Path clip = clipDir != null ? clipDir : OfficialClip.defaultCacheDir();
    System.out.println(ModelSpec.fetch(p, cfg, clip, System.err).path());
    return 0;
  }
}
