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

  private static RunConfig of(Method m, String preset, Presets.Protocol protocol) {
    return RunConfig.of("builtin:tiny", Path.of("data"), List.of("ImageNet"), m, preset, protocol, 16, List.of(1L),
        "all", Path.of("out"), false);
  }

  /** Without --preset each protocol takes the config file the official scripts name for it. */
  @Test
  void theDefaultPresetIsTheOfficialScriptsOnePerProtocol() {
    RunConfig xd = of(Method.PROMPTSRC, null, Presets.Protocol.CROSS_DATASET);
    assertThat(xd.preset()).isEqualTo("vit_b16_c2_ep20_batch4_4+4ctx_cross_datasets");
    assertThat(xd.methodConfig().depthText()).isEqualTo(3);
    assertThat(xd.methodConfig().depthVision()).isEqualTo(3);
    assertThat(xd.methodConfig().gpaMean()).isEqualTo(6.0);
    assertThat(xd.methodConfig().gpaStd()).isEqualTo(10.0);
    RunConfig fs = of(Method.PROMPTSRC, null, Presets.Protocol.FEW_SHOT);
    assertThat(fs.preset()).isEqualTo("vit_b16_c2_ep50_batch4_4+4ctx_few_shot");
    assertThat(fs.train().epochs()).isEqualTo(50);
    assertThat(fs.methodConfig().gpaMean()).isEqualTo(30.0);
    assertThat(of(Method.PROMPTSRC, null, Presets.Protocol.BASE_TO_NOVEL).preset())
        .isEqualTo("vit_b16_c2_ep20_batch4_4+4ctx");
    for (Method m : List.of(Method.MAPLE, Method.MAPLE_SHARED)) {
      RunConfig maple = of(m, null, Presets.Protocol.CROSS_DATASET);
      assertThat(maple.preset()).as(m.name()).isEqualTo("vit_b16_c2_ep5_batch4_2ctx_cross_datasets");
      assertThat(maple.methodConfig().promptDepth()).isEqualTo(3);
      assertThat(maple.train().epochs()).isEqualTo(2);
    }
    assertThat(of(Method.MAPLE, null, Presets.Protocol.FEW_SHOT).preset()).isEqualTo("vit_b16_c2_ep5_batch4_2ctx");
    assertThat(of(Method.COCOOP, null, Presets.Protocol.CROSS_DATASET).preset()).isEqualTo("vit_b16_c4_ep10_batch1_ctxv1");
    assertThat(of(Method.COOP, null, Presets.Protocol.CROSS_DATASET).preset()).isEqualTo("vit_b16_ep50_ctxv1");
    assertThat(of(Method.KGCOOP, null, Presets.Protocol.FEW_SHOT).preset()).isEqualTo("vit_b16_ep100_ctxv1");
    // a preset given wins
    assertThat(of(Method.PROMPTSRC, "vit_b16_c2_ep20_batch4_4+4ctx", Presets.Protocol.CROSS_DATASET).preset())
        .isEqualTo("vit_b16_c2_ep20_batch4_4+4ctx");
  }

  /** The linear probe's presets: lpclip (default) and CoOp's rn50_val; others are refused, not recorded. */
  @Test
  void linearProbePresetsSetTheFeatureBatch() {
    assertThat(of(Method.LINEAR_PROBE, null, Presets.Protocol.BASE_TO_NOVEL).train().testBatchSize()).isEqualTo(100);
    RunConfig val = of(Method.LINEAR_PROBE, "rn50_val", Presets.Protocol.BASE_TO_NOVEL);
    assertThat(val.preset()).isEqualTo("rn50_val");
    assertThat(val.train().testBatchSize()).isEqualTo(200);
    assertThat(val.train().epochs()).isZero();
    assertThatThrownBy(() -> of(Method.LINEAR_PROBE, "vit_b16", Presets.Protocol.BASE_TO_NOVEL))
        .hasMessageContaining("no preset 'vit_b16' for LinearProbeCLIP; presets: lpclip, rn50_val");
    assertThat(Presets.names(Method.COOP)).doesNotContain("rn50_val");
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
