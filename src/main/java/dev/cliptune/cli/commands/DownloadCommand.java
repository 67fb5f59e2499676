package dev.cliptune.cli.commands;

import dev.cliptune.Models;
import dev.cliptune.hub.HubClient;
import dev.cliptune.hub.HubConfig;
import dev.cliptune.hub.HubException;
import dev.cliptune.hub.HubSpec;
import dev.cliptune.hub.OfficialClip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cliptune download SPEC}: fetch a model into its cache without running anything. */
@Command(name = "download", mixinStandardHelpOptions = true,
    description = {"Download a model into the cache it is used from, and print where it is.",
        "SPEC: hf-hub:ORG/NAME[@REVISION] or ORG/NAME[@REVISION] (HF hub; revision = branch, tag, commit or"
            + " refs/pr/N; into the cache huggingface_hub uses: HF_HUB_CACHE, HF_HOME), or a clip.load name"
            + " (RN50, RN101, RN50x4, RN50x16, RN50x64, ViT-B/32, ViT-B/16, ViT-L/14, ViT-L/14@336px; into"
            + " ~/.cache/clip, sha256-checked)."})
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
    HubConfig cfg = HubConfig.fromEnvironment().withProgress(!noProgress);
    if (cacheDir != null) {
      cfg = cfg.withCacheDir(cacheDir);
    }
    if (OfficialClip.isName(spec)) {
      Path dir = clipDir != null ? clipDir : OfficialClip.defaultCacheDir();
      System.out.println(new OfficialClip(cfg).fetch(spec, dir, System.err));
      return 0;
    }
    if (spec.startsWith("builtin:") || !spec.startsWith(HubSpec.PREFIX) && Files.exists(Path.of(spec))) {
      System.err.println("cliptune download: " + spec + " is local, nothing to download"
          + (spec.startsWith("builtin:") ? " (" + Models.resolve(spec) + ")" : ""));
      return 0;
    }
    Optional<HubSpec> hub = HubSpec.parse(spec);
    if (hub.isEmpty()) {
      throw new UsageException("'" + spec + "' is neither hf-hub:ORG/NAME[@REVISION], ORG/NAME, nor one"
          + " of clip.load's names (" + String.join(", ", OfficialClip.names()) + ")");
    }
    try {
      System.out.println(new HubClient(cfg).snapshot(hub.get().repoId(), hub.get().revision()));
      return 0;
    } catch (HubException e) {
      if (e.kind() == HubException.Kind.REPO_NOT_FOUND && !spec.startsWith(HubSpec.PREFIX)) {
        throw new HubException(e.kind(), e.getMessage() + " (clip.load names: " + String.join(", ",
            OfficialClip.names()) + ")", e);
      }
      throw e;
    }
  }
}
