package dev.cliptune.io;

/** Element types of the safetensors format that cliptune reads. */
public enum DType {
  F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

  public final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  public boolean isFloating() {
    return this == F32 || this == F16 || this == BF16 || this == F64;
  }

  /** Parses the dtype string of a safetensors header, or returns null when unknown. */
  public static DType parse(String s) {
    for (DType d : values()) {
      if (d.name().equals(s)) {
        return d;
      }
    }
    return null;
  }
}
