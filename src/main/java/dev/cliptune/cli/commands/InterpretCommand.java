package dev.cliptune.cli.commands;

import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.clip.weights.ClipLoader;
import dev.cliptune.clip.weights.LoadOptions;
import dev.cliptune.interpret.PromptInterpreter;
import dev.cliptune.interpret.PromptInterpreter.Group;
import dev.cliptune.interpret.PromptInterpreter.Neighbour;
import dev.cliptune.prompt.checkpoint.PromptCheckpoint;
import dev.cliptune.prompt.checkpoint.LoadedCheckpoint;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cliptune interpret}: the nearest vocabulary tokens of learned context vectors (PROTOCOL.md §13). */
@Command(name = "interpret", mixinStandardHelpOptions = true,
    description = {
        "Maps each learned text context vector of a prompt checkpoint (ctx, MaPLe's",
        "compound_prompts_text.k, IVLP's text VPT_shallow) to the K vocabulary tokens",
        "nearest in Euclidean distance in the token embedding table of the backbone the",
        "prompts were learned on. A class-specific CoOp context is shown class by class.",
        "Exit 0 on success, 2 when the checkpoint, model or tokenizer is unusable."})
public final class InterpretCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--prompts", required = true, paramLabel = "CKPT", description = "prompt checkpoint (.safetensors)")
  Path prompts;

  /** The backbone the prompts were learned on. */
  @Mixin ModelOption modelOption;

  @Option(names = "--tokenizer", paramLabel = "PATH",
      description = "directory with vocab.json and merges.txt, or a bpe_simple_vocab_16e6.txt.gz file (default: --model)")
  Path tokenizer;

  @Option(names = "--top", paramLabel = "K", defaultValue = "3", description = "tokens per vector (default: ${DEFAULT-VALUE})")
  int top;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    LoadedCheckpoint ck = PromptCheckpoint.read(prompts);
    Path model = modelOption.directory();
    ClipTokenizer tok = loadTokenizer(model);
    try (ClipModel clip = ClipModel.create(ClipLoader.load(model, LoadOptions.defaults()))) {
      List<Group> groups = PromptInterpreter.interpret(ck, clip, tok, top);
      long[] table = clip.tokenEmbeddingTable().getShape().getShape();
      out.printf("prompts: %s (%s, %d classes)%n", prompts, ck.method().officialName, ck.classNames().size());
      out.printf("backbone: sha256 %s (the model's)%n", clip.identity());
      out.printf("top %d tokens by Euclidean distance in token_embedding %s%n", top, Arrays.toString(table));
      for (Group g : groups) {
        out.println();
        print(out, g, ck);
      }
    }
    out.flush();
    return 0;
  }

  /** A tokenizer from a {@code .txt.gz} BPE file, or from a directory's {@code vocab.json} and {@code merges.txt}. */
  private ClipTokenizer loadTokenizer(Path model) {
    if (tokenizer == null) {
      return dev.cliptune.Clip.tokenizerBeside(model);
    }
    return Files.isRegularFile(tokenizer) ? ClipTokenizer.fromBpeGz(tokenizer) : ClipTokenizer.fromDirectory(tokenizer);
  }

  /** One tensor: a title line, then per vector its 1-based index and the tokens with distances, column-aligned. */
  private static void print(PrintWriter out, Group g, LoadedCheckpoint ck) {
    String shape = Arrays.toString(ck.tensor(g.tensor()).shape());
    out.println(g.className() == null ? g.tensor() + " " + shape
        : g.tensor() + " " + shape + ", class '" + g.className() + "'");
    int k = g.rows().get(0).size();
    int[] width = new int[k];
    for (List<Neighbour> row : g.rows()) {
      for (int j = 0; j < k; j++) {
        width[j] = Math.max(width[j], cell(row.get(j)).length());
      }
    }
    for (int r = 0; r < g.rows().size(); r++) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%4d ", r + 1));
      for (int j = 0; j < k; j++) {
        String c = cell(g.rows().get(r).get(j));
        line.append(' ').append(c).append(" ".repeat(j == k - 1 ? 0 : width[j] - c.length() + 1));
      }
      out.println(line);
    }
  }

  private static String cell(Neighbour n) {
    return n.token() + " " + String.format(Locale.ROOT, "%.4f", n.distance());
  }
}
