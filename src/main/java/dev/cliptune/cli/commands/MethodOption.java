package dev.cliptune.cli.commands;

import dev.cliptune.prompt.Method;
import picocli.CommandLine.Option;

/** {@code --method}: for the commands that learn prompts with a method of the user's choice. */
public final class MethodOption {
  @Option(names = "--method", defaultValue = "CoOp", paramLabel = "NAME",
      description = "CoOp, CoCoOp, MIP, MaPLe, MaPLeShared, IVLP, VPT, PromptSRC, KgCoOp or ZeroshotCLIP")
  String name;

  /** The parsed method; a user error for an unknown name. */
  public Method method() {
    try {
      return Method.parse(name);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
  }
}
