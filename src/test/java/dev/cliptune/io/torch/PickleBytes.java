package dev.cliptune.io.torch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-assembled pickles for tests: opcode by opcode, as pickletools would disassemble them. */
final class PickleBytes {
  private final ByteArrayOutputStream b = new ByteArrayOutputStream();

  static PickleBytes proto2() {
    return new PickleBytes().op(0x80, 2);
  }

  PickleBytes op(int... bytes) {
    for (int x : bytes) {
      b.write(x);
    }
    return this;
  }

  PickleBytes global(String module, String name) {
    op('c');
    raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    return this;
  }

  PickleBytes unicode(String s) {
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    op('X');
    u32(u.length);
    raw(u);
    return this;
  }

  PickleBytes binint(int v) {
    op('J');
    u32(v);
    return this;
  }

  PickleBytes binint1(int v) {
    return op('K', v);
  }

  PickleBytes u32(long v) {
    for (int i = 0; i < 4; i++) {
      b.write((int) (v >>> (8 * i)) & 0xff);
    }
    return this;
  }

  PickleBytes raw(byte[] bytes) {
    b.write(bytes, 0, bytes.length);
    return this;
  }

  /** {@code OrderedDict()} via GLOBAL + EMPTY_TUPLE + REDUCE. */
  PickleBytes orderedDict() {
    return global("collections", "OrderedDict").op(')', 'R');
  }

  /**
   * {@code _rebuild_tensor_v2(storage('key', FloatStorage-like, numel), offset, size, stride, False, OrderedDict())}
   * for a 1-D or 2-D tensor.
   */
  PickleBytes tensor(String storageClass, String key, int numel, int offset, int[] size, int[] stride) {
    global("torch._utils", "_rebuild_tensor_v2");
    op('(');
    op('(').unicode("storage").global("torch", storageClass).unicode(key).unicode("cpu").binint(numel).op('t', 'Q');
    binint(offset);
    op('(');
    for (int s : size) {
      binint(s);
    }
    op('t', '(');
    for (int s : stride) {
      binint(s);
    }
    op('t', 0x89);
    orderedDict();
    return op('t', 'R');
  }

  byte[] bytes() {
    return b.toByteArray();
  }

  int size() {
    return b.size();
  }
}
