package dev.cliptune.io.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.io.DType;
import dev.cliptune.io.torch.Pickle.Mode;
import dev.cliptune.io.torch.Pickle.OrderedDict;
import dev.cliptune.io.torch.Pickle.StorageRef;
import dev.cliptune.io.torch.Pickle.TensorRef;
import dev.cliptune.io.torch.Pickle.TorchObject;
import dev.cliptune.io.torch.Pickle.Tuple;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** The allow-listed unpickler on hand-assembled pickles: every opcode family it reads, and what it refuses. */
class PickleTest {
  private static final Pickle.PersistentLoader STORAGES = (pid, offset) ->
      new StorageRef((String) pid.get(2), Pickle.STORAGES.get(((Pickle.Global) pid.get(1)).name()), (Long) pid.get(4),
          (String) pid.get(3));

  private static Object load(PickleBytes p, Mode mode) {
    return Pickle.load(ByteBuffer.wrap(p.op('.').bytes()), 0, "t.pkl", mode, STORAGES).value();
  }

  private static Object load(PickleBytes p) {
    return load(p, Mode.STATE_DICT);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> refused(PickleBytes p, Mode mode, String code) {
    return assertThatThrownBy(() -> load(p, mode)).isInstanceOf(TorchFileException.class)
        .matches(e -> ((TorchFileException) e).code().equals(code), "code " + code)
        .hasMessageStartingWith("t.pkl: ");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> refused(PickleBytes p, String code) {
    return refused(p, Mode.STATE_DICT, code);
  }

  @Test
  void scalars() {
    PickleBytes p = PickleBytes.proto2().op('(').binint(-7).binint1(200).op('M', 0x34, 0x12).op(0x8a, 1, 0xff)
        .op(0x8a, 0).op(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19)
        .op('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0).op('N', 0x88, 0x89).unicode("Grüße").op('U', 2, 'h', 'i').op('t');
    Tuple t = (Tuple) load(p);
    assertThat(t.items()).containsExactly(-7L, 200L, 0x1234L, -1L, 0L, new BigInteger("1950a86a20f9469cfc6c", 16),
        1.5, null, true, false, "Grüße", "hi");
  }

  @Test
  void containersKeepOrderAndTheMemoSharesObjects() {
    PickleBytes p = PickleBytes.proto2().op('}', 'q', 0).op('(');
    for (String k : List.of("z", "a", "m", "b")) {
      p.unicode(k).binint1(k.charAt(0));
    }
    p.op('u').unicode("list").op(']', 'r').u32(300).binint1(1).op('a').op('(').binint1(2).binint1(3).op('e', 's');
    p.unicode("again").op('j').u32(300).op('s');
    p.unicode("tuples").op(')').binint1(1).op(0x85).binint1(1).binint1(2).op(0x86).op(0x87, 's');
    p.unicode("set").op(0x8f, 's').unicode("self").op('h', 0, 's');
    @SuppressWarnings("unchecked")
    Map<Object, Object> d = (Map<Object, Object>) load(p);
    assertThat(d.keySet()).containsExactly("z", "a", "m", "b", "list", "again", "tuples", "set", "self");
    assertThat(d.get("list")).isEqualTo(List.of(1L, 2L, 3L)).isSameAs(d.get("again"));
    Tuple tuples = (Tuple) d.get("tuples");
    assertThat(tuples.items()).containsExactly(new Tuple(List.of()), new Tuple(List.of(1L)),
        new Tuple(List.of(1L, 2L)));
    assertThat(d.get("set")).isEqualTo(Set.of());
    assertThat(d.get("self")).isSameAs(d);
  }

  @Test
  void stateDictWithTensorsAndDroppedMetadata() {
    PickleBytes p = PickleBytes.proto2().orderedDict().op('(')
        .unicode("w").tensor("HalfStorage", "0", 12, 2, new int[] {2, 3}, new int[] {1, 2})
        .unicode("p").global("torch._utils", "_rebuild_parameter").op('(')
        .tensor("FloatStorage", "1", 4, 0, new int[] {4}, new int[] {1}).op(0x88).orderedDict().op('t', 'R')
        .op('u').op('}').unicode("_metadata").orderedDict().op('s', 'b');
    OrderedDict d = (OrderedDict) load(p);
    assertThat(d.keySet()).containsExactly("w", "p");
    TensorRef w = (TensorRef) d.get("w");
    assertThat(w.storage()).isEqualTo(new StorageRef("0", DType.F16, 12, "cpu"));
    assertThat(w.offset()).isEqualTo(2);
    assertThat(w.size()).containsExactly(2, 3);
    assertThat(w.stride()).containsExactly(1, 2);
    assertThat(w.contiguous()).isFalse();
    assertThat(((TensorRef) d.get("p")).contiguous()).isTrue();
  }

  @Test
  void torchScriptObjectsOnlyInTorchScriptMode() {
    PickleBytes p = PickleBytes.proto2().global("__torch__.torch.nn.modules.linear.___torch_mangle_3", "Linear")
        .op(')', 0x81, '}', '(').unicode("training").op(0x88)
        .unicode("sizes").global("torch.jit._pickle", "build_intlist").op(']', '(').binint1(4).binint1(8)
        .op('e', 0x85, 'R')
        .unicode("dev").global("torch", "device").unicode("cuda:0").op(0x85, 'R')
        .unicode("tagged").global("torch.jit._pickle", "restore_type_tag").op('}').unicode("Dict[str, int]")
        .op(0x86, 'R').op('u', 'b');
    TorchObject o = (TorchObject) load(p, Mode.TORCHSCRIPT);
    assertThat(o.className).isEqualTo("__torch__.torch.nn.modules.linear.___torch_mangle_3.Linear");
    assertThat(o.state).containsEntry("training", true).containsEntry("sizes", new ArrayList<>(List.of(4L, 8L)))
        .containsEntry("dev", "cuda:0").containsEntry("tagged", Map.of());
    refused(p, Mode.STATE_DICT, "disallowed-global")
        .hasMessageContaining("GLOBAL __torch__.torch.nn.modules.linear.___torch_mangle_3.Linear at offset 2");
  }

  @Test
  void opcodesOutsideTheAllowListAreRefusedWithTheirOffset() {
    int[][] ops = {{'i'}, {'o'}, {0x93}, {0x95}, {'P'}, {0x82}, {'g'}, {'0'}, {0x8c}, {'B'}, {'d'}, {0x94}};
    String[] names = {"INST", "OBJ", "STACK_GLOBAL", "FRAME", "PERSID", "EXT1", "GET", "POP", "SHORT_BINUNICODE",
        "BINBYTES", "DICT", "MEMOIZE"};
    for (int i = 0; i < ops.length; i++) {
      PickleBytes p = PickleBytes.proto2().op('N').op(ops[i]);
      refused(p, "disallowed-opcode").hasMessageContaining("opcode " + names[i] + " (0x"
          + String.format("%02x", ops[i][0]) + ") at offset 3 is not in the allow-list");
    }
  }

  @Test
  void globalsOutsideTheAllowListAreRefused() {
    PickleBytes eval = PickleBytes.proto2().orderedDict().global("builtins", "eval");
    refused(eval, "disallowed-global").hasMessageContaining("GLOBAL builtins.eval at offset 29");
    refused(PickleBytes.proto2().global("posix", "system").unicode("echo").op(0x85, 'R'), "disallowed-global")
        .hasMessageContaining("posix.system at offset 2");
    refused(PickleBytes.proto2().global("torch", "load"), "disallowed-global");
    refused(PickleBytes.proto2().global("torch.jit._pickle", "build_intlist"), "disallowed-global");
  }

  @Test
  void callsOutsideTheAllowListAreRefused() {
    refused(PickleBytes.proto2().global("torch", "FloatStorage").op(')', 'R'), "disallowed-call")
        .hasMessageContaining("REDUCE at offset 23 calls torch.FloatStorage");
    refused(PickleBytes.proto2().unicode("f").op(')', 'R'), "disallowed-call");
    refused(PickleBytes.proto2().global("collections", "OrderedDict").op(')', 0x81), "disallowed-call")
        .hasMessageContaining("NEWOBJ");
    refused(PickleBytes.proto2().op('}', '}', 'b'), "disallowed-call").hasMessageContaining("BUILD");
    refused(PickleBytes.proto2().op(']').binint1(1).binint1(2).op('s'), "disallowed-call")
        .hasMessageContaining("SETITEM");
    refused(PickleBytes.proto2().op('}').binint1(1).op('a'), "disallowed-call").hasMessageContaining("APPEND");
  }

  @Test
  void malformedPicklesAreRefused() {
    refused(PickleBytes.proto2().op('h', 5), "bad-pickle").hasMessageContaining("memo 5");
    refused(PickleBytes.proto2().op('R'), "bad-pickle").hasMessageContaining("stack underflow at offset 2");
    refused(PickleBytes.proto2().binint1(1).op('t'), "bad-pickle").hasMessageContaining("no MARK");
    refused(PickleBytes.proto2().op('X').u32(1000).op('a'), "truncated-pickle").hasMessageContaining("needs 1000");
    refused(PickleBytes.proto2().op('X').u32(2).op(0xc3, 0x28), "bad-pickle").hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> Pickle.load(ByteBuffer.wrap(PickleBytes.proto2().binint1(1).bytes()), 0, "t.pkl",
        Mode.STATE_DICT, STORAGES)).hasMessageContaining("without a STOP");
  }

  @Test
  void persistentIdsAndTensorArgumentsAreChecked() {
    refused(PickleBytes.proto2().unicode("file").unicode("x").op(0x86, 'Q'), "bad-persistent-id")
        .hasMessageContaining("('file', 'x') is not a ('storage', ...) tuple");
    PickleBytes noLoader = PickleBytes.proto2().unicode("storage").op(0x85, 'Q', '.');
    assertThatThrownBy(() -> Pickle.load(ByteBuffer.wrap(noLoader.bytes()), 0, "t.pkl", Mode.STATE_DICT, null))
        .hasMessageContaining("no storages expected");
    refused(PickleBytes.proto2().tensor("FloatStorage", "0", 4, 0, new int[] {2}, new int[] {-1}), "bad-tensor")
        .hasMessageContaining("negative size or stride");
    refused(PickleBytes.proto2().global("torch._utils", "_rebuild_tensor_v2").op(')', 'R'), "bad-tensor")
        .hasMessageContaining("0 arguments, expected 6 or 7");
  }
}
