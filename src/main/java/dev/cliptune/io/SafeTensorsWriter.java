package dev.cliptune.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a safetensors file with an optional {@code __metadata__} map and writes it atomically: the
 * bytes go to a temporary file beside the target, which is then renamed over it, so an existing file
 * is never left half-written.
 */
public final class SafeTensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Entry(String name, DType dtype, long[] shape, ByteBuffer data) {}

  private final List<Entry> entries = new ArrayList<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  public SafeTensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  public SafeTensorsWriter metadata(Map<String, String> m) {
    metadata.putAll(m);
    return this;
  }

  public SafeTensorsWriter putFloats(String name, float[] data, long... shape) {
    check(name, data.length, shape);
    ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(data);
    return put(name, DType.F32, shape, b);
  }

  public SafeTensorsWriter putLongs(String name, long[] data, long... shape) {
    check(name, data.length, shape);
    ByteBuffer b = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(data);
    return put(name, DType.I64, shape, b);
  }

  public SafeTensorsWriter putBytes(String name, byte[] data, long... shape) {
    check(name, data.length, shape);
    return put(name, DType.U8, shape, ByteBuffer.wrap(data));
  }

  /** Adds raw little-endian data of the given dtype. */
  public SafeTensorsWriter put(String name, DType dtype, long[] shape, ByteBuffer littleEndianData) {
    for (Entry e : entries) {
      if (e.name.equals(name)) {
        throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
      }
    }
    if (name.equals("__metadata__")) {
      throw new IllegalArgumentException("'__metadata__' is reserved");
    }
    entries.add(new Entry(name, dtype, shape.clone(), littleEndianData.duplicate().rewind()));
    return this;
  }

  private static void check(String name, int length, long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != length) {
      throw new IllegalArgumentException("tensor '" + name + "': shape has " + n
          + " elements but " + length + " values were given");
    }
  }

  /** Writes the file atomically (temporary file in the same directory, then rename). */
  public void write(Path target) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode md = header.putObject("__metadata__");
      metadata.forEach(md::put);
    }
    long offset = 0;
    for (Entry e : entries) {
      ObjectNode t = header.putObject(e.name);
      t.put("dtype", e.dtype.name());
      ArrayNode s = t.putArray("shape");
      for (long d : e.shape) {
        s.add(d);
      }
      long len = e.data.remaining();
      t.putArray("data_offsets").add(offset).add(offset + len);
      offset += len;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8; // align data to 8 bytes, padding with spaces
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    AtomicFiles.write(target, out -> {
      out.write(head.array());
      byte[] chunk = new byte[1 << 16];
      for (Entry e : entries) {
        ByteBuffer d = e.data.duplicate();
        while (d.hasRemaining()) {
          int n = Math.min(chunk.length, d.remaining());
          d.get(chunk, 0, n);
          out.write(chunk, 0, n);
        }
      }
    });
  }

  /** Writes a JSON header string only; used for tests of header handling. */
  static byte[] headerBytes(String json) {
    byte[] j = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + j.length).order(ByteOrder.LITTLE_ENDIAN);
    return b.putLong(j.length).put(j).array();
  }

  /** A body that writes to a stream. */
  @FunctionalInterface
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  static void ensureParent(Path p) throws IOException {
    Path parent = p.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }
}
