package dev.cliptune;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package map over the compiled main classes (ArchUnit reads the bytecode, so every kind of reference
 * counts: imports, fully qualified names, signatures, constants). No two packages depend on each other, even
 * through others, and the main line points one way: io ← clip ← prompt ← train ← protocol ← cli.
 */
class ArchitectureTest {
  /** The main line, lowest first; each package includes its sub-packages (clip.weights, prompt.checkpoint, ...). */
  private static final List<String> LAYERS = List.of("io", "clip", "prompt", "train", "protocol", "cli");

  private static JavaClasses main;

  /** The main classes only: the directory (or jar) that holds {@link Clip}, whatever the build directory is. */
  @BeforeAll
  static void importMainClasses() throws URISyntaxException {
    Path location = Path.of(Clip.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    main = new ClassFileImporter().importPath(location);
    assertThat(main.containPackage("dev.cliptune.train")).as("main classes imported from " + location).isTrue();
  }

  @Test
  void noPackageCycles() {
    slices().matching("dev.cliptune.(**)").namingSlices("$1").should().beFreeOfCycles().check(main);
  }

  @Test
  void theMainLinePointsOneWay() {
    for (int i = 0; i < LAYERS.size() - 1; i++) {
      String[] above = LAYERS.subList(i + 1, LAYERS.size()).stream().map(p -> "dev.cliptune." + p + "..")
          .toArray(String[]::new);
      noClasses().that().resideInAPackage("dev.cliptune." + LAYERS.get(i) + "..")
          .should().dependOnClassesThat().resideInAnyPackage(above)
          .because(LAYERS.get(i) + " sits below " + Arrays.toString(above) + " on the main line")
          .check(main);
    }
  }
}
