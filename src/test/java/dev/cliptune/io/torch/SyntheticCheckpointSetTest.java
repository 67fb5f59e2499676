package dev.cliptune.io.torch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.parity.Check;
import dev.cliptune.parity.ParityRunner;
import dev.cliptune.parity.Selection;
import dev.cliptune.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint parity runner reads everything from the manifest: a set made here — the fixture ViT written as an
 * all-float16 torch.save zip under another entry prefix, with its own manifest — passes unchanged (its reference
 * values are exactly representable in float16, so the features are the fixture's).
 */
class SyntheticCheckpointSetTest {
  @TempDir
  Path tmp;

  @Test
  void anotherPrefixAndDtypePassFromTheManifestAlone() throws IOException {
    Path src = Shared.checkpoints();
    Path vit = Files.createDirectories(tmp.resolve("vit"));
    for (String f : new String[] {"model.safetensors", "reference.safetensors", "config.json"}) {
      Files.copy(src.resolve("vit/" + f), vit.resolve(f));
    }
    List<FloatTensor> tensors = new ArrayList<>();
    try (SafeTensors st = SafeTensors.open(src.resolve("vit/model.safetensors"))) {
      for (TensorInfo t : st.tensors()) {
        tensors.add(new FloatTensor(t.name(), t.shape(), st.floats(t.name())));
      }
    }
    TorchSaveWriter.write(vit.resolve("half.pt"), "ViT-tiny", tensors, true);
    int n = tensors.size();
    ObjectMapper json = new ObjectMapper();
    JsonNode orig = json.readTree(src.resolve("manifest.json").toFile());
    ObjectNode m = json.createObjectNode().put("fixture_set", "synthetic");
    m.putObject("models").set("vit", orig.path("models").path("vit"));
    m.putObject("references").set("vit/reference.safetensors", orig.path("references").path("vit/reference.safetensors"));
    ArrayNode files = m.putArray("files");
    ObjectNode f = files.addObject().put("path", "vit/half.pt").put("role", "checkpoint").put("model", "vit")
        .put("format", "torch-zip");
    f.putObject("stored_dtypes").put("float16", n);
    f.putObject("weights").put("reference", "vit/model.safetensors").put("mapping", "identity");
    f.putObject("features").put("reference", "vit/reference.safetensors").put("activation", "quick_gelu")
        .put("vision_heads", 3).put("text_heads", 2);
    json.writeValue(tmp.resolve("manifest.json").toFile(), m);

    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    ParityRunner.Result r = ParityRunner.run(tmp, new Selection(List.of()), new PrintStream(buf, true, StandardCharsets.UTF_8));
    System.out.print(buf.toString(StandardCharsets.UTF_8));
    assertThat(r.checks()).allMatch(c -> c.status() == Check.Status.PASS);
    assertThat(r.checks().stream().map(Check::name)).contains("weights/vit/half.pt",
        "features/vit/reference.safetensors/image_features", "features/vit/reference.safetensors/logits");
    assertThat(r.exitCode()).isZero();
  }
}
