package dev.cliptune.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the checks of a fixture set: a {@code manifest.json} set (tokenisation, preprocessing, CLIP and
 * method cases), a checkpoint set ({@code manifest.json} with {@code files} and {@code models}: see
 * {@link CheckpointFixtures}) or a {@code fewshot.json} set. Everything — dimensions, images, cases, tolerances — is read
 * from the set itself, so sets with other widths, depths, heads, seeds and options work unchanged.
 */
public final class ParityRunner {
  /** Exit code when the directory is not a fixture set (or a selector matches nothing). */
  public static final int NOT_A_FIXTURE_SET = 2;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The outcome of a run. */
  public record Result(List<Check> checks, String summary) {
    public long failed() {
      return checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
    }

    public long skipped() {
      return checks.stream().filter(c -> c.status() == Check.Status.SKIP).count();
    }

    public int exitCode() {
      return failed() == 0 && skipped() == 0 && !checks.isEmpty() ? 0 : 1;
    }
  }

  /** A fixture directory that is not one. */
  public static final class NotAFixtureSet extends dev.cliptune.io.UserException {
    public NotAFixtureSet(String message) {
      super(message);
    }
  }

  private ParityRunner() {}

  /** Plans, selects and runs; prints one line per check and the summary line to {@code out}. */
  public static Result run(Path dir, Selection selection, PrintStream out) {
    List<Planned> plan;
    try (FixtureContext ctx = open(dir)) {
      plan = ctx.plan();
      List<Planned> chosen = new ArrayList<>();
      for (Planned p : plan) {
        if (selection.wants(p.group(), p.method(), p.caseId(), p.name())) {
          chosen.add(p);
        }
      }
      if (!selection.unused().isEmpty()) {
        throw new NotAFixtureSet("no check in " + dir + " matches --only " + String.join(",", selection.unused())
            + " (selectors: tokenisation, preprocess, clip, methods, fewshot, references, weights, features, cases, hostile, a method "
            + "name, a case id or a check name)");
      }
      List<Check> results = new ArrayList<>();
      for (Planned p : chosen) {
        Check c;
        try {
          c = p.run().get();
        } catch (RuntimeException | Error e) {
          c = Check.fail(p.name(), "error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        results.add(c);
        out.println(c.line());
        out.flush();
      }
      String summary = summary(results);
      out.println(summary);
      return new Result(results, summary);
    }
  }

  static String summary(List<Check> results) {
    long failed = results.stream().filter(c -> c.status() == Check.Status.FAIL).count();
    long skipped = results.stream().filter(c -> c.status() == Check.Status.SKIP).count();
    Check worst = null;
    for (Check c : results) {
      if (c.status() != Check.Status.SKIP && (worst == null || c.ratio() > worst.ratio())) {
        worst = c;
      }
    }
    return String.format("parity: %d checks, %d failed, %d skipped; worst %s of tolerance at %s",
        results.size(), failed, skipped, worst == null ? "0" : Check.fmtRatio(worst.ratio()),
        worst == null ? "-" : worst.name());
  }

  private static FixtureContext open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new NotAFixtureSet(dir + " is not a directory");
    }
    Path manifest = dir.resolve("manifest.json");
    Path fewshot = dir.resolve("fewshot.json");
    if (Files.isRegularFile(manifest)) {
      JsonNode m = readJson(manifest);
      return CheckpointFixtures.accepts(m) ? new CheckpointFixtures(dir, m) : new ManifestFixtures(dir, m);
    }
    if (Files.isRegularFile(fewshot)) {
      return new FewshotFixtures(dir, readJson(fewshot));
    }
    throw new NotAFixtureSet(dir + " is not a fixture set: expected manifest.json or fewshot.json in it");
  }

  private static JsonNode readJson(Path p) {
    try {
      JsonNode n = JSON.readTree(p.toFile());
      if (n == null || !n.isObject()) {
        throw new NotAFixtureSet(p + ": expected a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new NotAFixtureSet(p + ": not valid JSON: " + e.getMessage());
    }
  }

  /** A loaded fixture set. */
  interface FixtureContext extends AutoCloseable {
    List<Planned> plan();

    @Override
    void close();
  }
}
