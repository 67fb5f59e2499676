package dev.cliptune.interpret;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.cliptune.clip.ClipModel;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.FloatTensor;
import dev.cliptune.prompt.checkpoint.CheckpointException;
import dev.cliptune.prompt.checkpoint.LoadedCheckpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prompt interpretation (PROTOCOL.md §13, the official {@code interpret_prompt.py}): each learned text context
 * vector is mapped to the vocabulary tokens whose embeddings (rows of the backbone's {@code token_embedding},
 * {@code [V, Dt]}) are nearest in Euclidean distance.
 *
 * <p>Interpreted tensors, in this order: the context {@code ctx} / {@code prompt_learner.ctx} (CoOp, CoCoOp, MIP,
 * MaPLe, IVLP), MaPLe's deeper text prompts {@code prompt_learner.compound_prompts_text.k} (as the MaPLe
 * repository's variant of the script does) and IVLP's {@code text_encoder.transformer.resblocks.l.VPT_shallow}.
 * A class-specific CoOp context {@code [C, n, Dt]} (which the official script refuses) is interpreted class by
 * class. VPT learns no text vectors and is refused.
 *
 * <p>Distances: {@code ||x||² + ||t||² − 2·x·tᵀ} for all tokens in one matrix product ranks the vocabulary; the
 * nearest candidates' distances are then recomputed exactly in double precision from the differences (the
 * expansion loses the digits that matter near 0), and re-sorted.
 */
public final class PromptInterpreter {
  /** Candidates taken from the fast ranking beyond the k asked for, before exact re-ranking. */
  private static final int CANDIDATE_MARGIN = 16;
  private static final Pattern COMPOUND = Pattern.compile("prompt_learner\\.compound_prompts_text\\.(\\d+)");
  private static final Pattern TEXT_DEEP = Pattern.compile("text_encoder\\.transformer\\.resblocks\\.(\\d+)\\.VPT_shallow");

  private PromptInterpreter() {}

  /** A vocabulary token and its Euclidean distance to a context vector. */
  public record Neighbour(int tokenId, String token, double distance) {}

  /**
   * The nearest tokens of each row of one learned tensor.
   *
   * @param tensor    the checkpoint key
   * @param className for a class-specific context, the class these rows belong to; null otherwise
   * @param rows      for each context vector, its nearest tokens, nearest first
   */
  public record Group(String tensor, String className, List<List<Neighbour>> rows) {}

  /**
   * Interprets every learned text context vector of a checkpoint in {@code clip}'s embedding table.
   *
   * @param k nearest tokens per vector (at least 1, at most the vocabulary size)
   * @throws CheckpointException when the checkpoint is for another backbone or has no text context vectors
   */
  public static List<Group> interpret(LoadedCheckpoint ck, ClipModel clip, ClipTokenizer tokenizer, int k) {
    ck.requireBackbone(clip);
    NDArray table = clip.tokenEmbeddingTable();
    long vocab = table.getShape().get(0);
    if (tokenizer.vocabSize() != vocab) {
      throw new dev.cliptune.io.UserException("the tokenizer has " + tokenizer.vocabSize() + " tokens but the model's "
          + "token embedding table has " + vocab + " rows: use the tokenizer files of the same model");
    }
    List<String> keys = textContextKeys(ck);
    if (keys.isEmpty()) {
      throw new CheckpointException(ck.file() + ": " + ck.method().officialName + " learns no text context vectors"
          + " (tensors " + ck.tensors().keySet() + "), so there is nothing to map to vocabulary tokens");
    }
    int dt = Math.toIntExact(table.getShape().get(1));
    List<Group> out = new ArrayList<>();
    for (String key : keys) {
      FloatTensor t = ck.tensor(key);
      if (t.shape().length == 3) {
        int c = Math.toIntExact(t.shape()[0]);
        int perClass = t.data().length / c;
        for (int i = 0; i < c; i++) {
          float[] rows = Arrays.copyOfRange(t.data(), i * perClass, (i + 1) * perClass);
          out.add(new Group(key, ck.classNames().get(i), nearest(table, rows, dt, k, tokenizer)));
        }
      } else {
        out.add(new Group(key, null, nearest(table, t.data(), dt, k, tokenizer)));
      }
    }
    return out;
  }

  /**
   * The {@code k} nearest rows of {@code table [V, D]} to each of the vectors {@code [n, D]} (row-major), nearest
   * first, with their token strings.
   */
  public static List<List<Neighbour>> nearest(NDArray table, float[] vectors, int d, int k, ClipTokenizer tokenizer) {
    long vocab = table.getShape().get(0);
    if (table.getShape().get(1) != d || vectors.length % d != 0) {
      throw new dev.cliptune.io.UserException("context vectors of width " + d + " (" + vectors.length
          + " values) do not fit the embedding table " + table.getShape());
    }
    if (k < 1 || k > vocab) {
      throw new dev.cliptune.io.UserException("top k = " + k + ": expected 1.." + vocab);
    }
    int n = vectors.length / d;
    int candidates = (int) Math.min(vocab, (long) k + CANDIDATE_MARGIN);
    long[] ids;
    float[] candidateRows;
    try (NDManager m = NDManager.newBaseManager(table.getDevice())) {
      table.tempAttach(m); // results of operations on the table then belong to m, not to the model
      NDArray x = m.create(vectors, new Shape(n, d));
      NDArray squared = x.square().sum(new int[] {1}, true) // [n, 1]
          .add(table.square().sum(new int[] {1}).expandDims(0)) // [1, V]
          .sub(x.matMul(table.transpose()).mul(2f)); // [n, V]
      NDList top = squared.topK(candidates, 1, false, true);
      NDArray idx = top.get(1);
      ids = idx.toLongArray();
      candidateRows = table.get(new NDIndex("{}", idx.reshape(-1))).toFloatArray();
    }
    List<List<Neighbour>> out = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      List<Neighbour> row = new ArrayList<>();
      for (int j = 0; j < candidates; j++) {
        int c = r * candidates + j;
        double sum = 0;
        for (int i = 0; i < d; i++) {
          double diff = (double) vectors[r * d + i] - candidateRows[c * d + i];
          sum += diff * diff;
        }
        int id = Math.toIntExact(ids[c]);
        row.add(new Neighbour(id, tokenizer.tokenString(id), Math.sqrt(sum)));
      }
      row.sort(Comparator.comparingDouble(Neighbour::distance).thenComparingInt(Neighbour::tokenId));
      out.add(List.copyOf(row.subList(0, k)));
    }
    return out;
  }

  /** The text context tensors of a checkpoint, in interpretation order. */
  private static List<String> textContextKeys(LoadedCheckpoint ck) {
    List<String> keys = new ArrayList<>();
    ck.tensors().keySet().stream().filter(key -> key.equals("ctx") || key.equals("prompt_learner.ctx"))
        .forEach(keys::add);
    keys.addAll(numbered(ck, COMPOUND));
    keys.addAll(numbered(ck, TEXT_DEEP));
    return keys;
  }

  private static List<String> numbered(LoadedCheckpoint ck, Pattern p) {
    Map<Integer, String> byNumber = new TreeMap<>();
    for (String key : ck.tensors().keySet()) {
      Matcher mm = p.matcher(key);
      if (mm.matches()) {
        byNumber.put(Integer.parseInt(mm.group(1)), key);
      }
    }
    return List.copyOf(byNumber.values());
  }
}
