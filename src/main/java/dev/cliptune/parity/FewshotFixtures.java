package dev.cliptune.parity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cliptune.data.FewShot;
import dev.cliptune.data.Item;
import dev.cliptune.data.PyRandom;
import dev.cliptune.data.Split;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code fewshot.json} set: few-shot subsets and base/new splits of the official loaders.
 *
 * <p>For every case ({@code split}, {@code seed}, {@code num_shots}) the official per-run order is replayed
 * with {@link PyRandom} and {@link FewShot} and compared exactly, as several checks named
 * {@code fewshot/<split>/seed<S>/k<K>/<part>}:
 *
 * <ul>
 *   <li>{@code train}, {@code val}: the sampled item paths in output order;
 *   <li>one per class half the case lists ({@code base}, {@code new}, or {@code all}): class names by new
 *       label, train and val as (path, new label), the test count and the first test items.
 * </ul>
 *
 * Each check's error is the number of differing positions (0 = pass) and its note names the first one.
 * Everything is read from the fixture file, so sets with other splits, seeds and shot counts work unchanged.
 */
final class FewshotFixtures implements ParityRunner.FixtureContext {
  private final Path file;
  private final JsonNode root;
  private final Map<String, Split> splits = new HashMap<>();
  private final Map<String, Split> sampled = new HashMap<>();

  FewshotFixtures(Path dir, JsonNode root) {
    this.file = dir.resolve("fewshot.json");
    if (!root.path("cases").isArray() || !root.path("splits").isObject()) {
      throw new ParityRunner.NotAFixtureSet(file + ": expected 'splits' (object) and 'cases' (array)");
    }
    this.root = root;
  }

  @Override
  public List<Planned> plan() {
    List<Planned> out = new ArrayList<>();
    for (JsonNode c : root.path("cases")) {
      String base = "fewshot/" + c.path("split").asText() + "/seed" + c.path("seed").asText()
          + "/k" + c.path("num_shots").asText();
      for (String part : List.of("train", "val")) {
        if (c.has(part)) {
          String name = base + "/" + part;
          out.add(Planned.of("fewshot", name, () -> checkShots(name, c, part)));
        }
      }
      for (String half : List.of("all", "base", "new")) {
        if (c.has(half)) {
          String name = base + "/" + half;
          out.add(Planned.of("fewshot", name, () -> checkHalf(name, c, half)));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {}

  // ------------------------------------------------------------------ checks

  /** The few-shot train or val paths of a case against ours. */
  private Check checkShots(String name, JsonNode c, String part) {
    Split s = shots(c);
    List<Item> got = part.equals("train") ? s.train() : s.val();
    Diff d = new Diff();
    d.list(part, paths(got), strings(c.path(part)));
    return d.check(name, got.size() + " items");
  }

  /** One class half of a case (class names, relabelled train/val, test count and first test items). */
  private Check checkHalf(String name, JsonNode c, String half) {
    Split s = shots(c);
    Split h = FewShot.subsample(s.train(), s.val(), s.test(), half);
    JsonNode ref = c.path(half);
    Diff d = new Diff();
    if (ref.has("classnames")) {
      d.list("classnames", FewShot.classnames(h.train()), strings(ref.path("classnames")));
    }
    for (String part : List.of("train", "val")) {
      if (ref.has(part)) {
        d.list(part, labelled(part.equals("train") ? h.train() : h.val()), labelledRef(ref.path(part)));
      }
    }
    if (ref.has("test_count")) {
      d.list("test_count", List.of(String.valueOf(h.test().size())), List.of(ref.path("test_count").asText()));
    }
    if (ref.has("test_first")) {
      List<String> want = labelledRef(ref.path("test_first"));
      List<String> got = labelled(h.test());
      d.list("test_first", got.subList(0, Math.min(got.size(), want.size())), want);
    }
    return d.check(name, h.classnames().size() + " classes, " + h.train().size() + " train, "
        + h.val().size() + " val, " + h.test().size() + " test");
  }

  // ------------------------------------------------------------------ replay

  /** The few-shot train/val of a case (cached: the base/new/all checks of a case share them). */
  private Split shots(JsonNode c) {
    String key = c.path("split").asText() + "|" + c.path("seed").asText() + "|" + c.path("num_shots").asText();
    Split s = sampled.get(key);
    if (s == null) {
      JsonNode seedNode = c.path("seed");
      if (!seedNode.isIntegralNumber()) {
        throw new IllegalArgumentException(file + ": case seed must be an integer, got " + seedNode);
      }
      BigInteger seed = seedNode.bigIntegerValue();
      s = FewShot.sampleShots(split(c.path("split").asText()), new PyRandom(seed), c.path("num_shots").asInt());
      sampled.put(key, s);
    }
    return s;
  }

  private Split split(String name) {
    return splits.computeIfAbsent(name, n -> {
      JsonNode s = root.path("splits").path(n);
      if (!s.isObject()) {
        throw new IllegalArgumentException(file + ": no split '" + n + "' in 'splits'");
      }
      return new Split(items(s.path("train")), items(s.path("val")), items(s.path("test")));
    });
  }

  /** {@code [[path, label, classname], ...]} as items. */
  private static List<Item> items(JsonNode list) {
    List<Item> out = new ArrayList<>(list.size());
    for (JsonNode e : list) {
      out.add(new Item(e.get(0).asText(), e.get(1).asInt(), e.get(2).asText()));
    }
    return out;
  }

  // ------------------------------------------------------------------ comparison helpers

  private static List<String> paths(List<Item> items) {
    return items.stream().map(Item::impath).toList();
  }

  private static List<String> labelled(List<Item> items) {
    return items.stream().map(i -> i.impath() + " -> " + i.label()).toList();
  }

  /** Reference {@code [[path, label], ...]} in the form of {@link #labelled}. */
  private static List<String> labelledRef(JsonNode list) {
    List<String> out = new ArrayList<>(list.size());
    for (JsonNode e : list) {
      out.add(e.get(0).asText() + " -> " + e.get(1).asText());
    }
    return out;
  }

  private static List<String> strings(JsonNode list) {
    List<String> out = new ArrayList<>(list.size());
    for (JsonNode e : list) {
      out.add(e.asText());
    }
    return out;
  }

  /** Counts differing positions over several lists and remembers the first difference. */
  private static final class Diff {
    private long mismatches;
    private String first;

    void list(String what, List<String> got, List<String> want) {
      int n = Math.max(got.size(), want.size());
      for (int i = 0; i < n; i++) {
        String g = i < got.size() ? got.get(i) : "<none>";
        String w = i < want.size() ? want.get(i) : "<none>";
        if (!Objects.equals(g, w)) {
          mismatches++;
          if (first == null) {
            first = what + "[" + i + "]: got " + g + ", expected " + w
                + (got.size() != want.size() ? " (lengths " + got.size() + " vs " + want.size() + ")" : "");
          }
        }
      }
    }

    Check check(String name, String summary) {
      return Check.compare(name, mismatches, 0, first == null ? summary : mismatches + " differ; first " + first);
    }
  }
}
