package dev.cliptune.world;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.clip.tokenizer.ByteAlphabet;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import dev.cliptune.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small CLIP tokenizer for the world: HuggingFace {@code vocab.json} + {@code merges.txt} in
 * CLIP's byte-level BPE format, with merges learnt so that every world word is one token
 * ({@code word</w>}).
 *
 * <p>Vocabulary layout, exactly as CLIP builds it: ids 0–255 the byte-level alphabet, 256–511 the
 * same followed by {@code </w>}, then one id per distinct merge result in merge order, then
 * {@code <|startoftext|>} and {@code <|endoftext|>}.
 *
 * <p>The merges are learnt by classic BPE training on the word list (each word counted once):
 * repeatedly merge the most frequent adjacent pair (ties: the lexicographically smallest), until
 * every word is a single symbol. Every merge's parts therefore exist before it, and encoding a
 * training word with the ranks replays its training merges; {@link #build} checks that every word
 * comes out as one token through {@link ClipTokenizer}.
 */
public final class WorldTokenizer {
  private static final String END_OF_WORD = "</w>";
  private static final ObjectMapper JSON = new ObjectMapper();


  private final List<String> words;
  private final LinkedHashMap<String, Integer> vocab;
  private final List<String[]> merges;
  private final ClipTokenizer tokenizer;

  private WorldTokenizer(List<String> words, LinkedHashMap<String, Integer> vocab,
      List<String[]> merges) {
    this.words = List.copyOf(words);
    this.vocab = vocab;
    this.merges = List.copyOf(merges);
    this.tokenizer = ClipTokenizer.fromVocab(vocab, merges);
  }

  /** The tokenizer for the standard world vocabulary ({@link Vocabulary#words()}). */
  public static WorldTokenizer standard() {
    return build(Vocabulary.words());
  }

  /**
   * Learns merges that make each of {@code words} a single token.
   *
   * @param words lower-case pieces as CLIP's pre-tokeniser produces them (letter runs or
   *     punctuation runs); duplicates are ignored
   * @throws IllegalArgumentException if a word is not lower-case ASCII without spaces
   * @throws IllegalStateException if a word does not come out as one token (a bug)
   */
  public static WorldTokenizer build(Collection<String> words) {
    List<String> sorted = words.stream().distinct().sorted().toList();
    List<List<String>> seqs = new ArrayList<>();
    for (String w : sorted) {
      if (w.isEmpty() || !w.chars().allMatch(c -> c > ' ' && c < 127)
          || !w.equals(w.toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("world words must be lower-case printable ASCII without "
            + "spaces, got '" + w + "'");
      }
      List<String> seq = new ArrayList<>();
      for (int i = 0; i < w.length(); i++) {
        seq.add(i == w.length() - 1 ? w.charAt(i) + END_OF_WORD : String.valueOf(w.charAt(i)));
      }
      seqs.add(seq);
    }
    List<String[]> merges = new ArrayList<>();
    while (true) {
      TreeMap<String, Integer> counts = new TreeMap<>();
      for (List<String> seq : seqs) {
        for (int i = 0; i + 1 < seq.size(); i++) {
          counts.merge(seq.get(i) + " " + seq.get(i + 1), 1, Integer::sum);
        }
      }
      if (counts.isEmpty()) {
        break;
      }
      String best = null;
      int bestCount = 0;
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        if (e.getValue() > bestCount) {
          best = e.getKey();
          bestCount = e.getValue();
        }
      }
      String[] pair = best.split(" ");
      merges.add(pair);
      for (int s = 0; s < seqs.size(); s++) {
        List<String> seq = seqs.get(s);
        List<String> merged = new ArrayList<>(seq.size());
        for (int i = 0; i < seq.size(); i++) {
          if (i + 1 < seq.size() && seq.get(i).equals(pair[0]) && seq.get(i + 1).equals(pair[1])) {
            merged.add(pair[0] + pair[1]);
            i++;
          } else {
            merged.add(seq.get(i));
          }
        }
        seqs.set(s, merged);
      }
    }
    LinkedHashMap<String, Integer> vocab = new LinkedHashMap<>();
    for (String b : ByteAlphabet.symbols()) {
      vocab.put(b, vocab.size());
    }
    for (String b : ByteAlphabet.symbols()) {
      vocab.put(b + END_OF_WORD, vocab.size());
    }
    for (String[] m : merges) {
      vocab.putIfAbsent(m[0] + m[1], vocab.size());
    }
    vocab.put(ClipTokenizer.SOT, vocab.size());
    vocab.put(ClipTokenizer.EOT, vocab.size());
    WorldTokenizer t = new WorldTokenizer(sorted, vocab, merges);
    List<String> broken = new ArrayList<>();
    for (String w : sorted) {
      if (!t.isSingleToken(w)) {
        broken.add(w);
      }
    }
    if (!broken.isEmpty()) {
      throw new IllegalStateException("BPE merges do not make these words single tokens: " + broken);
    }
    return t;
  }

  /** Whether {@code word} encodes to exactly the token {@code word</w>}. */
  public boolean isSingleToken(String word) {
    int[] ids = tokenizer.encode(word);
    return ids.length == 1 && tokenizer.tokenString(ids[0]).equals(word + END_OF_WORD);
  }

  /** The words the merges were learnt for, sorted. */
  public List<String> words() {
    return words;
  }

  /** Token string to id, in id order (a copy). */
  public Map<String, Integer> vocab() {
    return new LinkedHashMap<>(vocab);
  }

  /** The merges in rank order (copies of the pairs). */
  public List<String[]> merges() {
    return merges.stream().map(String[]::clone).toList();
  }

  /** The number of token ids (embedding rows): 512 + distinct merge results + 2. */
  public int vocabSize() {
    return tokenizer.vocabSize();
  }

  /** The project's tokenizer over this vocabulary. */
  public ClipTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * The context length the texts need: the longest encoding plus the start and end tokens.
   */
  public int contextLength(Iterable<String> texts) {
    int max = 0;
    for (String t : texts) {
      max = Math.max(max, tokenizer.encode(t).length + 2);
    }
    return max;
  }

  /**
   * Writes {@code vocab.json} (token to id, in id order) and {@code merges.txt}
   * ({@code #version: 0.2} then one merge per line) into {@code dir}, each atomically; they load
   * with {@link ClipTokenizer#fromDirectory}.
   */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    String json;
    try {
      json = JSON.writeValueAsString(vocab);
    } catch (JsonProcessingException e) {
      throw new IOException("cannot serialise the vocabulary", e);
    }
    AtomicFiles.writeString(dir.resolve("vocab.json"), json);
    StringBuilder sb = new StringBuilder("#version: 0.2\n");
    for (String[] m : merges) {
      sb.append(m[0]).append(' ').append(m[1]).append('\n');
    }
    AtomicFiles.writeString(dir.resolve("merges.txt"), sb.toString());
  }
}
