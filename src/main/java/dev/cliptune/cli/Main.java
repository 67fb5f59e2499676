package dev.cliptune.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/cliptune}. */
@Command(
    name = "cliptune",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Prompt learning for CLIP on the JVM.",
    subcommands = {CommandLine.HelpCommand.class, ParityCommand.class, BenchCommand.class, ClassifyCommand.class,
        InterpretCommand.class, ProtocolCommands.Train.class, ProtocolCommands.Eval.class,
        ProtocolCommands.ZeroShot.class, ProtocolCommands.LinearProbe.class, ProtocolCommands.Base2New.class,
        ProtocolCommands.XData.class, ProtocolCommands.Dg.class, ProtocolCommands.FewShot.class,
        dev.cliptune.world.WorldCommand.class, PretrainCommand.class, DemoCommand.class,
        ReportCommand.class, PredictCommand.class, ServeCommand.class, ModelsCommand.class,
        DownloadCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
              || e instanceof java.io.UncheckedIOException || e.getClass().getSimpleName().endsWith("Exception")
              && e.getClass().getPackageName().startsWith("dev.cliptune")) {
            cmd.getErr().println("cliptune " + cmd.getCommandName() + ": " + e.getMessage());
            if (System.getenv("CLIPTUNE_DEBUG") != null) {
              e.printStackTrace(cmd.getErr());
            }
            return 1;
          }
          throw e;
        })
        .execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"cliptune " + (v == null ? "dev" : v)};
    }
  }
}
