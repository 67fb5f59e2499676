package dev.cliptune.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.cli.Main;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.testing.TinyModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PromptSRC and KgCoOp through the protocol path ({@code cliptune base2new}: few-shot sampling, the trainer's one
 * training step, checkpoints, the new-class test and the table) on the embedded tiny CLIP.
 *
 * <p>The GPA check uses the fact that the aggregation does not change training, only the prompts loaded after the
 * last epoch: the prompts of epoch e alone are what a run with {@code GPA_MEAN = e} and a vanishing
 * {@code GPA_STD} ends with (weight 1 for epoch e, exactly 0 for every other). The test computes the Gaussian
 * weights itself and checks that the checkpoint of a run with N(2, 1²) holds {@code Σ_e fl32(w_e)·S_e}, summed in
 * float32 in epoch order as the official code does.
 */
class PromptSrcKgCoOpProtocolTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int EPOCHS = 3;

  private static Path base2new(Path tmp, String name, String method, String... sets) throws IOException {
    Path data = tmp.resolve("data");
    if (!Files.isDirectory(data)) {
      MiniCoopData.dtd(data, 4, 1, 2);
    }
    Path out = tmp.resolve(name);
    List<String> args = new ArrayList<>(List.of("base2new", "--model", TinyModel.dir().toString(), "--data-root",
        data.toString(), "--dataset", "DescribableTextures", "--method", method, "--shots", "2", "--seeds", "1",
        "--output", out.toString(), "--set", "epochs=" + EPOCHS, "--set", "progress=false", "--set", "threads=1",
        "--set", "batch_size=4"));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    assertThat(Main.run(args.toArray(String[]::new))).isZero();
    return out;
  }

  /** Every tensor of the run's final checkpoint, by key. */
  private static Map<String, float[]> prompts(Path out, String method, String preset) throws IOException {
    Path ck = out.resolve("base2new/train_base/DescribableTextures/shots_2/" + method + "/" + preset + "/seed1/checkpoints");
    Path file = ck.resolve(Files.readString(ck.resolve("latest")).trim());
    Map<String, float[]> t = new LinkedHashMap<>();
    try (SafeTensors st = SafeTensors.open(file)) {
      for (TensorInfo i : st.tensors()) {
        if (!i.name().startsWith("optimizer") && !i.name().contains("momentum")) {
          t.put(i.name(), st.floats(i.name()));
        }
      }
    }
    return t;
  }

  private static double[] gaussianWeights(double mean, double std, int n) {
    double[] pdf = new double[n];
    double sum = 0;
    for (int e = 1; e <= n; e++) {
      pdf[e - 1] = Math.exp(-0.5 * Math.pow((e - mean) / std, 2)) / (std * Math.sqrt(2 * Math.PI));
      sum += pdf[e - 1];
    }
    for (int e = 0; e < n; e++) {
      pdf[e] /= sum;
    }
    return pdf;
  }

  @Test
  void promptSrcCheckpointHoldsTheGaussianAggregateOfTheEpochPrompts(@TempDir Path tmp) throws IOException {
    String[] small = {"PROMPT_DEPTH_TEXT=2", "PROMPT_DEPTH_VISION=2", "N_CTX_TEXT=2", "N_CTX_VISION=2"};
    String preset = "vit_b16_c2_ep20_batch4_4+4ctx";
    Path gpa = base2new(tmp, "gpa", "PromptSRC", concat(small, "GPA_MEAN=2", "GPA_STD=1"));
    Map<String, float[]> aggregated = prompts(gpa, "PromptSRC", preset);
    List<Map<String, float[]>> epochs = new ArrayList<>();
    for (int e = 1; e <= EPOCHS; e++) {
      epochs.add(prompts(base2new(tmp, "epoch" + e, "PromptSRC", concat(small, "GPA_MEAN=" + e, "GPA_STD=0.001")),
          "PromptSRC", preset));
    }
    assertThat(aggregated).containsKeys("prompt_learner.ctx", "image_encoder.VPT",
        "text_encoder.transformer.resblocks.1.VPT_shallow", "image_encoder.transformer.resblocks.1.VPT_shallow");
    double[] w = gaussianWeights(2, 1, EPOCHS);
    for (String key : aggregated.keySet()) {
      float[] want = new float[aggregated.get(key).length];
      for (int e = 0; e < EPOCHS; e++) {
        float we = (float) w[e];
        float[] s = epochs.get(e).get(key);
        for (int i = 0; i < want.length; i++) {
          want[i] = e == 0 ? s[i] * we : want[i] + s[i] * we;
        }
      }
      assertThat(aggregated.get(key)).as(key).containsExactly(want);
      // the epochs differ, so the check can fail: the aggregate is not any single epoch's prompts
      assertThat(epochs.get(0).get(key)).as(key + " epoch 1 vs 3").isNotEqualTo(epochs.get(2).get(key));
    }
    JsonNode table = JSON.readTree(gpa.resolve("base2new_PromptSRC.json").toFile());
    assertThat(table.path("rows").get(0).path("new").asDouble()).isBetween(0.0, 100.0);
  }

  @Test
  void kgCoOpTrainsUnderBase2NewWithTheOfficialCheckpointKey(@TempDir Path tmp) throws IOException {
    Path out = base2new(tmp, "kg", "KgCoOp");
    String preset = "vit_b16_ep100_ctxv1";
    Map<String, float[]> ck = prompts(out, "KgCoOp", preset);
    assertThat(ck).containsOnlyKeys("ctx");
    assertThat(ck.get("ctx")).hasSize(4 * TinyModel.clip().config().text().width()); // "a photo of a": 4 tokens
    Path run = out.resolve("base2new/train_base/DescribableTextures/shots_2/KgCoOp/" + preset + "/seed1");
    // DATASET.NAME picks KgCoOp's own DTD template (CoOp's is "{} texture.")
    assertThat(Files.readString(run.resolve("config.yaml"))).contains("W: 8.0")
        .contains("TEMPLATES: \"a photo of a {}, a type of texture.\"");
  }

  /**
   * xdata / dg and fewshot train PromptSRC with the configs its scripts name for them (xd_train.sh, few_shot.sh),
   * not base-to-novel's: the run folders carry the preset, config.yaml its GPA and depth.
   */
  @Test
  void promptSrcTakesTheOfficialConfigOfEachProtocol(@TempDir Path tmp) throws IOException {
    Path data = tmp.resolve("data");
    MiniCoopData.dtd(data, 2, 1, 1);
    List<String> common = List.of("--model", TinyModel.dir().toString(), "--data-root", data.toString(), "--method",
        "PromptSRC", "--seeds", "1", "--set", "epochs=1", "--set", "progress=false", "--set", "threads=1",
        "--set", "N_CTX_TEXT=2", "--set", "N_CTX_VISION=2");
    Path xd = tmp.resolve("xd");
    List<String> xdata = new ArrayList<>(List.of("xdata", "--source", "DescribableTextures", "--targets",
        data.resolve("dtd/images").toString(), "--shots", "1", "--output", xd.toString()));
    xdata.addAll(common);
    assertThat(Main.run(xdata.toArray(String[]::new))).isZero();
    Path xdRun = xd.resolve("train/DescribableTextures/shots_1/PromptSRC/vit_b16_c2_ep20_batch4_4+4ctx_cross_datasets/seed1");
    assertThat(Files.readString(xdRun.resolve("config.yaml"))).contains("GPA_MEAN: 6.0").contains("GPA_STD: 10.0")
        .contains("PROMPT_DEPTH_TEXT: 3").contains("PROMPT_DEPTH_VISION: 3");

    Path fs = tmp.resolve("fs");
    List<String> fewshot = new ArrayList<>(List.of("fewshot", "--dataset", "DescribableTextures", "--shots-list", "1",
        "--output", fs.toString()));
    fewshot.addAll(common);
    // the few-shot config prompts 9 layers deep; the tiny CLIP has 4: a user error naming the key, not a crash
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run(fewshot.toArray(String[]::new))).isEqualTo(Main.USER_ERROR);
    } finally {
      System.setErr(err);
    }
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("\ncliptune fewshot: PromptSRC needs N_CTX_TEXT >= 1 and"
        + " 1 <= PROMPT_DEPTH_TEXT <= 4 (the text encoder's depth); got 2 and 9");
    fewshot.addAll(List.of("--set", "PROMPT_DEPTH_TEXT=2", "--set", "PROMPT_DEPTH_VISION=2"));
    assertThat(Main.run(fewshot.toArray(String[]::new))).isZero();
    Path fsRun = fs.resolve("fewshot/DescribableTextures/shots_1/PromptSRC/vit_b16_c2_ep50_batch4_4+4ctx_few_shot/seed1");
    assertThat(Files.readString(fsRun.resolve("config.yaml"))).contains("GPA_MEAN: 30.0").contains("GPA_STD: 30.0");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
