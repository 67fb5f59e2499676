package dev.cliptune.clip.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.io.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's byte-level BPE tokenizer: OpenAI's {@code clip/simple_tokenizer.py} and
 * {@code clip.tokenize}, reproduced id for id.
 *
 * <p><b>Cleaning</b> (before pre-tokenising), in the official order:
 *
 * <ol>
 *   <li>{@code ftfy.fix_text}: everything ftfy 6.3 does by default except its mojibake repair
 *       ({@code fix_encoding}, which guesses at wrongly decoded text such as {@code "sÃ³"}): HTML
 *       entity decoding while the text has no {@code <}, Windows-1252 for C1 controls, Latin
 *       ligatures and full-/half-width forms expanded, curly quotes straightened, line breaks,
 *       surrogates, terminal escapes and invisible control characters fixed, NFC. ftfy only
 *       repairs encodings in text its heuristic flags as mojibake, so for all other text this is
 *       ftfy's result;
 *   <li>Python's {@code html.unescape} twice, complete: all 2231 HTML5 names (including legacy
 *       names without the semicolon, with the standard's longest-prefix rule) and numeric
 *       references with Python's replacements for invalid numbers;
 *   <li>{@code strip()}, every run of Unicode whitespace to one space, {@code strip()}, with
 *       Python's definitions of whitespace;
 *   <li>{@code lower()}: the full Unicode lower-case mappings ({@code toLowerCase(Locale.ROOT)}),
 *       with capital sigma decided by Python's final-sigma rule rather than Java's.
 * </ol>
 *
 * <p>Character properties (letters, numbers, whitespace, case, normalisation) come from the
 * running JVM's Unicode tables (Unicode 13 in Java 17); the official tokenizer uses those of its
 * Python and {@code regex} versions. Characters assigned in a later Unicode version than the JVM
 * knows, or whose properties changed since, can therefore tokenise differently.
 *
 * <p><b>Pre-tokenising</b> uses the official alternation ({@code <|startoftext|>},
 * {@code <|endoftext|>}, the contractions {@code 's 't 're 've 'm 'll 'd}, a run of letters, one
 * number character, a run of other non-space characters), with the official case-insensitive
 * matching of the literals (which lets {@code 'ſ} count as {@code 's}) and its quirk that U+0345
 * belongs to no alternative and is dropped. A piece that equals {@code <|startoftext|>} or
 * {@code <|endoftext|>} becomes that special token's id (the official BPE cache is seeded with
 * them), so {@code "a <|endoftext|>"} encodes to {@code [a</w>, 49407]}.
 *
 * <p>Instances are immutable apart from a bounded cache of BPE results and safe to share between
 * threads.
 */
public final class ClipTokenizer {

  /** The start-of-text token string. */
  public static final String SOT = "<|startoftext|>";
  /** The end-of-text token string. */
  public static final String EOT = "<|endoftext|>";
  /** The context length of every released CLIP model. */
  public static final int DEFAULT_CONTEXT_LENGTH = 77;
  /** Merges the official tokenizer reads from the gzipped vocabulary: 49152 - 256 - 2. */
  public static final int OFFICIAL_MERGE_COUNT = 49152 - 256 - 2;

  private static final String END_OF_WORD = "</w>";
  private static final int CACHE_LIMIT = 100_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The official pre-tokeniser; see the class comment. */
  private static final Pattern PIECE = Pattern.compile(
      Stream.of(SOT, EOT, "'s", "'t", "'re", "'ve", "'m", "'ll", "'d")
          .map(ClipTokenizer::caseInsensitiveLiteral)
          .collect(Collectors.joining("|"))
          + "|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}\\x{345}]+",
      Pattern.UNICODE_CHARACTER_CLASS);


  private record Pair(String first, String second) {}

  private final Map<String, Integer> encoder;
  private final Map<Integer, String> decoder;
  private final Map<Pair, Integer> ranks;
  private final int sotId;
  private final int eotId;
  private final int vocabSize;
  private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

  private ClipTokenizer(Map<String, Integer> encoder, Map<Integer, String> decoder,
      Map<Pair, Integer> ranks) {
    this.encoder = Map.copyOf(encoder);
    this.decoder = Map.copyOf(decoder);
    this.ranks = Map.copyOf(ranks);
    this.sotId = encoder.get(SOT);
    this.eotId = encoder.get(EOT);
    this.vocabSize = decoder.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
  }

  // ---------------------------------------------------------------------------------------------
  // Loading

  /**
   * Loads the HuggingFace tokenizer files {@code vocab.json} (token string to id) and
   * {@code merges.txt} (a {@code #version: ...} header line, then one merge {@code "a b"} per line
   * in rank order) from {@code dir}.
   *
   * @throws IllegalArgumentException if a file is missing, unreadable or malformed, if the
   *     vocabulary lacks {@code <|startoftext|>} or {@code <|endoftext|>}, or if a merge names a
   *     symbol (or produces one) that the vocabulary does not have; the message names the file
   */
  public static ClipTokenizer fromDirectory(Path dir) {
    Path vocabFile = dir.resolve("vocab.json");
    Path mergesFile = dir.resolve("merges.txt");
    Map<String, Integer> vocab = readVocabJson(vocabFile);

    List<String> lines = Arrays.asList(readUtf8(mergesFile).split("\n", -1));
    String header = lines.get(0).strip();
    if (!header.startsWith("#version")) {
      throw new UserException(mergesFile + ": expected the header '#version: 0.2' on "
          + "line 1, found " + (header.isEmpty() ? "an empty line" : "'" + abbreviate(header) + "'"));
    }
    List<String[]> merges = new ArrayList<>();
    List<Integer> lineNumbers = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] symbols = pythonSplit(lines.get(i));
      if (symbols.length > 0) {
        merges.add(symbols);
        lineNumbers.add(i + 1);
      }
    }
    return build(vocab, merges, vocabFile.toString(),
        i -> mergesFile + " line " + lineNumbers.get(i));
  }

  /**
   * Loads the official {@code bpe_simple_vocab_16e6.txt.gz} (or a file in its format) and builds
   * the vocabulary exactly as {@code simple_tokenizer.py} does: the 256 byte-level characters, the
   * same followed by {@code </w>}, the concatenation of each merge, {@code <|startoftext|>},
   * {@code <|endoftext|>}. Like the official code it skips the first line (a version header),
   * splits the rest at {@code \n} and uses lines 1 to {@value #OFFICIAL_MERGE_COUNT}, fewer if the
   * file is shorter. Also like the official code, an empty line among those takes an id of its
   * own (an empty token) without being a merge; this matters only for files shorter than the
   * official one that end with a line break, whose special tokens then sit one id higher.
   *
   * @throws IllegalArgumentException if the file is missing, not gzip, not UTF-8, or has a line
   *     that is neither empty nor two symbols; the message names the file
   */
  public static ClipTokenizer fromBpeGz(Path gz) {
    String[] lines = readGzUtf8(gz).split("\n", -1);
    int end = Math.min(lines.length, OFFICIAL_MERGE_COUNT + 1);
    List<String> vocab = new ArrayList<>(ByteAlphabet.symbols());
    ByteAlphabet.symbols().forEach(s -> vocab.add(s + END_OF_WORD));
    Map<Pair, Integer> ranks = new HashMap<>();
    for (int i = 1; i < end; i++) {
      String[] symbols = pythonSplit(lines[i]);
      if (symbols.length == 2) {
        ranks.put(new Pair(symbols[0], symbols[1]), i);
      } else if (symbols.length != 0) {
        throw new UserException(gz + " line " + (i + 1) + ": expected a merge of two "
            + "symbols separated by a space, found '" + abbreviate(lines[i]) + "'");
      }
      vocab.add(String.join("", symbols));
    }
    vocab.add(SOT);
    vocab.add(EOT);
    Map<String, Integer> encoder = new HashMap<>();
    Map<Integer, String> decoder = new HashMap<>();
    for (int id = 0; id < vocab.size(); id++) {
      encoder.put(vocab.get(id), id);
      decoder.put(id, vocab.get(id));
    }
    return new ClipTokenizer(encoder, decoder, ranks);
  }

  /**
   * Builds a tokenizer from a vocabulary (token string to id, in the byte-level alphabet with
   * {@code </w>} marking word ends) and merges in rank order, each a pair of symbols.
   *
   * @throws IllegalArgumentException if ids are negative or repeated, if the vocabulary lacks
   *     {@code <|startoftext|>} or {@code <|endoftext|>}, or if a merge is not a pair of symbols
   *     that, like their concatenation, are in the vocabulary
   */
  public static ClipTokenizer fromVocab(Map<String, Integer> vocab, List<String[]> merges) {
    return build(vocab, merges, "the vocabulary", i -> "merge " + i);
  }

  private static ClipTokenizer build(Map<String, Integer> vocab, List<String[]> merges,
      String vocabSource, IntFunction<String> mergeSource) {
    Map<Integer, String> decoder = new HashMap<>();
    vocab.forEach((token, id) -> {
      if (id == null || id < 0) {
        throw new UserException(vocabSource + ": token '" + token
            + "' has id " + id + ", expected a non-negative integer");
      }
      String other = decoder.put(id, token);
      if (other != null) {
        throw new UserException(vocabSource + ": id " + id + " is used by both '"
            + other + "' and '" + token + "'");
      }
    });
    for (String special : List.of(SOT, EOT)) {
      if (!vocab.containsKey(special)) {
        throw new UserException(vocabSource + ": expected the special tokens " + SOT
            + " and " + EOT + ", found no " + special + " among " + vocab.size() + " tokens");
      }
    }
    Map<Pair, Integer> ranks = new HashMap<>();
    for (int i = 0; i < merges.size(); i++) {
      String[] merge = merges.get(i);
      if (merge.length != 2) {
        throw new UserException(mergeSource.apply(i) + ": expected a merge of two "
            + "symbols, found " + merge.length + " (" + abbreviate(String.join(" ", merge)) + ")");
      }
      for (String symbol : List.of(merge[0], merge[1], merge[0] + merge[1])) {
        if (!vocab.containsKey(symbol)) {
          throw new UserException(mergeSource.apply(i) + ": merge '" + merge[0] + " "
              + merge[1] + "' uses the symbol '" + symbol + "', which " + vocabSource
              + " does not have");
        }
      }
      ranks.put(new Pair(merge[0], merge[1]), i);
    }
    return new ClipTokenizer(vocab, decoder, ranks);
  }

  private static Map<String, Integer> readVocabJson(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(readUtf8(file));
    } catch (JsonProcessingException e) {
      throw new UserException(file + ": expected JSON (an object mapping token strings "
          + "to ids), found invalid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new UserException(file + ": expected a JSON object mapping token strings "
          + "to ids, found " + (root == null || root.isMissingNode() ? "no JSON value"
              : "a JSON " + root.getNodeType().toString().toLowerCase(Locale.ROOT)));
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().canConvertToInt() || !e.getValue().isIntegralNumber()) {
        throw new UserException(file + ": expected an integer id for token '"
            + e.getKey() + "', found " + abbreviate(e.getValue().toString()));
      }
      vocab.put(e.getKey(), e.getValue().intValue());
    }
    return vocab;
  }

  private static String readUtf8(Path file) {
    try {
      return decodeUtf8(Files.readAllBytes(file), file);
    } catch (NoSuchFileException e) {
      throw new UserException(file + ": file not found (expected the CLIP tokenizer "
          + "files vocab.json and merges.txt)", e);
    } catch (IOException e) {
      throw new UserException(file + ": cannot read it: " + e, e);
    }
  }

  private static String readGzUtf8(Path file) {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      return decodeUtf8(in.readAllBytes(), file);
    } catch (NoSuchFileException e) {
      throw new UserException(file + ": file not found (expected a gzipped BPE merges "
          + "file such as bpe_simple_vocab_16e6.txt.gz)", e);
    } catch (IOException e) {
      throw new UserException(file + ": expected a gzipped BPE merges file, cannot "
          + "read it: " + e, e);
    }
  }

  private static String decodeUtf8(byte[] bytes, Path file) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new UserException(file + ": expected UTF-8 text, found bytes that are not "
          + "UTF-8", e);
    }
  }

  /** Python's {@code str.split()} with no argument: split at whitespace runs, drop empty parts. */
  private static String[] pythonSplit(String line) {
    List<String> parts = new ArrayList<>();
    int i = 0;
    while (i < line.length()) {
      while (i < line.length() && TextCleaner.isPythonSpace(line.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < line.length() && !TextCleaner.isPythonSpace(line.charAt(i))) {
        i++;
      }
      if (i > start) {
        parts.add(line.substring(start, i));
      }
    }
    return parts.toArray(String[]::new);
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  /**
   * A regex for {@code literal} as the official pattern's {@code re.IGNORECASE} matches it (simple
   * case folding: each ASCII letter in either case, and {@code s} also as U+017F LONG S).
   */
  private static String caseInsensitiveLiteral(String literal) {
    StringBuilder re = new StringBuilder();
    for (char c : literal.toCharArray()) {
      if (c >= 'a' && c <= 'z') {
        re.append('[').append(c).append(Character.toUpperCase(c)).append(c == 's' ? "\u017f" : "")
            .append(']');
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return re.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding

  /**
   * The BPE ids of {@code text} (cleaned, pre-tokenised and BPE-merged as described in the class
   * comment), without the start and end tokens; what {@code SimpleTokenizer.encode} returns.
   *
   * @throws IllegalArgumentException if a resulting symbol is not in the vocabulary (impossible
   *     with the CLIP vocabulary, possible with a small one from {@link #fromVocab})
   */
  public int[] encode(String text) {
    Matcher m = PIECE.matcher(TextCleaner.clean(text));
    int[] ids = new int[16];
    int n = 0;
    while (m.find()) {
      for (int id : bpe(toByteSymbols(m.group()))) {
        if (n == ids.length) {
          ids = Arrays.copyOf(ids, n * 2);
        }
        ids[n++] = id;
      }
    }
    return Arrays.copyOf(ids, n);
  }

  /** The number of BPE ids of {@code text}: {@code encode(text).length}. */
  public int nameLength(String text) {
    return encode(text).length;
  }

  /**
   * {@code clip.tokenize} for one text with context length {@value #DEFAULT_CONTEXT_LENGTH} and
   * no truncation.
   *
   * @throws TextTooLongException if the text needs more than 77 tokens
   */
  public long[] tokenize(String text) {
    return tokenize(text, DEFAULT_CONTEXT_LENGTH, false);
  }

  /**
   * {@code clip.tokenize} for one text: the start token, the BPE ids, the end token, then zeros up
   * to {@code contextLength}. A text that needs more than {@code contextLength} tokens is an
   * error, or with {@code truncate} is cut to the start token and the first
   * {@code contextLength - 2} ids, the end token taking the last slot.
   *
   * @throws TextTooLongException if the text does not fit and {@code truncate} is false; its
   *     message is the official {@code Input {text} is too long for context length {n}}
   * @throws IllegalArgumentException if {@code contextLength} is less than 1
   */
  public long[] tokenize(String text, int contextLength, boolean truncate) {
    if (contextLength < 1) {
      throw new IllegalArgumentException("context length must be at least 1, got " + contextLength);
    }
    int[] ids = encode(text);
    long[] row = new long[contextLength];
    int needed = ids.length + 2;
    if (needed > contextLength && !truncate) {
      throw new TextTooLongException(text, contextLength, needed);
    }
    int kept = Math.max(0, Math.min(ids.length, contextLength - 2));
    row[0] = sotId;
    for (int i = 0; i < kept; i++) {
      row[1 + i] = ids[i];
    }
    row[Math.min(needed, contextLength) - 1] = eotId;
    return row;
  }

  /**
   * {@code clip.tokenize} for a batch: one row per text, as {@link #tokenize(String, int,
   * boolean)}.
   *
   * @throws TextTooLongException for the first text that does not fit, unless {@code truncate}
   */
  public long[][] tokenize(List<String> texts, int contextLength, boolean truncate) {
    long[][] rows = new long[texts.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = tokenize(texts.get(i), contextLength, truncate);
    }
    return rows;
  }

  private static String toByteSymbols(String piece) {
    byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
    char[] chars = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      chars[i] = ByteAlphabet.charOf(bytes[i] & 0xff);
    }
    return new String(chars);
  }

  /** BPE of one byte-level piece, as ids; {@code SimpleTokenizer.bpe} plus the id lookup. */
  private int[] bpe(String token) {
    int[] cached = cache.get(token);
    if (cached != null) {
      return cached;
    }
    List<String> word = new ArrayList<>(token.length());
    if (token.equals(SOT) || token.equals(EOT)) {
      word.add(token);
    } else {
      for (int i = 0; i < token.length() - 1; i++) {
        word.add(String.valueOf(token.charAt(i)));
      }
      word.add(token.charAt(token.length() - 1) + END_OF_WORD);
    }
    while (word.size() > 1) {
      Pair best = null;
      int bestRank = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < word.size(); i++) {
        Pair pair = new Pair(word.get(i), word.get(i + 1));
        Integer rank = ranks.get(pair);
        if (rank != null && rank < bestRank) {
          best = pair;
          bestRank = rank;
        }
      }
      if (best == null) {
        break;
      }
      List<String> merged = new ArrayList<>(word.size());
      for (int i = 0; i < word.size(); i++) {
        if (i + 1 < word.size() && word.get(i).equals(best.first())
            && word.get(i + 1).equals(best.second())) {
          merged.add(best.first() + best.second());
          i++;
        } else {
          merged.add(word.get(i));
        }
      }
      word = merged;
    }
    int[] ids = new int[word.size()];
    for (int i = 0; i < ids.length; i++) {
      Integer id = encoder.get(word.get(i));
      if (id == null) {
        throw new IllegalArgumentException("BPE symbol '" + word.get(i) + "' is not in the "
            + "vocabulary");
      }
      ids[i] = id;
    }
    if (cache.size() >= CACHE_LIMIT) {
      cache.clear();
    }
    cache.put(token, ids);
    return ids;
  }

  // ---------------------------------------------------------------------------------------------
  // Vocabulary

  /** The id of {@code <|startoftext|>} (49406 for CLIP). */
  public int sotId() {
    return sotId;
  }

  /** The id of {@code <|endoftext|>} (49407 for CLIP). */
  public int eotId() {
    return eotId;
  }

  /** The number of embedding rows the ids need: the largest id plus one (49408 for CLIP). */
  public int vocabSize() {
    return vocabSize;
  }

  /**
   * The vocabulary string of {@code id} in the byte-level alphabet, e.g. {@code "photo</w>"}.
   *
   * @throws IllegalArgumentException if no token has this id
   */
  public String tokenString(int id) {
    String token = decoder.get(id);
    if (token == null) {
      throw new IllegalArgumentException("no token has id " + id + " (vocabulary size "
          + vocabSize + ")");
    }
    return token;
  }

  /**
   * {@code SimpleTokenizer.decode}: the token strings concatenated, mapped back from the byte-level
   * alphabet to bytes, decoded as UTF-8 (malformed bytes become U+FFFD), each {@code </w>} turned
   * into a space. Encoding loses case and some whitespace, so {@code decode(encode(t))} is the
   * cleaned, lower-cased text with a space after every word.
   *
   * @throws IllegalArgumentException if an id is unknown or its string is not in the byte-level
   *     alphabet
   */
  public String decode(int[] ids) {
    StringBuilder symbols = new StringBuilder();
    for (int id : ids) {
      symbols.append(tokenString(id));
    }
    byte[] bytes = new byte[symbols.length()];
    for (int i = 0; i < bytes.length; i++) {
      char c = symbols.charAt(i);
      int b = ByteAlphabet.byteOf(c);
      if (b < 0) {
        throw new IllegalArgumentException("character U+" + String.format("%04X", (int) c)
            + " of the tokens is not in the byte-level alphabet");
      }
      bytes[i] = (byte) b;
    }
    return new String(bytes, StandardCharsets.UTF_8).replace(END_OF_WORD, " ");
  }
}
