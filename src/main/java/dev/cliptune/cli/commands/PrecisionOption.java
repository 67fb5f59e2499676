package dev.cliptune.cli.commands;

import dev.cliptune.clip.Precision;
import picocli.CommandLine.Option;

/** {@code --precision fp32|bf16}: the frozen encoders' number format in the inference commands (a mixin). */
public final class PrecisionOption {
  @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|bf16", converter = Converter.class,
      description = {"number format of the frozen encoders (default ${DEFAULT-VALUE}); bf16 runs the transformer",
          "blocks in bfloat16 (needs a CPU with avx512_bf16; logits stay float32; docs/BENCHMARKS.md)"})
  Precision precision;

  /** The precision given, checked against this CPU (a user error for bf16 without avx512_bf16). */
  public Precision precision() {
    return precision.requireSupported();
  }

  /** picocli's converter: {@link Precision#parse}. */
  static final class Converter implements picocli.CommandLine.ITypeConverter<Precision> {
    @Override
    public Precision convert(String value) {
      return Precision.parse(value);
    }
  }
}
