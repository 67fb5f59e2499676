package dev.cliptune.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cliptune.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-run commands write where the protocols do: {@code <output>/<phase>/<dataset>/shots_<K>/<method>/
 * <preset>/seed<S>} with phase {@code <command>/<subsample>} (one layout, {@link Protocols#runDir}). On the
 * embedded tiny CLIP, so it needs nothing beside the checkout.
 */
class RunLayoutTest {

  @Test
  void trainEvalAndZeroshotRunsFollowTheProtocolsLayout(@TempDir Path tmp) throws IOException {
    Path data = tmp.resolve("data");
    MiniCoopData.dtd(data, 1, 1, 1);
    Path out = tmp.resolve("out");
    String[] common = {"--data-root", data.toString(), "--dataset", "DescribableTextures", "--shots", "1", "--seeds",
        "1", "--output", out.toString(), "--set", "threads=1", "--set", "progress=false"};
    assertThat(Main.run(concat(new String[] {"train", "--subsample", "base", "--set", "epochs=1", "--set", "N_CTX=2"},
        common))).isZero();
    Path train = out.resolve("train/base/DescribableTextures/shots_1/CoOp/vit_b16_ctxv1/seed1");
    assertThat(train.resolve("metrics.json")).isRegularFile();
    assertThat(train.resolve("config.yaml")).isRegularFile();
    Path checkpoint;
    try (Stream<Path> s = Files.list(train.resolve("checkpoints"))) {
      checkpoint = s.filter(p -> p.getFileName().toString().startsWith("epoch-")).findFirst().orElseThrow();
    }

    assertThat(Main.run(concat(new String[] {"eval", "--subsample", "new", "--set", "N_CTX=2", "--prompts",
        checkpoint.toString()}, common))).isZero();
    assertThat(out.resolve("eval/new/DescribableTextures/shots_1/CoOp/vit_b16_ctxv1/seed1/metrics.json"))
        .isRegularFile();

    assertThat(Main.run(concat(new String[] {"zeroshot"}, common))).isZero();
    try (Stream<Path> s = Files.walk(out.resolve("zeroshot/all/DescribableTextures/shots_1/ZeroshotCLIP"))) {
      assertThat(s.filter(p -> p.endsWith("seed1/metrics.json")).count()).isEqualTo(1);
    }
    try (Stream<Path> s = Files.list(out)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("train", "eval", "zeroshot");
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
