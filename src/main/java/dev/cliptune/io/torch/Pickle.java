package dev.cliptune.io.torch;

import dev.cliptune.io.DType;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader that only ever builds data: the protocol-2 opcodes of PyTorch's weights-only unpickler
 * ({@code torch/_weights_only_unpickler.py}) and a fixed allow-list of GLOBALs, each mapped to a Java value
 * here; nothing is looked up by name and no code from the file runs. Anything else is refused with a
 * {@link TorchFileException} naming the record, the opcode or GLOBAL and its offset.
 *
 * <p>Values: {@code null}, {@link Boolean}, {@link Long} (or {@link BigInteger} past 64 bits), {@link Double},
 * {@link String}, {@link ArrayList} (lists), {@link Tuple}, {@link LinkedHashMap} (dicts, insertion order
 * kept), {@link OrderedDict}, {@link LinkedHashSet}, {@link Global} (an allowed class or function, inert),
 * {@link TorchObject} (a TorchScript module: its class name and attribute dict), {@link StorageRef} (what the
 * container's persistent loader returned) and {@link TensorRef} ({@code _rebuild_tensor_v2}'s arguments).
 *
 * <p>Written by hand because no Java pickle library both refuses unknown GLOBALs and keeps dict order
 * (Pyrolite maps unknown classes to a generic object and collects dicts into a {@code HashMap}).
 */
public final class Pickle {

  /** Which allow-list applies: torch.save files, or a TorchScript {@code data.pkl} (adds {@code __torch__.*}). */
  public enum Mode { STATE_DICT, TORCHSCRIPT }

  /** An allowed GLOBAL: never resolved, only compared by name. */
  public record Global(String module, String name) {
    public String qualified() {
      return module + "." + name;
    }
  }

  /** A Python tuple. */
  public record Tuple(List<Object> items) {
    public int size() {
      return items.size();
    }

    public Object get(int i) {
      return items.get(i);
    }
  }

  /** {@code collections.OrderedDict}: like a dict, and the only dict that accepts BUILD (its state is dropped). */
  public static final class OrderedDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;
  }

  /** An object of a TorchScript class ({@code __torch__.*}): its qualified class name and attribute dict. */
  public static final class TorchObject {
    public final String className;
    public final Map<Object, Object> state = new LinkedHashMap<>();

    TorchObject(String className) {
      this.className = className;
    }

    @Override
    public String toString() {
      return className + state.keySet();
    }
  }

  /** A storage as the persistent id names it: key, element type, element count, device tag. */
  public record StorageRef(String key, DType dtype, long numel, String location) {}

  /** A tensor view of a storage ({@code _rebuild_tensor_v2}): offset, size and stride in elements. */
  public record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    public long numel() {
      long n = 1;
      for (long d : size) {
        n *= d;
      }
      return n;
    }

    public boolean contiguous() {
      long expect = 1;
      for (int i = size.length - 1; i >= 0; i--) {
        if (size[i] != 1 && stride[i] != expect) {
          return false;
        }
        expect *= size[i];
      }
      return true;
    }
  }

  /** Turns a {@code BINPERSID} id into a value (a {@link StorageRef}); throws to refuse it. */
  public interface PersistentLoader {
    Object load(Tuple pid, int offset);
  }

  /** The unpickled object and the offset just past its STOP. */
  public record Result(Object value, int end) {}

  /** The storage classes of {@code torch/storage.py} and their element types. */
  static final Map<String, DType> STORAGES = Map.of(
      "FloatStorage", DType.F32, "HalfStorage", DType.F16, "BFloat16Storage", DType.BF16,
      "DoubleStorage", DType.F64, "LongStorage", DType.I64, "IntStorage", DType.I32,
      "ShortStorage", DType.I16, "CharStorage", DType.I8, "ByteStorage", DType.U8, "BoolStorage", DType.BOOL);

  private static final Set<String> FUNCTIONS = Set.of(
      "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter", "collections.OrderedDict",
      "torch.Size", "torch.device");

  private static final Set<String> JIT_FUNCTIONS = Set.of(
      "torch.jit._pickle.restore_type_tag", "torch.jit._pickle.build_intlist",
      "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_doublelist",
      "torch.jit._pickle.build_boollist");

  private static final Object MARK = new Object() {
    @Override
    public String toString() {
      return "MARK";
    }
  };

  private final ByteBuffer buf;
  private final int limit;
  private final String where;
  private final Mode mode;
  private final PersistentLoader persistent;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private int pos;
  private int opAt;

  private Pickle(ByteBuffer buf, int start, int limit, String where, Mode mode, PersistentLoader persistent) {
    this.buf = buf;
    this.pos = start;
    this.limit = limit;
    this.where = where;
    this.mode = mode;
    this.persistent = persistent;
  }

  /**
   * Reads one pickle from {@code buf} starting at {@code start} (absolute positions, up to the buffer's limit).
   *
   * @param where the file and record for messages, e.g. {@code "x.bin: archive/data.pkl"}
   */
  public static Result load(ByteBuffer buf, int start, String where, Mode mode, PersistentLoader persistent) {
    Pickle p = new Pickle(buf, start, buf.limit(), where, mode, persistent);
    Object v = p.run();
    return new Result(v, p.pos);
  }

  private Object run() {
    while (true) {
      if (pos >= limit) {
        throw refuse("truncated-pickle", "ends at offset " + pos + " without a STOP opcode");
      }
      opAt = pos;
      int op = buf.get(pos++) & 0xff;
      switch (op) {
        case 0x80 -> { // PROTO
          int v = u8();
          if (v > 5) {
            throw refuse("bad-pickle", "unsupported pickle protocol " + v + " at offset " + opAt);
          }
        }
        case 0x2e -> { // STOP
          Object v = pop();
          return v;
        }
        case 0x28 -> { // MARK
          marks.add(stack.size());
          stack.add(MARK);
        }
        case 0x63 -> global(); // GLOBAL
        case 0x52 -> reduce(); // REDUCE
        case 0x81 -> newObj(); // NEWOBJ
        case 0x62 -> build(); // BUILD
        case 0x51 -> { // BINPERSID
          Object pid = pop();
          if (!(pid instanceof Tuple t) || t.size() < 1 || !"storage".equals(t.get(0))) {
            throw refuse("bad-persistent-id", "BINPERSID at offset " + opAt + ": persistent id " + describe(pid)
                + " is not a ('storage', ...) tuple");
          }
          if (persistent == null) {
            throw refuse("bad-persistent-id", "BINPERSID at offset " + opAt + ": no storages expected here");
          }
          stack.add(persistent.load(t, opAt));
        }
        case 0x71 -> memo.put((long) u8(), peek()); // BINPUT
        case 0x72 -> memo.put(u32(), peek()); // LONG_BINPUT
        case 0x68 -> stack.add(memoGet(u8())); // BINGET
        case 0x6a -> stack.add(memoGet(u32())); // LONG_BINGET
        case 0x7d -> stack.add(new LinkedHashMap<Object, Object>()); // EMPTY_DICT
        case 0x5d -> stack.add(new ArrayList<Object>()); // EMPTY_LIST
        case 0x29 -> stack.add(new Tuple(List.of())); // EMPTY_TUPLE
        case 0x8f -> stack.add(new LinkedHashSet<Object>()); // EMPTY_SET
        case 0x73 -> { // SETITEM
          Object v = pop();
          Object k = pop();
          dictOnTop("SETITEM").put(k, v);
        }
        case 0x75 -> { // SETITEMS
          List<Object> items = popMark();
          if (items.size() % 2 != 0) {
            throw refuse("bad-pickle", "SETITEMS at offset " + opAt + " with an odd number of items");
          }
          Map<Object, Object> d = dictOnTop("SETITEMS");
          for (int i = 0; i < items.size(); i += 2) {
            d.put(items.get(i), items.get(i + 1));
          }
        }
        case 0x61 -> { // APPEND
          Object v = pop();
          listOnTop("APPEND").add(v);
        }
        case 0x65 -> { // APPENDS
          List<Object> items = popMark();
          listOnTop("APPENDS").addAll(items);
        }
        case 0x74 -> stack.add(new Tuple(popMark())); // TUPLE
        case 0x85 -> stack.add(tupleOf(1)); // TUPLE1
        case 0x86 -> stack.add(tupleOf(2)); // TUPLE2
        case 0x87 -> stack.add(tupleOf(3)); // TUPLE3
        case 0x4e -> stack.add(null); // NONE
        case 0x88 -> stack.add(Boolean.TRUE); // NEWTRUE
        case 0x89 -> stack.add(Boolean.FALSE); // NEWFALSE
        case 0x4a -> { // BININT
          stack.add((long) (int) u32());
        }
        case 0x4b -> stack.add((long) u8()); // BININT1
        case 0x4d -> { // BININT2
          need(2);
          stack.add((long) ((buf.get(pos) & 0xff) | (buf.get(pos + 1) & 0xff) << 8));
          pos += 2;
        }
        case 0x8a -> stack.add(long1()); // LONG1
        case 0x47 -> { // BINFLOAT (big-endian)
          need(8);
          long bits = 0;
          for (int i = 0; i < 8; i++) {
            bits = bits << 8 | (buf.get(pos + i) & 0xff);
          }
          pos += 8;
          stack.add(Double.longBitsToDouble(bits));
        }
        case 0x58 -> { // BINUNICODE
          long n = u32();
          stack.add(utf8(n));
        }
        case 0x55 -> { // SHORT_BINSTRING (Python 2 str)
          int n = u8();
          need(n);
          byte[] b = new byte[n];
          buf.get(pos, b);
          pos += n;
          stack.add(new String(b, StandardCharsets.ISO_8859_1));
        }
        default -> throw refuse("disallowed-opcode", "opcode " + opcodeName(op) + " (0x"
            + String.format("%02x", op) + ") at offset " + opAt + " is not in the allow-list");
      }
    }
  }

  // ------------------------------------------------------------------------------ opcodes with objects

  private void global() {
    String module = line();
    String name = line();
    String q = module + "." + name;
    boolean ok = FUNCTIONS.contains(q)
        || (module.equals("torch") && STORAGES.containsKey(name))
        || (mode == Mode.TORCHSCRIPT && (JIT_FUNCTIONS.contains(q) || module.equals("__torch__")
            || module.startsWith("__torch__.")));
    if (!ok) {
      throw refuse("disallowed-global", "GLOBAL " + q + " at offset " + opAt + " is not in the allow-list");
    }
    stack.add(new Global(module, name));
  }

  private void reduce() {
    Object args = pop();
    Object f = pop();
    if (!(f instanceof Global g) || !(args instanceof Tuple a)) {
      throw refuse("disallowed-call", "REDUCE at offset " + opAt + " calls " + describe(f) + ", which is not an "
          + "allowed function");
    }
    String q = g.qualified();
    Object result = switch (q) {
      case "collections.OrderedDict" -> orderedDict(a);
      case "torch._utils._rebuild_tensor_v2" -> rebuildTensor(a);
      case "torch._utils._rebuild_parameter" -> {
        if (a.size() < 1 || !(a.get(0) instanceof TensorRef t)) {
          throw refuse("bad-tensor", "_rebuild_parameter at offset " + opAt + " without a tensor argument");
        }
        yield t;
      }
      case "torch.Size" -> a.size() == 1 && a.get(0) instanceof Tuple t ? t : badCall(q, a);
      case "torch.device" -> a.size() >= 1 && a.get(0) instanceof String s ? s : badCall(q, a);
      case "torch.jit._pickle.restore_type_tag" -> a.size() >= 1 ? a.get(0) : badCall(q, a);
      case "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_tensorlist",
          "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist" ->
          a.size() == 1 && a.get(0) instanceof List<?> l ? l : badCall(q, a);
      default -> throw refuse("disallowed-call", "REDUCE at offset " + opAt + " calls " + q
          + ", which is a class, not an allowed function");
    };
    stack.add(result);
  }

  private Object badCall(String q, Tuple a) {
    throw refuse("disallowed-call", "REDUCE at offset " + opAt + ": " + q + " called with " + describe(a));
  }

  private OrderedDict orderedDict(Tuple a) {
    OrderedDict d = new OrderedDict();
    if (a.size() == 0) {
      return d;
    }
    if (a.size() == 1 && a.get(0) instanceof List<?> pairs) {
      for (Object p : pairs) {
        if (!(p instanceof Tuple t) || t.size() != 2) {
          throw refuse("disallowed-call", "REDUCE at offset " + opAt + ": OrderedDict item " + describe(p)
              + " is not a (key, value) tuple");
        }
        d.put(t.get(0), t.get(1));
      }
      return d;
    }
    return (OrderedDict) badCall("collections.OrderedDict", a);
  }

  private TensorRef rebuildTensor(Tuple a) {
    String at = "_rebuild_tensor_v2 at offset " + opAt;
    if (a.size() < 6 || a.size() > 7) {
      throw refuse("bad-tensor", at + " has " + a.size() + " arguments, expected 6 or 7");
    }
    if (!(a.get(0) instanceof StorageRef s)) {
      throw refuse("bad-tensor", at + ": first argument " + describe(a.get(0)) + " is not a storage");
    }
    if (!(a.get(1) instanceof Long offset) || offset < 0) {
      throw refuse("bad-tensor", at + ": storage offset " + describe(a.get(1)) + " is not a non-negative integer");
    }
    long[] size = longs(a.get(2), at + ": size");
    long[] stride = longs(a.get(3), at + ": stride");
    if (size.length != stride.length) {
      throw refuse("bad-tensor", at + ": size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride)
          + " differ in rank");
    }
    for (int i = 0; i < size.length; i++) {
      if (size[i] < 0 || stride[i] < 0) {
        throw refuse("bad-tensor", at + ": negative size or stride " + Arrays.toString(size) + " / "
            + Arrays.toString(stride));
      }
    }
    return new TensorRef(s, offset, size, stride);
  }

  private long[] longs(Object o, String what) {
    if (!(o instanceof Tuple t)) {
      throw refuse("bad-tensor", what + " " + describe(o) + " is not a tuple");
    }
    long[] out = new long[t.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(t.get(i) instanceof Long l)) {
        throw refuse("bad-tensor", what + " " + describe(o) + " holds a non-integer");
      }
      out[i] = l;
    }
    return out;
  }

  private void newObj() {
    Object args = pop();
    Object cls = pop();
    if (mode == Mode.TORCHSCRIPT && cls instanceof Global g && g.module().startsWith("__torch__")
        && args instanceof Tuple t && t.size() == 0) {
      stack.add(new TorchObject(g.qualified()));
      return;
    }
    throw refuse("disallowed-call", "NEWOBJ at offset " + opAt + " on " + describe(cls)
        + " (only TorchScript classes __torch__.* without arguments are allowed)");
  }

  private void build() {
    Object state = pop();
    Object inst = peek();
    if (inst instanceof OrderedDict) {
      return; // a state dict's _metadata: dropped
    }
    if (inst instanceof TorchObject o && state instanceof Map<?, ?> m) {
      o.state.putAll(m);
      return;
    }
    throw refuse("disallowed-call", "BUILD at offset " + opAt + " on " + describe(inst)
        + " (only an OrderedDict or a TorchScript object with an attribute dict is allowed)");
  }

  // ------------------------------------------------------------------------------ helpers

  private Object pop() {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw refuse("bad-pickle", "stack underflow at offset " + opAt);
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw refuse("bad-pickle", "stack underflow at offset " + opAt);
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) {
      throw refuse("bad-pickle", "no MARK before the opcode at offset " + opAt);
    }
    int m = marks.remove(marks.size() - 1);
    List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
    stack.subList(m, stack.size()).clear();
    return items;
  }

  private Tuple tupleOf(int n) {
    if (stack.size() - lastMarkOrBottom() < n) {
      throw refuse("bad-pickle", "stack underflow at offset " + opAt);
    }
    List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
    stack.subList(stack.size() - n, stack.size()).clear();
    return new Tuple(items);
  }

  private int lastMarkOrBottom() {
    return marks.isEmpty() ? 0 : marks.get(marks.size() - 1) + 1;
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> dictOnTop(String op) {
    Object d = peek();
    if (d instanceof Map<?, ?> m) {
      return (Map<Object, Object>) m;
    }
    throw refuse("disallowed-call", op + " at offset " + opAt + " on " + describe(d) + ", which is not a dict");
  }

  @SuppressWarnings("unchecked")
  private List<Object> listOnTop(String op) {
    Object l = peek();
    if (l instanceof ArrayList<?> a) {
      return (List<Object>) a;
    }
    throw refuse("disallowed-call", op + " at offset " + opAt + " on " + describe(l) + ", which is not a list");
  }

  private Object memoGet(long i) {
    if (!memo.containsKey(i)) {
      throw refuse("bad-pickle", "BINGET at offset " + opAt + " of memo " + i + ", which was never stored");
    }
    return memo.get(i);
  }

  private void need(long n) {
    if (n > limit - pos) {
      throw refuse("truncated-pickle", "the opcode at offset " + opAt + " needs " + n + " bytes but only "
          + (limit - pos) + " remain");
    }
  }

  private int u8() {
    need(1);
    return buf.get(pos++) & 0xff;
  }

  private long u32() {
    need(4);
    long v = 0;
    for (int i = 3; i >= 0; i--) {
      v = v << 8 | (buf.get(pos + i) & 0xff);
    }
    pos += 4;
    return v;
  }

  private Object long1() {
    int n = u8();
    need(n);
    if (n == 0) {
      return 0L;
    }
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) {
      be[n - 1 - i] = buf.get(pos + i);
    }
    pos += n;
    BigInteger v = new BigInteger(be);
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private String utf8(long n) {
    need(n);
    byte[] b = new byte[(int) n];
    buf.get(pos, b);
    pos += (int) n;
    try {
      CharBuffer c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
      return c.toString();
    } catch (CharacterCodingException e) {
      throw refuse("bad-pickle", "BINUNICODE at offset " + opAt + " is not valid UTF-8");
    }
  }

  /** A GLOBAL argument: printable ASCII up to a newline (at most 256 bytes). */
  private String line() {
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= limit) {
        throw refuse("truncated-pickle", "GLOBAL at offset " + opAt + " ends without a newline");
      }
      int c = buf.get(pos++) & 0xff;
      if (c == '\n') {
        return sb.toString();
      }
      if (c < 0x20 || c > 0x7e || sb.length() > 256) {
        throw refuse("bad-pickle", "GLOBAL at offset " + opAt + " has a malformed name");
      }
      sb.append((char) c);
    }
  }

  private TorchFileException refuse(String code, String what) {
    return new TorchFileException(code, where + ": " + what);
  }

  static String describe(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof Global g) {
      return g.qualified();
    }
    if (o instanceof String s) {
      return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
    }
    if (o instanceof Tuple t) {
      StringBuilder sb = new StringBuilder("(");
      for (int i = 0; i < Math.min(6, t.size()); i++) {
        sb.append(i > 0 ? ", " : "").append(describe(t.get(i)));
      }
      return sb.append(t.size() > 6 ? ", ...)" : t.size() == 1 ? ",)" : ")").toString();
    }
    if (o instanceof Long || o instanceof Boolean || o instanceof Double || o instanceof BigInteger) {
      return o.toString();
    }
    if (o instanceof TorchObject t) {
      return "an object of " + t.className;
    }
    if (o instanceof StorageRef s) {
      return "storage '" + s.key() + "'";
    }
    if (o instanceof TensorRef) {
      return "a tensor";
    }
    return "a " + (o instanceof OrderedDict ? "OrderedDict" : o instanceof Map ? "dict" : o instanceof List ? "list"
        : o instanceof Set ? "set" : o.getClass().getSimpleName());
  }

  /** The pickletools name of an opcode. */
  static String opcodeName(int op) {
    String n = switch (op) {
      case 0x28 -> "MARK"; case 0x2e -> "STOP"; case 0x30 -> "POP"; case 0x31 -> "POP_MARK"; case 0x32 -> "DUP";
      case 0x46 -> "FLOAT"; case 0x49 -> "INT"; case 0x4a -> "BININT"; case 0x4b -> "BININT1"; case 0x4c -> "LONG";
      case 0x4d -> "BININT2"; case 0x4e -> "NONE"; case 0x50 -> "PERSID"; case 0x51 -> "BINPERSID";
      case 0x52 -> "REDUCE"; case 0x53 -> "STRING"; case 0x54 -> "BINSTRING"; case 0x55 -> "SHORT_BINSTRING";
      case 0x56 -> "UNICODE"; case 0x58 -> "BINUNICODE"; case 0x61 -> "APPEND"; case 0x62 -> "BUILD";
      case 0x63 -> "GLOBAL"; case 0x64 -> "DICT"; case 0x7d -> "EMPTY_DICT"; case 0x65 -> "APPENDS";
      case 0x67 -> "GET"; case 0x68 -> "BINGET"; case 0x69 -> "INST"; case 0x6a -> "LONG_BINGET";
      case 0x6c -> "LIST"; case 0x5d -> "EMPTY_LIST"; case 0x6f -> "OBJ"; case 0x70 -> "PUT"; case 0x71 -> "BINPUT";
      case 0x72 -> "LONG_BINPUT"; case 0x73 -> "SETITEM"; case 0x74 -> "TUPLE"; case 0x29 -> "EMPTY_TUPLE";
      case 0x75 -> "SETITEMS"; case 0x47 -> "BINFLOAT"; case 0x80 -> "PROTO"; case 0x81 -> "NEWOBJ";
      case 0x82 -> "EXT1"; case 0x83 -> "EXT2"; case 0x84 -> "EXT4"; case 0x85 -> "TUPLE1"; case 0x86 -> "TUPLE2";
      case 0x87 -> "TUPLE3"; case 0x88 -> "NEWTRUE"; case 0x89 -> "NEWFALSE"; case 0x8a -> "LONG1";
      case 0x8b -> "LONG4"; case 0x42 -> "BINBYTES"; case 0x43 -> "SHORT_BINBYTES"; case 0x8c -> "SHORT_BINUNICODE";
      case 0x8d -> "BINUNICODE8"; case 0x8e -> "BINBYTES8"; case 0x8f -> "EMPTY_SET"; case 0x90 -> "ADDITEMS";
      case 0x91 -> "FROZENSET"; case 0x92 -> "NEWOBJ_EX"; case 0x93 -> "STACK_GLOBAL"; case 0x94 -> "MEMOIZE";
      case 0x95 -> "FRAME"; case 0x96 -> "BYTEARRAY8"; case 0x97 -> "NEXT_BUFFER"; case 0x98 -> "READONLY_BUFFER";
      default -> null;
    };
    return n != null ? n : "unknown";
  }
}
