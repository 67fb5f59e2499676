package dev.cliptune.cli;

import dev.cliptune.cli.commands.Base2NewCommand;
import dev.cliptune.cli.commands.BenchCommand;
import dev.cliptune.cli.commands.ClassifyCommand;
import dev.cliptune.cli.commands.DemoCommand;
import dev.cliptune.cli.commands.DgCommand;
import dev.cliptune.cli.commands.DownloadCommand;
import dev.cliptune.cli.commands.EvalCommand;
import dev.cliptune.cli.commands.FewShotCommand;
import dev.cliptune.cli.commands.InterpretCommand;
import dev.cliptune.cli.commands.LinearProbeCommand;
import dev.cliptune.cli.commands.ModelsCommand;
import dev.cliptune.cli.commands.ParityCommand;
import dev.cliptune.cli.commands.PredictCommand;
import dev.cliptune.cli.commands.PretrainCommand;
import dev.cliptune.cli.commands.ReportCommand;
import dev.cliptune.cli.commands.ServeCommand;
import dev.cliptune.cli.commands.TrainCommand;
import dev.cliptune.cli.commands.WorldCommand;
import dev.cliptune.cli.commands.XDataCommand;
import dev.cliptune.cli.commands.ZeroShotCommand;
import dev.cliptune.io.UserException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * Entry point of {@code bin/cliptune}. Each subcommand is one class in {@code cli.commands}, registered by one
 * line of the list below. Errors are mapped here, uniformly: a {@link UserException} (bad file, option or value)
 * and picocli's own parse errors print one line {@code cliptune <command>: <message>} and exit with
 * {@value #USER_ERROR} ({@value #FAILURE} when the message is about a network or a server, not the input:
 * {@link UserException#isInputError()}); any other exception is a bug or an I/O failure and exits with {@value #FAILURE}
 * (the stack trace with {@code CLIPTUNE_DEBUG=1}).
 */
@Command(
    name = "cliptune",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Prompt learning for CLIP on the JVM.",
    subcommands = {
        CommandLine.HelpCommand.class,
        ParityCommand.class,
        BenchCommand.class,
        ClassifyCommand.class,
        InterpretCommand.class,
        TrainCommand.class,
        EvalCommand.class,
        ZeroShotCommand.class,
        LinearProbeCommand.class,
        Base2NewCommand.class,
        XDataCommand.class,
        DgCommand.class,
        FewShotCommand.class,
        WorldCommand.class,
        PretrainCommand.class,
        DemoCommand.class,
        ReportCommand.class,
        PredictCommand.class,
        ServeCommand.class,
        ModelsCommand.class,
        DownloadCommand.class,
    })
public final class Main implements Runnable {
  /** Exit code of a user error (and of picocli's parse errors). */
  public static final int USER_ERROR = 2;
  /** Exit code of any other failure. */
  public static final int FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line {@code args} and returns the exit code. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line: tests set its output and error writers. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((e, cmd, parsed) -> report(cmd, e))
        .setParameterExceptionHandler((e, args) -> {
          String hint = e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
              ? "; did you mean " + String.join(" or ", u.getSuggestions()) + "?" : "";
          printLine(e.getCommandLine(), oneLine(e.getMessage()) + hint + " (see "
              + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
          return USER_ERROR;
        });
  }

  private static int report(CommandLine cmd, Exception e) {
    PrintWriter err = cmd.getErr();
    int code;
    if (e instanceof UserException u) {
      printLine(cmd, oneLine(e.getMessage()));
      code = u.isInputError() ? USER_ERROR : FAILURE;
    } else if (e instanceof UncheckedIOException || e instanceof IOException) {
      printLine(cmd, "I/O error: " + oneLine(e.getMessage()));
      code = FAILURE;
    } else {
      printLine(cmd, "unexpected error (a bug; CLIPTUNE_DEBUG=1 prints the stack trace): " + e);
      code = FAILURE;
    }
    if (System.getenv("CLIPTUNE_DEBUG") != null) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  private static void printLine(CommandLine cmd, String message) {
    System.out.flush();
    cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message);
    cmd.getErr().flush();
  }

  /** The message on one line (line breaks and the indentation after them become one space). */
  static String oneLine(String message) {
    return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", " ");
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
