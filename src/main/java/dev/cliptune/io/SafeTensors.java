package dev.cliptune.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A memory-mapped safetensors file: 8-byte little-endian header length, a JSON header, then raw
 * little-endian data. Each tensor is mapped on its own when read, so files over 2 GiB work and no
 * second copy of the file is made on the heap beyond the one array a caller asks for. F16 and BF16
 * are up-cast to float32 in Java.
 */
public final class SafeTensors implements TensorFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Headers larger than this are refused as corrupt (the reference implementation uses 100 MB). */
  private static final long MAX_HEADER = 100L << 20;

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafeTensors(Path path, FileChannel channel, long dataStart,
      Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Opens and validates the header of {@code path}; tensor data is mapped lazily. */
  public static SafeTensors open(Path path) {
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new SafeTensorsException(path + ": file not found");
    } catch (IOException e) {
      throw new SafeTensorsException(path + ": cannot open: " + e.getMessage(), e);
    }
    try {
      long size = ch.size();
      if (size < 8) {
        throw new SafeTensorsException(path + ": not a safetensors file: " + size
            + " bytes, expected at least an 8-byte header length");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long n = lenBuf.flip().getLong();
      if (n <= 0 || n > MAX_HEADER) {
        throw new SafeTensorsException(path + ": not a safetensors file: header length " + n
            + " is not in (0, " + MAX_HEADER + "]");
      }
      if (8 + n > size) {
        throw new SafeTensorsException(path + ": truncated: header of " + n
            + " bytes announced but the file has only " + size + " bytes");
      }
      ByteBuffer hb = ByteBuffer.allocate((int) n);
      readFully(ch, hb, 8);
      JsonNode header;
      try {
        header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new SafeTensorsException(path + ": header is not valid JSON: " + e.getMessage(), e);
      }
      if (header == null || !header.isObject()) {
        throw new SafeTensorsException(path + ": header is not a JSON object");
      }
      long dataStart = 8 + n;
      long dataSize = size - dataStart;
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getKey();
        JsonNode v = e.getValue();
        if (name.equals("__metadata__")) {
          v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        tensors.put(name, parseEntry(path, name, v, dataSize));
      }
      return new SafeTensors(path, ch, dataStart, Collections.unmodifiableMap(tensors),
          Collections.unmodifiableMap(metadata));
    } catch (IOException e) {
      closeQuietly(ch);
      throw new SafeTensorsException(path + ": cannot read: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(ch);
      throw e;
    }
  }

  private static TensorInfo parseEntry(Path path, String name, JsonNode v, long dataSize) {
    String where = path + ": tensor '" + name + "'";
    DType dt = DType.parse(v.path("dtype").asText(""));
    if (dt == null) {
      throw new SafeTensorsException(where + ": unsupported dtype '" + v.path("dtype").asText()
          + "', expected one of " + Arrays.toString(DType.values()));
    }
    JsonNode shapeNode = v.path("shape");
    JsonNode off = v.path("data_offsets");
    if (!shapeNode.isArray() || !off.isArray() || off.size() != 2) {
      throw new SafeTensorsException(where + ": header entry needs 'shape' and 'data_offsets' [begin, end]");
    }
    long[] shape = new long[shapeNode.size()];
    long numel = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong();
      if (shape[i] < 0) {
        throw new SafeTensorsException(where + ": negative dimension in shape " + shapeNode);
      }
      numel *= shape[i];
    }
    long begin = off.get(0).asLong();
    long end = off.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw new SafeTensorsException(where + ": invalid data_offsets " + off);
    }
    if (end - begin != numel * dt.bytes) {
      throw new SafeTensorsException(where + ": shape " + Arrays.toString(shape) + " of " + dt
          + " needs " + numel * dt.bytes + " bytes but data_offsets " + off + " span " + (end - begin));
    }
    if (end > dataSize) {
      throw new SafeTensorsException(path + ": truncated: tensor '" + name + "' needs data bytes ["
          + begin + ", " + end + ") but the file holds only " + dataSize + " data bytes");
    }
    return new TensorInfo(name, dt, shape, begin, end);
  }

  @Override
  public Path path() {
    return path;
  }

  /** The {@code __metadata__} string map (empty when the file has none). */
  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public Collection<TensorInfo> tensors() {
    return tensors.values();
  }

  @Override
  public boolean has(String name) {
    return tensors.containsKey(name);
  }

  /** The header entry of {@code name}; a clear error naming the file when it is missing. */
  @Override
  public TensorInfo info(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new SafeTensorsException(path + ": missing tensor '" + name + "' (the file has "
          + tensors.size() + " tensors" + nearest(name) + ")");
    }
    return t;
  }

  private String nearest(String name) {
    String prefix = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
    return tensors.keySet().stream().filter(k -> k.startsWith(prefix)).limit(3)
        .reduce((a, b) -> a + ", " + b).map(s -> "; similar: " + s).orElse("");
  }

  /** The raw little-endian bytes of a tensor, memory-mapped. */
  public ByteBuffer raw(String name) {
    TensorInfo t = info(name);
    try {
      long len = t.end() - t.begin();
      if (len == 0) {
        return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
      }
      return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), len)
          .order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new SafeTensorsException(path + ": cannot map tensor '" + name + "': " + e.getMessage(), e);
    }
  }

  /** Checks the shape of a tensor and says what was expected and found when it differs. */
  public TensorInfo expectShape(String name, long... expected) {
    TensorInfo t = info(name);
    if (!Arrays.equals(t.shape(), expected)) {
      throw new SafeTensorsException(path + ": tensor '" + name + "' has shape " + t.shapeString()
          + ", expected " + Arrays.toString(expected));
    }
    return t;
  }

  /** A floating-point tensor as float32 (F16/BF16 up-cast exactly, F64 rounded). */
  @Override
  public float[] floats(String name) {
    TensorInfo t = info(name);
    int n = Math.toIntExact(t.numel());
    float[] out = new float[n];
    ByteBuffer b = raw(name);
    switch (t.dtype()) {
      case F32 -> b.asFloatBuffer().get(out);
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Half.toFloat(b.getShort(2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
        }
      }
      case F64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) b.getDouble(8 * i);
        }
      }
      default -> throw new SafeTensorsException(path + ": tensor '" + name + "' is " + t.dtype()
          + ", expected a floating-point dtype (F32, F16, BF16, F64)");
    }
    return out;
  }

  /** An integer tensor as longs (I64, I32, I16, I8, U8, BOOL). */
  @Override
  public long[] longs(String name) {
    TensorInfo t = info(name);
    int n = Math.toIntExact(t.numel());
    long[] out = new long[n];
    ByteBuffer b = raw(name);
    for (int i = 0; i < n; i++) {
      out[i] = switch (t.dtype()) {
        case I64 -> b.getLong(8 * i);
        case I32 -> b.getInt(4 * i);
        case I16 -> b.getShort(2 * i);
        case I8 -> b.get(i);
        case U8, BOOL -> b.get(i) & 0xff;
        default -> throw new SafeTensorsException(path + ": tensor '" + name + "' is " + t.dtype()
            + ", expected an integer dtype");
      };
    }
    return out;
  }

  /** A U8 tensor's bytes. */
  public byte[] u8(String name) {
    TensorInfo t = info(name);
    if (t.dtype() != DType.U8) {
      throw new SafeTensorsException(path + ": tensor '" + name + "' is " + t.dtype() + ", expected U8");
    }
    byte[] out = new byte[Math.toIntExact(t.numel())];
    raw(name).get(out);
    return out;
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }

  @Override
  public String formatName() {
    return "safetensors";
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos + buf.position());
      if (r < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing to save on close of a read-only channel
    }
  }

  /** True when the file starts like a safetensors file (used to tell formats apart). */
  public static boolean looksLikeSafeTensors(Path p) {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      if (ch.size() < 10) {
        return false;
      }
      ByteBuffer b = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, b, 0);
      b.flip();
      long n = b.getLong();
      return n > 0 && n + 8 <= ch.size() && b.get() == '{';
    } catch (IOException e) {
      return false;
    }
  }

  static boolean exists(Path p) {
    return Files.isRegularFile(p);
  }
}
