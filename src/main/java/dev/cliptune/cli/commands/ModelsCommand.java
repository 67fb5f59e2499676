package dev.cliptune.cli.commands;

import dev.cliptune.hub.CachedRepo;
import dev.cliptune.hub.HubCache;
import dev.cliptune.hub.HubConfig;
import dev.cliptune.hub.OfficialClip;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cliptune models}: what is cached, in the HF hub cache and in clip.load's folder. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "List the models in the HF hub cache (shared with Python's huggingface_hub) and in"
        + " ~/.cache/clip, with revisions and sizes.")
public final class ModelsCommand implements Callable<Integer> {

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "hub cache folder (default: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub)")
  Path cacheDir;

  @Option(names = "--clip-dir", paramLabel = "DIR", description = "folder of clip.load's files (default: ~/.cache/clip)")
  Path clipDir;

  @Option(names = "--verify", description = "hash the ~/.cache/clip files against the sha256 of their official URL")
  boolean verify;

  @Override
  public Integer call() throws IOException {
    Path hubDir = cacheDir != null ? cacheDir : HubConfig.fromEnvironment().cacheDir();
    System.out.println("HF hub cache: " + hubDir);
    List<CachedRepo> repos = new HubCache(hubDir).scan();
    if (repos.isEmpty()) {
      System.out.println("  (no models)");
    }
    for (CachedRepo r : repos) {
      System.out.printf(Locale.ROOT, "  %s  %s on disk%n", r.repoId(), size(r.blobBytes()));
      for (CachedRepo.Snapshot s : r.snapshots()) {
        String refs = s.refs().isEmpty() ? "" : " (" + String.join(", ", s.refs()) + ")";
        System.out.printf(Locale.ROOT, "    %s%s  %d files, %s: %s%n", s.commit(), refs, s.files().size(),
            size(s.bytes()), String.join(" ", s.files().keySet()));
        s.files().forEach((f, n) -> {
          if (n < 0) {
            System.out.println("      " + f + ": its blob is missing (dangling link)");
          }
        });
      }
      List<String> dangling = new ArrayList<>();
      r.refs().forEach((ref, commit) -> {
        if (r.snapshots().stream().noneMatch(s -> s.commit().equals(commit))) {
          dangling.add(ref + " -> " + commit);
        }
      });
      if (!dangling.isEmpty()) {
        System.out.println("    refs without a snapshot: " + String.join(", ", dangling));
      }
    }
    Path clip = clipDir != null ? clipDir : OfficialClip.defaultCacheDir();
    System.out.println("clip.load cache: " + clip);
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(clip)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(clip, "*.pt")) {
        s.forEach(files::add);
      }
    }
    files.sort(null);
    if (files.isEmpty()) {
      System.out.println("  (no models)");
    }
    for (Path f : files) {
      Optional<String> name = OfficialClip.nameOfFile(f.getFileName().toString());
      String check = "";
      if (verify && name.isPresent()) {
        check = "  sha256 " + (OfficialClip.matches(f, name.get()) ? "ok" : "MISMATCH");
      }
      System.out.printf(Locale.ROOT, "  %s  %s  %s%s%n", f.getFileName(), name.orElse("(not an official name)"),
          size(Files.size(f)), check);
    }
    System.out.println("Use: --model hf-hub:ORG/NAME[@REVISION] (hub), --model ViT-B/16 (clip.load name),"
        + " `cliptune download SPEC` to fetch.");
    return 0;
  }

  static String size(long bytes) {
    if (bytes < 1 << 20) {
      return String.format(Locale.ROOT, "%.1f kB", bytes / 1024.0);
    }
    if (bytes < 1L << 30) {
      return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1 << 20));
    }
    return String.format(Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
  }
}
