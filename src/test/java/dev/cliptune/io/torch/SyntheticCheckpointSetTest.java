package dev.cliptune.io.torch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cliptune.io.Half;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.parity.Check;
import dev.cliptune.parity.ParityRunner;
import dev.cliptune.parity.Selection;
import dev.cliptune.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipOutputStream;
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
    int n = 0;
    try (SafeTensors st = SafeTensors.open(src.resolve("vit/model.safetensors"));
        OutputStream os = Files.newOutputStream(vit.resolve("half.pt")); ZipOutputStream z = new ZipOutputStream(os)) {
      PickleBytes p = PickleBytes.proto2().orderedDict().op('(');
      ByteArrayOutputStream storages = new ByteArrayOutputStream();
      for (TensorInfo t : st.tensors()) {
        int[] size = t.intShape();
        int[] stride = new int[size.length];
        for (int i = size.length - 1, s = 1; i >= 0; s *= size[i], i--) {
          stride[i] = s;
        }
        p.unicode(t.name()).tensor("HalfStorage", Integer.toString(n), (int) t.numel(), 0, size, stride);
        float[] v = st.floats(t.name());
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
          b.putShort(Half.fromFloat(x));
        }
        TorchFileTest.put(z, "ViT-tiny/data/" + n, b.array(), true);
        n++;
      }
      TorchFileTest.put(z, "ViT-tiny/data.pkl", p.op('u', '.').bytes(), true);
      TorchFileTest.put(z, "ViT-tiny/byteorder", "little".getBytes(StandardCharsets.US_ASCII), true);
    }
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
