package dev.cliptune.clip.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cliptune.testing.Shared;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Encoding, {@code clip.tokenize} semantics and decoding with the CLIP vocabulary. */
class ClipTokenizerTest {

  private static ClipTokenizer tok;

  @BeforeAll
  static void load() {
    tok = ClipTokenizer.fromDirectory(Shared.parity().resolve("model/hf"));
  }

  /** The golden table of spec/CLIP.md section 8 (ids with SOT/EOT, without padding). */
  static Stream<Arguments> goldenTable() {
    return Stream.of(
        Arguments.of("a photo of a", new int[] {49406, 320, 1125, 539, 320, 49407}),
        Arguments.of("X X X X", new int[] {49406, 343, 343, 343, 343, 49407}),
        Arguments.of("X X X X airplane.", new int[] {49406, 343, 343, 343, 343, 16451, 269, 49407}),
        Arguments.of("a photo of a dog.", new int[] {49406, 320, 1125, 539, 320, 1929, 269, 49407}),
        Arguments.of("american_bulldog", new int[] {49406, 2151, 318, 15611, 49407}),
        Arguments.of("american bulldog", new int[] {49406, 2151, 15611, 49407}),
        Arguments.of("2000 AM General Hummer SUV",
            new int[] {49406, 273, 271, 271, 271, 687, 3658, 845, 7508, 15985, 49407}),
        Arguments.of("747-400", new int[] {49406, 278, 275, 278, 268, 275, 271, 271, 49407}),
        Arguments.of("it's a DC-3", new int[] {49406, 585, 568, 320, 2743, 268, 274, 49407}),
        Arguments.of("hard-leaved pocket orchid",
            new int[] {49406, 1626, 268, 3198, 538, 8504, 18678, 49407}));
  }

  @ParameterizedTest
  @MethodSource
  void goldenTable(String text, int[] expected) {
    long[] row = tok.tokenize(text, 77, false);
    assertThat(Arrays.copyOf(row, expected.length))
        .containsExactly(Arrays.stream(expected).asLongStream().toArray());
    assertThat(Arrays.copyOfRange(row, expected.length, 77)).containsOnly(0L);
    assertThat(tok.encode(text)).containsExactly(Arrays.copyOfRange(expected, 1, expected.length - 1));
  }

  /** Expected ids from the official simple_tokenizer.py (ftfy 6.3.1, regex 2026.5.9). */
  static Stream<Arguments> officialQuirks() {
    return Stream.of(
        // ftfy straightens the quote, so the contraction is found
        Arguments.of("it\u2019s a dog\u2019s life", new int[] {585, 568, 320, 1929, 568, 970}),
        // re.IGNORECASE: 'ſ (long s) matches the contraction 's as one piece
        Arguments.of("'\u017f", new int[] {6, 129, 379}),
        // U+0345 matches no alternative of the pattern and is dropped
        Arguments.of("a\u0345b", new int[] {320, 321}),
        // special-token strings become the special ids, but only as whole pieces
        Arguments.of("<|startoftext|>x", new int[] {49406, 343}),
        Arguments.of("<|ENDOFTEXT|>", new int[] {49407}),
        Arguments.of("!<|endoftext|>", new int[] {0, 27, 347, 40786, 4160, 91, 285}),
        Arguments.of("\uff21\uff22\uff23 fish &amp; chips", new int[] {5334, 2759, 261, 8855}));
  }

  @ParameterizedTest
  @MethodSource
  void officialQuirks(String text, int[] expected) {
    assertThat(tok.encode(text)).containsExactly(expected);
  }

  @Test
  void tokenizeFitsPadsTruncatesAndRejectsLikeClipTokenize() {
    String text = "a photo of a dog.";
    assertThat(tok.tokenize(text, 10, false))
        .containsExactly(49406, 320, 1125, 539, 320, 1929, 269, 49407, 0, 0);
    assertThat(tok.tokenize(text, 8, false))
        .containsExactly(49406, 320, 1125, 539, 320, 1929, 269, 49407);
    assertThat(tok.tokenize(text, 7, true)).containsExactly(49406, 320, 1125, 539, 320, 1929, 49407);
    assertThat(tok.tokenize(text, 1, true)).containsExactly(49407);
    assertThat(tok.tokenize(text)).hasSize(77).startsWith(49406, 320);
    assertThatThrownBy(() -> tok.tokenize(text, 7, false))
        .isInstanceOfSatisfying(TextTooLongException.class, e -> {
          assertThat(e).hasMessage("Input a photo of a dog. is too long for context length 7");
          assertThat(e.text()).isEqualTo(text);
          assertThat(e.contextLength()).isEqualTo(7);
          assertThat(e.tokenCount()).isEqualTo(8);
        });
    assertThatThrownBy(() -> tok.tokenize(text, 0, true)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void batchTokenizeHasOneRowPerText() {
    long[][] rows = tok.tokenize(List.of("a photo of a", "", "X X X X airplane."), 12, false);
    assertThat(rows).hasDimensions(3, 12);
    assertThat(rows[0]).isEqualTo(tok.tokenize("a photo of a", 12, false));
    assertThat(rows[1]).containsExactly(49406, 49407, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(rows[2]).isEqualTo(tok.tokenize("X X X X airplane.", 12, false));
  }

  @Test
  void vocabularyAccessors() {
    assertThat(tok.vocabSize()).isEqualTo(49408);
    assertThat(tok.sotId()).isEqualTo(49406);
    assertThat(tok.eotId()).isEqualTo(49407);
    assertThat(tok.tokenString(1125)).isEqualTo("photo</w>");
    assertThat(tok.tokenString(0)).isEqualTo("!");
    assertThat(tok.tokenString(256)).isEqualTo("!</w>");
    assertThat(tok.tokenString(49406)).isEqualTo(ClipTokenizer.SOT);
    assertThat(tok.nameLength("golden retriever")).isEqualTo(2);
    assertThatThrownBy(() -> tok.tokenString(49408)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("49408");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Hello, World!", "it's a DC-3", "2000 AM General Hummer SUV",
      "x86_64 and arm64", "e-mail: someone@example.com #hashtag $100 50% off",
      "supercalifragilisticexpialidocious", "a   b\tc"})
  void decodeRoundTripsAsciiUpToCaseAndSpaces(String text) {
    String decoded = tok.decode(tok.encode(text));
    assertThat(decoded).endsWith(" ");
    assertThat(decoded.replace(" ", ""))
        .isEqualTo(text.toLowerCase(java.util.Locale.ROOT).replaceAll("\\s", ""));
  }

  @Test
  void decodeIsSimpleTokenizerDecode() {
    assertThat(tok.decode(tok.encode("a photo of a dog."))).isEqualTo("a photo of a dog . ");
    assertThat(tok.decode(tok.encode("\u6771\u4eac\u30bf\u30ef\u30fc\u306e\u5199\u771f")))
        .isEqualTo("\u6771\u4eac\u30bf\u30ef\u30fc\u306e\u5199\u771f ");
    assertThat(tok.decode(new int[] {49406, 320, 49407}))
        .isEqualTo("<|startoftext|>a <|endoftext|>");
    assertThat(tok.decode(new int[] {})).isEmpty();
  }

  @Test
  void concurrentRepeatedEncodingIsConsistent() throws Exception {
    List<String> texts = List.of("a photo of a dog.", "golden retriever", "tabby cat",
        "Mercedes-Benz 300SL", "\u6771\u4eac\u30bf\u30ef\u30fc\u306e\u5199\u771f",
        "supercalifragilisticexpialidocious", "x86_64 and arm64");
    ClipTokenizer shared = ClipTokenizer.fromDirectory(Shared.parity().resolve("model/hf"));
    List<int[]> expected = texts.stream().map(tok::encode).toList();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          for (int round = 0; round < 50; round++) {
            for (int i = 0; i < texts.size(); i++) {
              if (!Arrays.equals(shared.encode(texts.get(i)), expected.get(i))) {
                return false;
              }
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> r : results) {
        assertThat(r.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
