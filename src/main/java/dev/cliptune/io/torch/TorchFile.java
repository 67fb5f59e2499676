package dev.cliptune.io.torch;

import dev.cliptune.io.DType;
import dev.cliptune.io.Half;
import dev.cliptune.io.TensorFile;
import dev.cliptune.io.TensorInfo;
import dev.cliptune.io.torch.Pickle.StorageRef;
import dev.cliptune.io.torch.Pickle.TensorRef;
import dev.cliptune.io.torch.Pickle.TorchObject;
import dev.cliptune.io.torch.Pickle.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * A PyTorch checkpoint read as data (CHECKPOINTS.md §0–2): a {@code torch.save} zip (any entry prefix), a
 * TorchScript archive ({@code torch.jit.save}: only {@code data.pkl} and {@code data/}; the module tree is
 * walked into dotted names, parameters and buffers alike; {@code code/} and {@code constants.pkl} are never
 * read), or a legacy pre-1.6 {@code torch.save} stream. {@code data.pkl} goes through {@link Pickle}'s
 * allow-list; storages are checked against their records before anything is allocated and memory-mapped
 * (torch writes them stored and 64-byte aligned), tensors are views (offset, size, stride) into them, copied
 * out on {@link #floats}.
 *
 * <p>Names: a state dict's keys (a {@code {"state_dict": ...}} training checkpoint is unwrapped and a
 * {@code module.} prefix on every key dropped; nested dicts are joined with dots), or the attribute path of
 * every tensor in a TorchScript module tree.
 */
public final class TorchFile implements TensorFile {
  /** {@code 0x1950a86a20f9469cfc6c}, the first pickle of a legacy stream. */
  static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
  static final long LEGACY_PROTOCOL = 1001;

  /** The three PyTorch formats. */
  public enum Format {
    ZIP("torch.save zip"), TORCHSCRIPT("TorchScript archive"), LEGACY("legacy torch.save");

    public final String label;

    Format(String label) {
      this.label = label;
    }
  }

  private record Tensor(TensorInfo info, TensorRef ref) {}

  /** Where a storage's bytes are: a file region to map, or bytes already inflated. */
  private record Region(long position, long length, byte[] inflated) {}

  private final Path path;
  private final Format format;
  private final FileChannel channel;
  private final Map<String, Tensor> tensors;
  private final Map<String, Region> regions;

  private TorchFile(Path path, Format format, FileChannel channel, Map<String, Tensor> tensors,
      Map<String, Region> regions) {
    this.path = path;
    this.format = format;
    this.channel = channel;
    this.tensors = tensors;
    this.regions = regions;
  }

  /** True when {@code head} starts like a zip archive ({@code PK\3\4}). */
  public static boolean isZip(byte[] head) {
    return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
  }

  /** True when {@code head} starts like a legacy torch.save stream (a protocol-2 pickle). */
  public static boolean isLegacy(byte[] head) {
    return head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] == 2;
  }

  /** Opens a zip (torch.save or TorchScript) or legacy file, telling them apart by their first bytes. */
  public static TorchFile open(Path path) {
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new TorchFileException("not-found", path + ": file not found");
    } catch (IOException e) {
      throw new TorchFileException("unreadable", path + ": cannot open: " + e.getMessage(), e);
    }
    try {
      byte[] head = new byte[4];
      ByteBuffer hb = ByteBuffer.wrap(head);
      if (ch.size() == 0) {
        throw new TorchFileException("empty-file", path + ": 0 bytes: the file is empty");
      }
      while (hb.hasRemaining() && ch.read(hb, hb.position()) > 0) {
        // fill
      }
      if (isZip(head)) {
        return openZip(path, ch);
      }
      if (isLegacy(head)) {
        return openLegacy(path, ch);
      }
      throw new TorchFileException("unknown-format", path + ": not a PyTorch file (it starts with bytes "
          + String.format("%02x %02x %02x %02x", head[0], head[1], head[2], head[3])
          + "; expected a zip archive 'PK\\3\\4' or a legacy torch.save stream 80 02)");
    } catch (IOException e) {
      close(ch);
      throw new TorchFileException("unreadable", path + ": cannot read: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close(ch);
      throw e;
    }
  }

  // ------------------------------------------------------------------------------ zip and TorchScript

  private static TorchFile openZip(Path path, FileChannel ch) throws IOException {
    long fileSize = ch.size();
    ZipFile zip;
    try {
      zip = ZipFile.builder().setPath(path).setUseUnicodeExtraFields(false).get();
    } catch (IOException | RuntimeException e) {
      throw new TorchFileException("truncated-zip", path + ": not a readable zip archive (" + e.getMessage() + ")", e);
    }
    try (zip) {
      Map<String, ZipArchiveEntry> entries = new LinkedHashMap<>();
      for (Enumeration<ZipArchiveEntry> en = zip.getEntries(); en.hasMoreElements(); ) {
        ZipArchiveEntry e = en.nextElement();
        entries.putIfAbsent(e.getName(), e);
      }
      if (entries.isEmpty()) {
        throw new TorchFileException("zip-missing-data-pkl", path + ": an empty zip archive (no data.pkl)");
      }
      String first = entries.keySet().iterator().next();
      String prefix = first.contains("/") ? first.substring(0, first.indexOf('/') + 1) : "";
      String pklName = prefix + "data.pkl";
      ZipArchiveEntry pkl = entries.get(pklName);
      if (pkl == null) {
        throw new TorchFileException("zip-missing-data-pkl", path + ": no record " + pklName
            + " (a torch.save or TorchScript zip has one under the prefix of its first entry, '" + prefix + "')");
      }
      ZipArchiveEntry order = entries.get(prefix + "byteorder");
      if (order != null) {
        String bo = new String(bytes(zip, order, path, 64), StandardCharsets.US_ASCII).trim();
        if (!bo.equals("little")) {
          throw new TorchFileException("unsupported-byteorder", path + ": record " + order.getName() + " says '"
              + bo + "'; only little-endian files are supported");
        }
      }
      Format format = entries.containsKey(prefix + "constants.pkl") ? Format.TORCHSCRIPT : Format.ZIP;
      byte[] pickle = bytes(zip, pkl, path, 1 << 30);
      Map<String, StorageRef> storages = new LinkedHashMap<>();
      Map<String, Region> regions = new HashMap<>();
      String where = path + ": " + pklName;
      Pickle.PersistentLoader loader = (pid, offset) -> {
        StorageRef s = storageOf(pid, 5, where, offset);
        StorageRef seen = storages.get(s.key());
        if (seen != null) {
          return sameStorage(seen, s, where, offset);
        }
        String rec = prefix + "data/" + s.key();
        ZipArchiveEntry e = entries.get(rec);
        if (e == null) {
          throw new TorchFileException("missing-storage-record", where + ": storage '" + s.key()
              + "' (BINPERSID at offset " + offset + ") has no record " + rec);
        }
        long want = s.numel() * s.dtype().bytes;
        if (e.getSize() != want) {
          throw new TorchFileException("storage-size-mismatch", path + ": storage '" + s.key() + "' declares "
              + s.numel() + " " + dtypeName(s.dtype()) + " elements (" + want + " bytes) but its record " + rec
              + " holds " + e.getSize() + " bytes");
        }
        regions.put(s.key(), region(zip, e, path, fileSize));
        storages.put(s.key(), s);
        return s;
      };
      Pickle.Mode mode = format == Format.TORCHSCRIPT ? Pickle.Mode.TORCHSCRIPT : Pickle.Mode.STATE_DICT;
      Pickle.Result r = Pickle.load(ByteBuffer.wrap(pickle), 0, where, mode, loader);
      if (r.end() != pickle.length) {
        throw new TorchFileException("bad-pickle", where + ": " + (pickle.length - r.end())
            + " bytes follow the STOP opcode at offset " + (r.end() - 1));
      }
      Map<String, Tensor> tensors = tensorsOf(path, r.value(), where);
      return new TorchFile(path, format, ch, tensors, regions);
    }
  }

  private static byte[] bytes(ZipFile zip, ZipArchiveEntry e, Path path, long max) {
    if (e.getSize() > max || e.getSize() < 0) {
      throw new TorchFileException("truncated-zip", path + ": record " + e.getName() + " has an implausible size "
          + e.getSize());
    }
    try (InputStream in = zip.getInputStream(e)) {
      byte[] b = in.readNBytes((int) e.getSize());
      if (b.length != e.getSize()) {
        throw new TorchFileException("truncated-zip", path + ": record " + e.getName() + " is cut short ("
            + b.length + " of " + e.getSize() + " bytes)");
      }
      return b;
    } catch (IOException | RuntimeException ex) {
      if (ex instanceof TorchFileException t) {
        throw t;
      }
      throw new TorchFileException("truncated-zip", path + ": record " + e.getName() + " cannot be read ("
          + ex.getMessage() + ")", ex);
    }
  }

  /** A stored entry's byte range in the file (mapped later), or a deflated entry's bytes. */
  private static Region region(ZipFile zip, ZipArchiveEntry e, Path path, long fileSize) {
    if (e.getMethod() != ZipArchiveEntry.STORED) {
      byte[] b = bytes(zip, e, path, Integer.MAX_VALUE - 16);
      return new Region(0, b.length, b);
    }
    long offset = e.getDataOffset();
    if (offset < 0) {
      try (InputStream in = zip.getRawInputStream(e)) {
        offset = e.getDataOffset(); // resolved from the local header by opening the entry
      } catch (IOException ex) {
        throw new TorchFileException("truncated-zip", path + ": record " + e.getName() + " cannot be read ("
            + ex.getMessage() + ")", ex);
      }
    }
    if (offset < 0 || offset + e.getSize() > fileSize || e.getCompressedSize() != e.getSize()) {
      throw new TorchFileException("truncated-zip", path + ": record " + e.getName() + " (" + e.getSize()
          + " bytes at offset " + offset + ") lies outside the file of " + fileSize + " bytes");
    }
    return new Region(offset, e.getSize(), null);
  }

  // ------------------------------------------------------------------------------ legacy

  private static TorchFile openLegacy(Path path, FileChannel ch) throws IOException {
    long fileSize = ch.size();
    ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(fileSize, Integer.MAX_VALUE))
        .order(ByteOrder.LITTLE_ENDIAN);
    String where = path + " (legacy torch.save)";
    Pickle.Result magic = Pickle.load(buf, 0, where, Pickle.Mode.STATE_DICT, null);
    Object mv = magic.value();
    BigInteger m = mv instanceof BigInteger b ? b : mv instanceof Long l ? BigInteger.valueOf(l) : null;
    if (!LEGACY_MAGIC.equals(m)) {
      throw new TorchFileException("bad-magic", path + ": magic number "
          + (m != null ? "0x" + m.toString(16) : Pickle.describe(mv)) + " != 0x1950a86a20f9469cfc6c: not a legacy "
          + "torch.save stream");
    }
    Pickle.Result proto = Pickle.load(buf, magic.end(), where, Pickle.Mode.STATE_DICT, null);
    if (!Long.valueOf(LEGACY_PROTOCOL).equals(proto.value())) {
      throw new TorchFileException("unsupported-legacy-protocol", path + ": legacy protocol version "
          + Pickle.describe(proto.value()) + ", expected " + LEGACY_PROTOCOL);
    }
    Pickle.Result sys = Pickle.load(buf, proto.end(), where, Pickle.Mode.STATE_DICT, null);
    if (!(sys.value() instanceof Map<?, ?> info) || !Boolean.TRUE.equals(info.get("little_endian"))) {
      throw new TorchFileException("unsupported-byteorder", path + ": sys_info " + Pickle.describe(sys.value())
          + " does not say little_endian = True; only little-endian files are supported");
    }
    Map<String, StorageRef> storages = new LinkedHashMap<>();
    Pickle.Result main = Pickle.load(buf, sys.end(), where, Pickle.Mode.STATE_DICT, (pid, offset) -> {
      StorageRef s = storageOf(pid, 6, where, offset);
      if (pid.get(5) != null) {
        throw new TorchFileException("unsupported-legacy-view", where + ": storage '" + s.key()
            + "' at offset " + offset + " is a view " + Pickle.describe(pid.get(5))
            + " of another storage (pre-1.0 files); not supported");
      }
      StorageRef seen = storages.get(s.key());
      if (seen != null) {
        return sameStorage(seen, s, where, offset);
      }
      storages.put(s.key(), s);
      return s;
    });
    Pickle.Result keys = Pickle.load(buf, main.end(), where, Pickle.Mode.STATE_DICT, null);
    if (!(keys.value() instanceof List<?> list) || !sameKeys(list, storages.keySet())) {
      throw new TorchFileException("bad-legacy-layout", path + ": the storage key list "
          + Pickle.describe(keys.value()) + " does not match the " + storages.size() + " storages the object uses");
    }
    Map<String, Region> regions = new HashMap<>();
    long pos = keys.end();
    ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    for (Object k : list) {
      StorageRef s = storages.get((String) k);
      if (pos + 8 > fileSize) {
        throw new TorchFileException("truncated-legacy", path + ": ends at byte " + fileSize + " before storage '"
            + k + "'");
      }
      count.clear();
      while (count.hasRemaining() && ch.read(count, pos + count.position()) > 0) {
        // fill
      }
      long n = count.getLong(0);
      if (n != s.numel()) {
        throw new TorchFileException("bad-legacy-layout", path + ": storage '" + k + "' declares " + s.numel()
            + " elements in the pickle but " + n + " at byte " + pos);
      }
      long bytes = n * s.dtype().bytes;
      if (pos + 8 + bytes > fileSize) {
        throw new TorchFileException("truncated-legacy", path + ": storage '" + k + "' needs " + bytes
            + " bytes from byte " + (pos + 8) + " but the file has " + fileSize + " bytes");
      }
      regions.put(s.key(), new Region(pos + 8, bytes, null));
      pos += 8 + bytes;
    }
    if (pos != fileSize) {
      throw new TorchFileException("bad-legacy-layout", path + ": " + (fileSize - pos)
          + " bytes follow the last storage");
    }
    return new TorchFile(path, Format.LEGACY, ch, tensorsOf(path, main.value(), where), regions);
  }

  private static boolean sameKeys(List<?> list, Set<String> keys) {
    Set<Object> seen = new HashSet<>(list);
    return seen.size() == list.size() && seen.equals(new HashSet<Object>(keys));
  }

  // ------------------------------------------------------------------------------ storages and names

  /** A persistent id {@code ('storage', torch.<T>Storage, key, location, numel[, view])}. */
  private static StorageRef storageOf(Tuple pid, int arity, String where, int offset) {
    String at = where + ": BINPERSID at offset " + offset + ": persistent id " + Pickle.describe(pid);
    if (pid.size() != arity) {
      throw new TorchFileException("bad-persistent-id", at + " has " + pid.size() + " elements, expected " + arity);
    }
    if (!(pid.get(1) instanceof Pickle.Global g) || !g.module().equals("torch")
        || !Pickle.STORAGES.containsKey(g.name())) {
      throw new TorchFileException("bad-persistent-id", at + ": " + Pickle.describe(pid.get(1))
          + " is not a storage class");
    }
    if (!(pid.get(2) instanceof String key) || !(pid.get(3) instanceof String location)
        || !(pid.get(4) instanceof Long numel) || numel < 0) {
      throw new TorchFileException("bad-persistent-id", at + ": expected (key: str, location: str, numel: int)");
    }
    return new StorageRef(key, Pickle.STORAGES.get(g.name()), numel, location);
  }

  private static StorageRef sameStorage(StorageRef seen, StorageRef s, String where, int offset) {
    if (seen.dtype() != s.dtype() || seen.numel() != s.numel()) {
      throw new TorchFileException("bad-persistent-id", where + ": BINPERSID at offset " + offset + ": storage '"
          + s.key() + "' is declared again with another type or size");
    }
    return seen;
  }

  /** Deepest module or dict nesting accepted (CLIP's is 6); deeper, or a cycle, is refused. */
  static final int MAX_DEPTH = 64;

  private static Map<String, Tensor> tensorsOf(Path path, Object root, String where) {
    Map<String, TensorRef> refs = new LinkedHashMap<>();
    Set<Object> open = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    if (root instanceof TorchObject o) {
      collect(o.state, "", refs, open, where);
    } else if (root instanceof Map<?, ?> m) {
      Object sd = m.get("state_dict");
      collect(sd instanceof Map<?, ?> inner ? inner : m, "", refs, open, where);
    } else {
      throw new TorchFileException("not-a-state-dict", where + ": holds " + Pickle.describe(root)
          + ", not a state dict (a dict of tensors) or a TorchScript module");
    }
    boolean allModule = !refs.isEmpty() && refs.keySet().stream().allMatch(k -> k.startsWith("module."));
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
      String name = allModule ? e.getKey().substring("module.".length()) : e.getKey();
      TensorRef t = e.getValue();
      checkBounds(path, name, t);
      out.put(name, new Tensor(new TensorInfo(name, t.storage().dtype(), t.size().clone(), -1, -1), t));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Tensors under string keys, joined with dots through nested dicts (state dicts) and TorchScript objects (module
   * trees: parameters, buffers and submodules are all attribute slots); other values are skipped.
   */
  private static void collect(Map<?, ?> m, String prefix, Map<String, TensorRef> out, Set<Object> open, String where) {
    if (!open.add(m) || open.size() > MAX_DEPTH) {
      throw new TorchFileException("bad-pickle", where + ": the object nests into itself or deeper than "
          + MAX_DEPTH + " levels (at '" + prefix + "')");
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getKey() instanceof String k)) {
        continue;
      }
      Object v = e.getValue();
      if (v instanceof TensorRef t) {
        out.put(prefix + k, t);
      } else if (v instanceof Map<?, ?> inner) {
        collect(inner, prefix + k + ".", out, open, where);
      } else if (v instanceof TorchObject child) {
        collect(child.state, prefix + k + ".", out, open, where);
      }
    }
    open.remove(m);
  }

  private static void checkBounds(Path path, String name, TensorRef t) {
    long n = t.numel();
    if (n > Integer.MAX_VALUE - 16) {
      throw new TorchFileException("bad-tensor", path + ": " + name + ": " + n + " elements is more than one Java "
          + "array holds");
    }
    if (n == 0) {
      return;
    }
    long last = t.offset();
    for (int i = 0; i < t.size().length; i++) {
      last += (t.size()[i] - 1) * t.stride()[i];
    }
    if (last >= t.storage().numel()) {
      throw new TorchFileException("tensor-out-of-bounds", path + ": " + name + ": view offset " + t.offset()
          + " size " + Arrays.toString(t.size()) + " stride " + Arrays.toString(t.stride()) + " reaches element "
          + last + " of storage '" + t.storage().key() + "' with " + t.storage().numel() + " elements");
    }
  }

  static String dtypeName(DType d) {
    return switch (d) {
      case F32 -> "float32";
      case F16 -> "float16";
      case BF16 -> "bfloat16";
      case F64 -> "float64";
      case I64 -> "int64";
      case I32 -> "int32";
      case I16 -> "int16";
      case I8 -> "int8";
      case U8 -> "uint8";
      case BOOL -> "bool";
    };
  }

  // ------------------------------------------------------------------------------ reading

  @Override
  public Path path() {
    return path;
  }

  public Format format() {
    return format;
  }

  @Override
  public String formatName() {
    return format.label;
  }

  @Override
  public Collection<TensorInfo> tensors() {
    List<TensorInfo> l = new ArrayList<>();
    tensors.values().forEach(t -> l.add(t.info()));
    return l;
  }

  @Override
  public boolean has(String name) {
    return tensors.containsKey(name);
  }

  @Override
  public TensorInfo info(String name) {
    return tensor(name).info();
  }

  private Tensor tensor(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new TorchFileException("missing-tensor", path + ": no tensor '" + name + "' (the file has "
          + tensors.size() + " tensors)");
    }
    return t;
  }

  /** The device tags of the storages ({@code cpu}, {@code cuda:0}, ...), as written; they are not used. */
  public Set<String> storageLocations() {
    Set<String> s = new java.util.TreeSet<>();
    tensors.values().forEach(t -> s.add(t.ref().storage().location()));
    return s;
  }

  /** The storage key and view of a tensor, e.g. for tests of shared storages. */
  public TensorRef view(String name) {
    return tensor(name).ref();
  }

  @Override
  public Map<String, String> metadata() {
    return Map.of();
  }

  /**
   * A storage's bytes, little-endian: a fresh read-only mapping of its region for each read (as {@link
   * dev.cliptune.io.SafeTensors} does), so mapped pages are released with the buffer rather than held until close.
   */
  private ByteBuffer storage(StorageRef s) {
    Region r = regions.get(s.key());
    ByteBuffer b;
    if (r.inflated() != null) {
      b = ByteBuffer.wrap(r.inflated());
    } else if (r.length() == 0) {
      b = ByteBuffer.allocate(0);
    } else {
      if (r.length() > Integer.MAX_VALUE) {
        throw new TorchFileException("bad-tensor", path + ": storage '" + s.key() + "' is over 2 GiB");
      }
      try {
        b = channel.map(FileChannel.MapMode.READ_ONLY, r.position(), r.length());
      } catch (IOException e) {
        throw new TorchFileException("unreadable", path + ": cannot map storage '" + s.key() + "': "
            + e.getMessage(), e);
      }
    }
    return b.order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public float[] floats(String name) {
    Tensor t = tensor(name);
    DType d = t.info().dtype();
    if (!d.isFloating()) {
      throw new TorchFileException("bad-tensor", path + ": tensor '" + name + "' is " + dtypeName(d)
          + ", expected a floating-point dtype");
    }
    TensorRef r = t.ref();
    ByteBuffer b = storage(r.storage());
    float[] out = new float[(int) r.numel()];
    if (r.contiguous() && d == DType.F32) {
      b.position((int) (r.offset() * 4));
      b.asFloatBuffer().get(out);
      return out;
    }
    Elements it = new Elements(r);
    for (int i = 0; i < out.length; i++) {
      int e = it.next();
      out[i] = switch (d) {
        case F32 -> b.getFloat(4 * e);
        case F16 -> Half.toFloat(b.getShort(2 * e));
        case BF16 -> Float.intBitsToFloat((b.getShort(2 * e) & 0xffff) << 16);
        default -> (float) b.getDouble(8 * e);
      };
    }
    return out;
  }

  @Override
  public long[] longs(String name) {
    Tensor t = tensor(name);
    DType d = t.info().dtype();
    if (d.isFloating()) {
      throw new TorchFileException("bad-tensor", path + ": tensor '" + name + "' is " + dtypeName(d)
          + ", expected an integer dtype");
    }
    TensorRef r = t.ref();
    ByteBuffer b = storage(r.storage());
    long[] out = new long[(int) r.numel()];
    Elements it = new Elements(r);
    for (int i = 0; i < out.length; i++) {
      int e = it.next();
      out[i] = switch (d) {
        case I64 -> b.getLong(8 * e);
        case I32 -> b.getInt(4 * e);
        case I16 -> b.getShort(2 * e);
        case I8 -> b.get(e);
        default -> b.get(e) & 0xff;
      };
    }
    return out;
  }

  /** Storage element indices of a view in row-major order (an odometer over size with strides). */
  private static final class Elements {
    private final long[] size;
    private final long[] stride;
    private final long[] idx;
    private long cur;
    private boolean started;

    Elements(TensorRef r) {
      size = r.size();
      stride = r.stride();
      idx = new long[size.length];
      cur = r.offset();
    }

    int next() {
      if (started) {
        for (int d = size.length - 1; d >= 0; d--) {
          if (++idx[d] < size[d]) {
            cur += stride[d];
            break;
          }
          cur -= (size[d] - 1) * stride[d];
          idx[d] = 0;
        }
      }
      started = true;
      return (int) cur;
    }
  }

  @Override
  public void close() {
    close(channel);
  }

  private static void close(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // read-only
    }
  }
}
