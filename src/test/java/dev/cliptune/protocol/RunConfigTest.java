package dev.cliptune.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.config.Setting;
import dev.cliptune.prompt.ClassTokenPosition;
import dev.cliptune.prompt.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --set} keys: one table ({@link RunConfig#KEYS}) parses, validates, explains and records them. */
class RunConfigTest {
  private static RunConfig coop() {
    return RunConfig.of("builtin:tiny", Path.of("data"), List.of("EuroSAT"), Method.COOP, null, 16, List.of(1L),
        "base", Path.of("out"), false);
  }

  @Test
  void overridesReachTheTrainingOptionsTheMethodAndTheRun() {
    RunConfig c = coop().with(Map.of("epochs", "7", "LR", "0.01", "n_ctx", "4", "CLASS_TOKEN_POSITION", "Middle",
        "decode_cache_mb", "3", "rrcrop_scale", "0.5", "zero_shot_templates", "ensemble7", "skip_corrupt", "yes"));
    assertThat(c.train().epochs()).isEqualTo(7);
    assertThat(c.train().lr()).isEqualTo(0.01);
    assertThat(c.train().decodeCacheBytes()).isEqualTo(3L << 20);
    assertThat(c.train().cropScaleMin()).isEqualTo(0.5);
    assertThat(c.train().skipCorrupt()).isTrue();
    assertThat(c.methodConfig().nCtx()).isEqualTo(4);
    assertThat(c.methodConfig().position()).isEqualTo(ClassTokenPosition.MIDDLE);
    assertThat(c.zeroShotTemplates()).isEqualTo("ensemble7");
    RunConfig untouched = coop();
    assertThat(untouched.train().epochs()).isNotEqualTo(7);
    assertThat(untouched.methodConfig().nCtx()).isNotEqualTo(4);
  }

  @Test
  void anUnknownKeyIsNamedWithEveryKnownOne() {
    assertThatThrownBy(() -> coop().with("epoch", "3")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--set epoch: unknown key 'epoch'").hasMessageContaining("epochs")
        .hasMessageContaining("N_CTX").hasMessageContaining("zero_shot_templates");
    // the seed comes from --seeds, not --set
    assertThatThrownBy(() -> coop().with("SEED", "3")).hasMessageContaining("unknown key 'SEED'");
  }

  @Test
  void badValuesSayWhatWasExpected() {
    assertThatThrownBy(() -> coop().with("epochs", "many")).hasMessage("--set epochs = 'many': expected an integer");
    assertThatThrownBy(() -> coop().with("batch_size", "0")).hasMessageContaining("expected an integer >= 1");
    assertThatThrownBy(() -> coop().with("lr", "fast")).hasMessageContaining("expected a number");
    assertThatThrownBy(() -> coop().with("rrcrop_scale", "1.5")).hasMessageContaining("in (0, 1]");
    assertThatThrownBy(() -> coop().with("CSC", "maybe")).hasMessageContaining("expected true or false");
    assertThatThrownBy(() -> coop().with("CLASS_TOKEN_POSITION", "left"))
        .hasMessageContaining("expected end, middle, front");
    assertThatThrownBy(() -> coop().with("zero_shot_templates", "ensemble5"))
        .hasMessageContaining("expected dataset, ensemble7, ensemble80");
  }

  @Test
  void configYamlRecordsEveryKeyWithItsValue() {
    RunConfig c = coop().with(Map.of("epochs", "7", "N_CTX", "4", "threads", "3"));
    String yaml = c.toYaml();
    for (Setting<RunConfig> k : RunConfig.KEYS.all()) {
      if (k.section() != null) {
        assertThat(yaml).as(k.name()).containsPattern("(?m)^  " + k.name() + ":");
      } else {
        assertThat(yaml).as(k.name() + " is a display preference").doesNotContain(k.name() + ":");
      }
    }
    assertThat(yaml).contains("  epochs: 7\n").contains("  N_CTX: 4\n").contains("  threads: 3\n");
  }

  @Test
  void helpListsEveryKeyWithItsType() {
    List<String> help = RunConfig.KEYS.help();
    assertThat(help).hasSize(RunConfig.KEYS.all().size());
    assertThat(help).contains("epochs=INT: training epochs", "CSC=BOOL: CoOp: class-specific context");
    assertThat(help).anyMatch(l -> l.startsWith("CLASS_TOKEN_POSITION=end|middle|front: "));
  }
}
