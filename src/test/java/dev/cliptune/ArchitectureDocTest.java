package dev.cliptune;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/ARCHITECTURE.md's package table lists every main package, and only those. */
class ArchitectureDocTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/cliptune");
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z.]+)` \\|", Pattern.MULTILINE);

  @Test
  void thePackageTableNamesEveryPackage() throws IOException {
    Set<String> packages = new TreeSet<>();
    try (Stream<Path> s = Files.walk(SOURCES)) {
      s.filter(p -> p.toString().endsWith(".java")).map(Path::getParent).distinct().forEach(dir -> {
        String rel = SOURCES.relativize(dir).toString().replace(dir.getFileSystem().getSeparator(), ".");
        packages.add(rel.isEmpty() ? "dev.cliptune" : rel);
      });
    }
    String doc = Files.readString(Path.of("docs/ARCHITECTURE.md"));
    String table = doc.substring(doc.indexOf("| package | what lives there |"));
    table = table.substring(0, table.indexOf("\n\n"));
    Set<String> rows = new TreeSet<>();
    Matcher m = ROW.matcher(table);
    while (m.find()) {
      rows.add(m.group(1));
    }
    assertThat(packages).as("packages under %s", SOURCES).contains("io", "cli", "dev.cliptune");
    assertThat(rows).as("package rows of docs/ARCHITECTURE.md").isEqualTo(packages);
  }
}
