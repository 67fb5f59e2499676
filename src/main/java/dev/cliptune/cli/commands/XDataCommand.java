package dev.cliptune.cli.commands;

import dev.cliptune.protocol.PublishedResults;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code cliptune xdata}: cross-dataset transfer (CoCoOp / MaPLe papers). */
@Command(name = "xdata", mixinStandardHelpOptions = true,
    description = "Cross-dataset transfer: train on the source (all classes), test on the targets.")
public final class XDataCommand extends TransferCommand {
  public XDataCommand() {
    super("Cross-dataset transfer", "xdata", PublishedResults.CROSS_DATASET, List.of("Caltech101", "OxfordPets",
        "StanfordCars", "OxfordFlowers", "Food101", "FGVCAircraft", "SUN397", "DescribableTextures", "EuroSAT",
        "UCF101"));
  }
}
