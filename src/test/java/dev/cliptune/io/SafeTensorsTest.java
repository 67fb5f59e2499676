package dev.cliptune.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory-mapped reader and the atomic writer. */
class SafeTensorsTest {
  @TempDir Path tmp;

  @Test
  void writerReaderRoundTripWithMetadata() throws IOException {
    Path f = tmp.resolve("sub/dir/a.safetensors");
    float[] w = {1.5f, -2f, 0f, Float.MIN_VALUE, 3.25f, 1e30f};
    new SafeTensorsWriter()
        .metadata("format", "pt")
        .metadata(Map.of("backbone_sha256", "abc", "note", "ünïcode ✓"))
        .putFloats("prompt_learner.ctx", w, 2, 3)
        .putLongs("ids", new long[] {49406, -1, Long.MAX_VALUE}, 3)
        .putBytes("mask", new byte[] {0, 1, (byte) 255}, 3)
        .putFloats("scale", new float[] {4.6052f})
        .write(f);
    ByteBuffer lenBuf = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(lenBuf.getLong() % 8).as("data is 8-byte aligned").isZero();
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(st.metadata()).containsEntry("format", "pt").containsEntry("backbone_sha256", "abc")
          .containsEntry("note", "ünïcode ✓").hasSize(3);
      assertThat(st.tensors()).extracting(TensorInfo::name).containsExactly("prompt_learner.ctx", "ids", "mask", "scale");
      assertThat(st.info("prompt_learner.ctx").shape()).containsExactly(2, 3);
      assertThat(st.info("prompt_learner.ctx").dtype()).isEqualTo(DType.F32);
      assertThat(st.floats("prompt_learner.ctx")).containsExactly(w);
      assertThat(st.longs("ids")).containsExactly(49406, -1, Long.MAX_VALUE);
      assertThat(st.u8("mask")).containsExactly(0, 1, (byte) 255);
      assertThat(st.longs("mask")).containsExactly(0, 1, 255);
      assertThat(st.info("scale").shape()).isEmpty();
      assertThat(st.floats("scale")).containsExactly(4.6052f);
      assertThat(st.expectShape("prompt_learner.ctx", 2, 3).numel()).isEqualTo(6);
      assertThatThrownBy(() -> st.expectShape("prompt_learner.ctx", 3, 2))
          .hasMessageContaining(f.toString()).hasMessageContaining("has shape [2, 3], expected [3, 2]");
      assertThatThrownBy(() -> st.info("prompt_learner.cts"))
          .hasMessageContaining("missing tensor 'prompt_learner.cts'").hasMessageContaining("similar: prompt_learner.ctx");
      assertThatThrownBy(() -> st.floats("ids")).hasMessageContaining("expected a floating-point dtype");
    }
    assertThat(SafeTensors.looksLikeSafeTensors(f)).isTrue();
  }

  @Test
  void float16AndBfloat16UpCastExactly() throws IOException {
    short[] half = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x0400, (short) 0x8000, 0x7C00,
        (short) 0xFC00, 0x7E00, 0x3555};
    float[] halfExpected = {1f, -2f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, -0f,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0.333251953125f};
    short[] bf = {0x3F80, (short) 0xC020, 0x4049, 0x0001, 0x7F80, (short) 0x8000, 0x7F7F};
    float[] bfExpected = {1f, -2.5f, 3.140625f, Float.intBitsToFloat(0x00010000), Float.POSITIVE_INFINITY,
        -0f, Float.intBitsToFloat(0x7F7F0000)};
    Path f = tmp.resolve("half.safetensors");
    new SafeTensorsWriter()
        .put("h", DType.F16, new long[] {half.length}, shorts(half))
        .put("b", DType.BF16, new long[] {bf.length}, shorts(bf))
        .write(f);
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(st.info("h").dtype()).isEqualTo(DType.F16);
      assertBits(st.floats("h"), halfExpected);
      assertBits(st.floats("b"), bfExpected);
    }
    for (int i = 0; i < half.length; i++) {
      if (!Float.isNaN(halfExpected[i])) {
        assertThat(Half.fromFloat(halfExpected[i])).as("round trip %s", halfExpected[i]).isEqualTo(half[i]);
      }
    }
  }

  private static ByteBuffer shorts(short[] s) {
    ByteBuffer b = ByteBuffer.allocate(2 * s.length).order(ByteOrder.LITTLE_ENDIAN);
    for (short x : s) {
      b.putShort(x);
    }
    return b.flip();
  }

  private static void assertBits(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      if (Float.isNaN(expected[i])) {
        assertThat(actual[i]).as("element %d", i).isNaN();
      } else {
        assertThat(Float.floatToRawIntBits(actual[i])).as("element %d: %s vs %s", i, actual[i], expected[i])
            .isEqualTo(Float.floatToRawIntBits(expected[i]));
      }
    }
  }

  @Test
  void headerLengthBeyondTheFileIsReported() throws IOException {
    Path f = tmp.resolve("short.safetensors");
    byte[] json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(1000).put(json).putFloat(1f);
    Files.write(f, b.array());
    assertThatThrownBy(() -> SafeTensors.open(f))
        .isInstanceOf(SafeTensorsException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("header of 1000 bytes announced but the file has only " + b.capacity() + " bytes");
    Path tiny = tmp.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SafeTensors.open(tiny)).hasMessageContaining("not a safetensors file");
    assertThat(SafeTensors.looksLikeSafeTensors(tiny)).isFalse();
    Path garbage = tmp.resolve("garbage.safetensors");
    Files.write(garbage, SafeTensorsWriter.headerBytes("{not json"));
    assertThatThrownBy(() -> SafeTensors.open(garbage)).hasMessageContaining("header is not valid JSON");
  }

  @Test
  void truncatedTensorDataIsReported() throws IOException {
    Path f = tmp.resolve("t.safetensors");
    new SafeTensorsWriter().putFloats("a", new float[10], 10).putFloats("b", new float[10], 2, 5).write(f);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 4);
    }
    assertThatThrownBy(() -> SafeTensors.open(f))
        .hasMessageContaining(f.toString())
        .hasMessageContaining("truncated: tensor 'b' needs data bytes [40, 80) but the file holds only 76 data bytes");
  }

  @Test
  void atomicWriteLeavesAnExistingFileIntactWhenTheBodyThrows() throws IOException {
    Path f = tmp.resolve("ckpt.safetensors");
    new SafeTensorsWriter().putFloats("x", new float[] {1, 2, 3}, 3).write(f);
    byte[] before = Files.readAllBytes(f);
    assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
      out.write(new byte[100_000]);
      throw new IOException("disk full (simulated)");
    })).isInstanceOf(IOException.class).hasMessageContaining("simulated");
    assertThat(Files.readAllBytes(f)).isEqualTo(before);
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("ckpt.safetensors");
    }
    // a successful write replaces the file
    new SafeTensorsWriter().putFloats("y", new float[] {4}, 1).write(f);
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(st.tensors()).extracting(TensorInfo::name).isEqualTo(List.of("y"));
    }
  }

  @Test
  void tensorBeyondTwoGibibytesInASparseFile() throws IOException {
    long offset = (1L << 31) + 8; // data offset past Integer.MAX_VALUE
    String json = "{\"far\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + offset + "," + (offset + 16) + "]}}";
    byte[] head = SafeTensorsWriter.headerBytes(json);
    Path f = tmp.resolve("sparse.safetensors");
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.write(head);
      raf.setLength(head.length + offset + 16); // sparse: no blocks are allocated for the gap
      ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      data.putFloat(1f).putFloat(-2f).putFloat(0.5f).putFloat(7f);
      raf.getChannel().write(data.flip(), head.length + offset);
    }
    try (SafeTensors st = SafeTensors.open(f)) {
      assertThat(st.info("far").begin()).isEqualTo(offset);
      assertThat(st.floats("far")).containsExactly(1f, -2f, 0.5f, 7f);
    }
  }
}
