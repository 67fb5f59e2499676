package dev.cliptune.cli.commands;

import dev.cliptune.protocol.RunConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.ListResourceBundle;

/**
 * The help of {@code --set} for picocli, written from {@link RunConfig#KEYS} (a resource bundle is how picocli
 * takes a description computed at run time): one line per key with its type and what it does.
 */
public final class SetKeysHelp extends ListResourceBundle {
  @Override
  protected Object[][] getContents() {
    List<String> lines = new ArrayList<>();
    lines.add("override a run key (repeatable; keys are case-insensitive):");
    lines.addAll(RunConfig.KEYS.help());
    Object[][] out = new Object[lines.size()][];
    for (int i = 0; i < lines.size(); i++) {
      out[i] = new Object[] {"set." + i, "  " + lines.get(i)};
    }
    out[0][1] = lines.get(0);
    return out;
  }
}
