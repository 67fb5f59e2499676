package dev.cliptune.cli.commands;

import picocli.CommandLine.Option;

/**
 * {@code --resume}: only on the commands that train ({@code train}, {@code base2new}, {@code fewshot},
 * {@code xdata}, {@code dg}); eval, zeroshot and linear-probe have no epochs to continue and do not offer it.
 */
public final class ResumeOption {
  @Option(names = "--resume", description = "continue interrupted runs from their last epoch checkpoint")
  boolean on;
}
