package dev.cliptune.io.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.io.DType;
import dev.cliptune.io.TensorFile;
import dev.cliptune.io.torch.TensorFiles;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorch reader on the checkpoint fixtures (real files written by PyTorch 1.13: torch.save zip, TorchScript,
 * legacy) and on hand-made archives for what the fixtures do not vary (entry prefix, deflated data.pkl, byte
 * order, missing records, legacy layout errors).
 */
class TorchFileTest {
  @TempDir
  Path tmp;

  private static JsonNode manifest() throws IOException {
    return new ObjectMapper().readTree(Shared.checkpoints().resolve("manifest.json").toFile());
  }

  private static String dtypeName(DType d) {
    return TorchFile.dtypeName(d);
  }

  @Test
  void everyPyTorchFileOfTheSetReadsAsTheManifestDescribesIt() throws IOException {
    Path dir = Shared.checkpoints();
    int files = 0;
    for (JsonNode f : manifest().path("files")) {
      String format = f.path("format").asText();
      String role = f.path("role").asText();
      if (!(role.equals("checkpoint") || role.equals("shard")) || !format.startsWith("torch")) {
        continue;
      }
      try (TensorFile t = TensorFiles.open(dir.resolve(f.path("path").asText()))) {
        TorchFile tf = (TorchFile) t;
        assertThat(tf.format()).isEqualTo(switch (format) {
          case "torchscript" -> TorchFile.Format.TORCHSCRIPT;
          case "torch-legacy" -> TorchFile.Format.LEGACY;
          default -> TorchFile.Format.ZIP;
        });
        assertThat(t.tensors()).as(f.path("path").asText()).hasSize(f.path("tensor_count").asInt());
        Map<String, Integer> counts = new TreeMap<>();
        for (TensorInfo i : t.tensors()) {
          counts.merge(dtypeName(i.dtype()), 1, Integer::sum);
          JsonNode want = f.path("tensor_dtypes").path(i.name());
          if (!want.isMissingNode()) {
            assertThat(dtypeName(i.dtype())).as(i.name()).isEqualTo(want.asText());
          }
          // every value is readable (bounds were checked on open)
          if (i.dtype().isFloating()) {
            assertThat(t.floats(i.name())).hasSize((int) i.numel());
          } else {
            assertThat(t.longs(i.name())).hasSize((int) i.numel());
          }
        }
        Map<String, Integer> want = new TreeMap<>();
        f.path("stored_dtypes").fields().forEachRemaining(e -> want.put(e.getKey(), e.getValue().asInt()));
        assertThat(counts).as(f.path("path").asText()).isEqualTo(want);
        java.util.List<String> locations = new java.util.ArrayList<>();
        f.path("storage_locations").forEach(n -> locations.add(n.asText()));
        assertThat(tf.storageLocations()).containsExactlyElementsOf(locations);
        files++;
      }
    }
    assertThat(files).isGreaterThanOrEqualTo(8);
  }

  @Test
  void sharedStoragesAndTransposedViewsAsTheManifestLists() throws IOException {
    Path dir = Shared.checkpoints();
    for (JsonNode f : manifest().path("files")) {
      if (!f.has("views")) {
        continue;
      }
      try (TorchFile t = TorchFile.open(dir.resolve(f.path("path").asText()))) {
        Map<Integer, String> keyOfIndex = new HashMap<>();
        f.path("views").fields().forEachRemaining(e -> {
          JsonNode v = e.getValue();
          Pickle.TensorRef r = t.view(e.getKey());
          assertThat(r.offset()).as(e.getKey()).isEqualTo(v.path("offset").asLong());
          assertThat(r.size()).containsExactly(longs(v.path("size")));
          assertThat(r.stride()).containsExactly(longs(v.path("stride")));
          assertThat(r.storage().numel()).isEqualTo(v.path("storage_numel").asLong());
          if (v.has("storage_key")) {
            assertThat(r.storage().key()).isEqualTo(v.path("storage_key").asText());
          }
          // the same storage index is the same storage in our reading too
          String seen = keyOfIndex.putIfAbsent(v.path("storage_index").asInt(), r.storage().key());
          assertThat(seen == null || seen.equals(r.storage().key())).isTrue();
        });
        assertThat(keyOfIndex).isNotEmpty();
      }
    }
  }

  private static long[] longs(JsonNode a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asLong();
    }
    return out;
  }

  @Test
  void torchScriptArchivesGiveParametersAndBuffers() throws IOException {
    JsonNode rn = null;
    for (JsonNode f : manifest().path("files")) {
      if (f.path("path").asText().equals("rn/openai-jit.pt")) {
        rn = f;
      }
    }
    try (TorchFile t = TorchFile.open(Shared.checkpoints().resolve("rn/openai-jit.pt"))) {
      assertThat(t.info("visual.bn1.running_mean").dtype()).isEqualTo(DType.F32);
      assertThat(t.info("visual.layer1.0.downsample.1.running_var").dtype()).isEqualTo(DType.F32);
      assertThat(t.info("visual.bn1.num_batches_tracked").shape()).isEmpty();
      assertThat(t.info("visual.attnpool.q_proj.weight").dtype()).isEqualTo(DType.F16);
      JsonNode extra = rn.path("extra_tensors");
      for (String k : new String[] {"input_resolution", "context_length", "vocab_size"}) {
        assertThat(t.longs(k)).containsExactly(extra.path(k).asLong());
      }
    }
  }

  @Test
  void hostileFilesAreRefusedWithTheManifestsCode() throws IOException {
    Path dir = Shared.checkpoints();
    for (JsonNode f : manifest().path("files")) {
      if (!f.path("role").asText().equals("hostile") || f.path("refusal").path("code").asText().equals("not-clip")) {
        continue;
      }
      Path p = dir.resolve(f.path("path").asText());
      assertThatThrownBy(() -> TensorFiles.open(p).close()).as(p.toString()).isInstanceOf(TorchFileException.class)
          .hasMessageStartingWith(p.toString())
          .matches(e -> ((TorchFileException) e).code().equals(f.path("refusal").path("code").asText()));
    }
  }

  // ------------------------------------------------------------------ hand-made archives

  /** A torch.save-style zip: {@code prefix/data.pkl} (deflated when asked), byteorder, storages (stored). */
  private Path zip(String name, String prefix, byte[] pickle, boolean deflatePickle, String byteorder,
      Map<String, byte[]> storages) throws IOException {
    Path p = tmp.resolve(name);
    try (OutputStream os = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(os)) {
      put(z, prefix + "data.pkl", pickle, !deflatePickle);
      if (byteorder != null) {
        put(z, prefix + "byteorder", byteorder.getBytes(StandardCharsets.US_ASCII), true);
      }
      for (Map.Entry<String, byte[]> e : storages.entrySet()) {
        put(z, prefix + "data/" + e.getKey(), e.getValue(), true);
      }
      put(z, prefix + "version", "3\n".getBytes(StandardCharsets.US_ASCII), true);
    }
    return p;
  }

  /** One zip entry, stored (with its size and CRC, as torch writes storages) or deflated. */
  static void put(ZipOutputStream z, String name, byte[] data, boolean stored) throws IOException {
    if (stored) {
      StoredZip.put(z, name, data);
      return;
    }
    z.putNextEntry(new ZipEntry(name));
    z.write(data);
    z.closeEntry();
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      b.putFloat(x);
    }
    return b.array();
  }

  /** {@code OrderedDict(w = 2x3 view of storage '0' at offset 1, transposed; b = storage '0' [0:2])}. */
  private static byte[] twoViews() {
    return PickleBytes.proto2().orderedDict().op('(')
        .unicode("w").tensor("FloatStorage", "0", 8, 1, new int[] {2, 3}, new int[] {1, 2})
        .unicode("b").tensor("FloatStorage", "0", 8, 0, new int[] {2}, new int[] {1})
        .op('u', '.').bytes();
  }

  @Test
  void anyPrefixDeflatedPickleAndViewsOfOneStorage() throws IOException {
    Path p = zip("my-model.pt", "my-model/", twoViews(), true, "little",
        Map.of("0", floats(0, 1, 2, 3, 4, 5, 6, 7)));
    try (TensorFile t = TensorFiles.open(p)) {
      assertThat(t.formatName()).isEqualTo("torch.save zip");
      assertThat(t.tensors()).extracting(TensorInfo::name).containsExactly("w", "b");
      // w[i][j] = storage[1 + i + 2j]
      assertThat(t.floats("w")).containsExactly(1, 3, 5, 2, 4, 6);
      assertThat(t.floats("b")).containsExactly(0, 1);
    }
  }

  @Test
  void zip64ArchivesAreRead() throws IOException {
    // more than 65535 entries: java.util.zip writes the ZIP64 end of central directory, as torch's writer may
    Path p = tmp.resolve("zip64.pt");
    try (OutputStream os = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(os)) {
      put(z, "z/data.pkl", twoViews(), true);
      put(z, "z/data/0", floats(0, 1, 2, 3, 4, 5, 6, 7), true);
      for (int i = 0; i < 65_600; i++) {
        put(z, "z/extra/" + i, new byte[0], true);
      }
    }
    byte[] all = Files.readAllBytes(p);
    int eocd64 = -1;
    for (int i = all.length - 22; i >= 0 && eocd64 < 0; i--) {
      if (all[i] == 'P' && all[i + 1] == 'K' && all[i + 2] == 6 && all[i + 3] == 6) {
        eocd64 = i;
      }
    }
    assertThat(eocd64).as("a ZIP64 end of central directory record").isPositive();
    try (TensorFile t = TensorFiles.open(p)) {
      assertThat(t.floats("w")).containsExactly(1, 3, 5, 2, 4, 6);
    }
  }

  @Test
  void cyclesAndDeepNestingAreRefused() throws IOException {
    byte[] cycle = PickleBytes.proto2().op('}', 'q', 0).unicode("self").op('h', 0, 's', '.').bytes();
    assertThatThrownBy(() -> TensorFiles.open(zip("cycle.pt", "a/", cycle, false, null, Map.of())))
        .hasMessageContaining("nests into itself").matches(e -> ((TorchFileException) e).code().equals("bad-pickle"));
    PickleBytes deep = PickleBytes.proto2();
    for (int i = 0; i < 100; i++) {
      deep.op('}').unicode("m");
    }
    deep.op('}');
    for (int i = 0; i < 100; i++) {
      deep.op('s');
    }
    byte[] nested = deep.op('.').bytes();
    assertThatThrownBy(() -> TensorFiles.open(zip("deep.pt", "a/", nested, false, null, Map.of())))
        .hasMessageContaining("deeper than 64 levels");
  }

  @Test
  void trainingCheckpointsAreUnwrapped() throws IOException {
    // open_clip's epoch_N.pt: {"epoch": 3, "name": ..., "state_dict": {"module.<key>": tensor}}
    byte[] pkl = PickleBytes.proto2().op('}', '(').unicode("epoch").binint1(3).unicode("name").unicode("run")
        .unicode("state_dict").op('}', '(')
        .unicode("module.logit_scale").tensor("FloatStorage", "0", 1, 0, new int[] {}, new int[] {})
        .unicode("module.visual.proj").tensor("FloatStorage", "1", 2, 0, new int[] {1, 2}, new int[] {2, 1})
        .op('u', 'u', '.').bytes();
    try (TensorFile t = TensorFiles.open(zip("epoch_3.pt", "epoch_3/", pkl, false, null,
        Map.of("0", floats(4.6f), "1", floats(1, 2))))) {
      assertThat(t.tensors()).extracting(TensorInfo::name).containsExactly("logit_scale", "visual.proj");
      assertThat(t.floats("logit_scale")).containsExactly(4.6f);
    }
  }

  @Test
  void everyStorageTypeDecodes() throws IOException {
    byte[] pkl = PickleBytes.proto2().op('}', '(')
        .unicode("bf16").tensor("BFloat16Storage", "0", 2, 0, new int[] {2}, new int[] {1})
        .unicode("f64").tensor("DoubleStorage", "1", 2, 1, new int[] {1}, new int[] {1})
        .unicode("i64").tensor("LongStorage", "2", 2, 0, new int[] {2}, new int[] {1})
        .unicode("i32").tensor("IntStorage", "3", 2, 0, new int[] {2}, new int[] {1})
        .unicode("u8").tensor("ByteStorage", "4", 3, 0, new int[] {3}, new int[] {1})
        .unicode("bool").tensor("BoolStorage", "5", 2, 0, new int[] {2}, new int[] {1})
        .op('u', '.').bytes();
    ByteBuffer f64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(9).putDouble(-0.25);
    ByteBuffer i64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).putLong(1L << 40);
    ByteBuffer i32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-7).putInt(70000);
    Map<String, byte[]> st = Map.of("0", new byte[] {(byte) 0x80, 0x3f, 0x40, (byte) 0xc0}, "1", f64.array(),
        "2", i64.array(), "3", i32.array(), "4", new byte[] {0, (byte) 200, 7}, "5", new byte[] {1, 0});
    try (TensorFile t = TensorFiles.open(zip("dtypes.pt", "x/", pkl, false, "little", st))) {
      assertThat(t.floats("bf16")).containsExactly(1f, -3f);
      assertThat(t.floats("f64")).containsExactly(-0.25f);
      assertThat(t.longs("i64")).containsExactly(-5, 1L << 40);
      assertThat(t.longs("i32")).containsExactly(-7, 70000);
      assertThat(t.longs("u8")).containsExactly(0, 200, 7);
      assertThat(t.longs("bool")).containsExactly(1, 0);
      assertThat(t.info("bool").dtype()).isEqualTo(DType.BOOL);
      assertThatThrownBy(() -> t.floats("u8")).hasMessageContaining("'u8' is uint8, expected a floating-point dtype");
    }
  }

  @Test
  void bigEndianMissingRecordsAndTrailingBytesAreRefused() throws IOException {
    Map<String, byte[]> st = Map.of("0", floats(0, 1, 2, 3, 4, 5, 6, 7));
    assertThatThrownBy(() -> TensorFiles.open(zip("be.pt", "a/", twoViews(), false, "big", st)))
        .hasMessageContaining("a/byteorder says 'big'")
        .matches(e -> ((TorchFileException) e).code().equals("unsupported-byteorder"));
    assertThatThrownBy(() -> TensorFiles.open(zip("nostorage.pt", "a/", twoViews(), false, null, Map.of())))
        .hasMessageContaining("storage '0' (BINPERSID at offset").hasMessageContaining("has no record a/data/0")
        .matches(e -> ((TorchFileException) e).code().equals("missing-storage-record"));
    byte[] trailing = java.util.Arrays.copyOf(twoViews(), twoViews().length + 3);
    assertThatThrownBy(() -> TensorFiles.open(zip("trailing.pt", "a/", trailing, false, null, st)))
        .hasMessageContaining("3 bytes follow the STOP opcode")
        .matches(e -> ((TorchFileException) e).code().equals("bad-pickle"));
    Path junk = Files.write(tmp.resolve("junk.bin"), "hello world, not a checkpoint".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> TensorFiles.open(junk)).hasMessageContaining("68 65 6c 6c 6f")
        .matches(e -> ((TorchFileException) e).code().equals("unknown-format"));
  }

  /** A legacy stream: magic, 1001, sys_info, the object, the key list, then each storage as count + data. */
  private Path legacy(String name, long count, byte[] data, byte[] tail) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(PickleBytes.proto2().op(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.').bytes());
    out.write(PickleBytes.proto2().op('M', 0xe9, 0x03, '.').bytes());
    out.write(PickleBytes.proto2().op('}', '(').unicode("protocol_version").op('M', 0xe9, 0x03)
        .unicode("little_endian").op(0x88).op('u', '.').bytes());
    out.write(PickleBytes.proto2().op('}').unicode("token_embedding.weight")
        .global("torch._utils", "_rebuild_tensor_v2").op('(')
        .op('(').unicode("storage").global("torch", "HalfStorage").unicode("140234").unicode("cpu").binint(3).op('N')
        .op('t', 'Q').binint(0).op('(').binint(3).op('t', '(').binint(1).op('t', 0x89).orderedDict().op('t', 'R')
        .op('s', '.').bytes());
    out.write(PickleBytes.proto2().op(']', '(').unicode("140234").op('e', '.').bytes());
    ByteBuffer c = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(count);
    out.write(c.array());
    out.write(data);
    out.write(tail);
    return Files.write(tmp.resolve(name), out.toByteArray());
  }

  @Test
  void legacyStreamsAndTheirLayoutErrors() throws IOException {
    byte[] half = {0x00, 0x3c, 0x00, (byte) 0xc0, 0x00, 0x38}; // 1.0, -2.0, 0.5
    try (TensorFile t = TensorFiles.open(legacy("ok.bin", 3, half, new byte[0]))) {
      assertThat(((TorchFile) t).format()).isEqualTo(TorchFile.Format.LEGACY);
      assertThat(t.info("token_embedding.weight").dtype()).isEqualTo(DType.F16);
      assertThat(t.floats("token_embedding.weight")).containsExactly(1f, -2f, 0.5f);
    }
    assertThatThrownBy(() -> TensorFiles.open(legacy("tail.bin", 3, half, new byte[] {1})))
        .hasMessageContaining("1 bytes follow the last storage");
    assertThatThrownBy(() -> TensorFiles.open(legacy("count.bin", 2, java.util.Arrays.copyOf(half, 4), new byte[0])))
        .hasMessageContaining("storage '140234' declares 3 elements in the pickle but 2")
        .matches(e -> ((TorchFileException) e).code().equals("bad-legacy-layout"));
    assertThatThrownBy(() -> TensorFiles.open(legacy("short.bin", 3, java.util.Arrays.copyOf(half, 4), new byte[0])))
        .matches(e -> ((TorchFileException) e).code().equals("truncated-legacy"));
  }
}
