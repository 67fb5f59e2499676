package dev.cliptune.cli.commands;

import dev.cliptune.protocol.PublishedResults;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code cliptune dg}: domain generalisation (ImageNet to its shifted versions). */
@Command(name = "dg", mixinStandardHelpOptions = true,
    description = "Domain generalisation: train on the source, test on its shifted versions.")
public final class DgCommand extends TransferCommand {
  public DgCommand() {
    super("Domain generalisation", "dg", PublishedResults.DOMAIN_GENERALISATION,
        List.of("ImageNetV2", "ImageNetSketch", "ImageNetA", "ImageNetR"));
  }
}
