package dev.cliptune.cli.commands;

import dev.cliptune.report.Report;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cliptune report RUNDIR...}: (re)builds report.html from saved run folders, several side by side. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Builds report.html from saved run folders: a protocol's or the demo's --output folder, or one",
        "run folder. With several folders their methods share the charts, labelled by folder. The page is",
        "self-contained (inline SVG charts, no network). Writes RUNDIR/report.html for one folder, else --out."})
public final class ReportCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "RUNDIR", description = "run folders or protocol output folders")
  List<Path> dirs;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE",
      description = "where to write the page (default: RUNDIR/report.html for one folder, report.html for several)")
  Path out;

  @Option(names = "--title", paramLabel = "TEXT",
      description = "the page's title (default: the title of the page being rebuilt, else \"cliptune report\")")
  String title;

  @Option(names = "--intro", paramLabel = "TEXT", description = "a paragraph under the title (default: as --title)")
  String intro;

  @Override
  public Integer call() {
    Path file = out != null ? out : dirs.size() == 1 ? dirs.get(0).resolve(Report.FILE) : Path.of(Report.FILE);
    Report r = Report.of(dirs).titleOf(file);
    if (title != null) {
      r.title(title);
    }
    if (intro != null) {
      r.intro(intro);
    }
    System.out.println("wrote " + r.write(file));
    return 0;
  }
}
