package dev.cliptune.world;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.clip.tokenizer.ClipTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The world's tokenizer files, read back through the project's CLIP tokenizer. */
class WorldTokenizerTest {
  @TempDir static Path dir;
  static WorldTokenizer built;
  static ClipTokenizer loaded;

  @BeforeAll
  static void writeAndLoad() throws Exception {
    built = WorldTokenizer.standard();
    built.write(dir);
    loaded = ClipTokenizer.fromDirectory(dir);
  }

  @Test
  void everyWorldWordIsOneWholeWordTokenAfterLoadingTheFiles() {
    List<String> words = Vocabulary.words();
    assertThat(words).contains("a", "photo", "of", "the", ".", ",", "type", "texture", "pixel",
        "semicircle", "hourglasses", "zigzag", "itap", "x");
    for (String w : words) {
      int[] ids = loaded.encode(w);
      assertThat(ids).as(w).hasSize(1);
      assertThat(loaded.tokenString(ids[0])).isEqualTo(w + "</w>");
    }
  }

  @Test
  void aWordOutsideTheWorldFallsApartIntoSeveralTokens() {
    assertThat(loaded.encode("zebra").length).isGreaterThan(1);
    assertThat(built.isSingleToken("zebra")).isFalse();
  }

  @Test
  void vocabularyHasClipsLayoutAndIsSmall() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Integer> vocab = new ObjectMapper().readValue(dir.resolve("vocab.json").toFile(),
        LinkedHashMap.class);
    int size = vocab.size();
    assertThat(size).isBetween(300, 5000);
    assertThat(loaded.vocabSize()).isEqualTo(size);
    // bytes_to_unicode order: '!' is the first byte symbol; 'a' is byte 97, id 97 - 33 = 64
    assertThat(vocab.get("!")).isZero();
    assertThat(vocab.get("a")).isEqualTo(64);
    assertThat(vocab.get("a</w>")).isEqualTo(256 + 64);
    assertThat(vocab.get(ClipTokenizer.SOT)).isEqualTo(size - 2);
    assertThat(vocab.get(ClipTokenizer.EOT)).isEqualTo(size - 1);
    assertThat(loaded.sotId()).isEqualTo(size - 2);
    assertThat(new HashSet<>(vocab.values())).hasSize(size);
    System.out.printf("world tokenizer: %d words, %d merges, %d ids%n", built.words().size(),
        built.merges().size(), size);
  }

  @Test
  void everyMergeUsesSymbolsThatExistBeforeIt() throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve("merges.txt"));
    assertThat(lines.get(0)).isEqualTo("#version: 0.2");
    Set<String> known = new HashSet<>();
    for (int b = 0; b < 512; b++) {
      known.add(loaded.tokenString(b));
    }
    for (String line : lines.subList(1, lines.size())) {
      String[] pair = line.split(" ");
      assertThat(pair).hasSize(2);
      assertThat(known).as(line).contains(pair[0], pair[1]);
      known.add(pair[0] + pair[1]);
    }
    assertThat(lines.size() - 1).isEqualTo(built.merges().size());
  }

  @Test
  void captionsAndPromptsTokenizeToWholeWordsAndRoundTrip() {
    List<String> texts = new ArrayList<>();
    PretrainSampler sampler = new PretrainSampler(3, 32);
    for (int i = 0; i < 5000; i++) {
      texts.add(sampler.caption(i));
    }
    for (DatasetSpec d : WorldDatasets.standard()) {
      d.classNames().forEach(c -> texts.add(d.prompt(c)));
    }
    for (String t : texts) {
      List<String> pieces = Vocabulary.pieces(t);
      int[] ids = loaded.encode(t);
      assertThat(ids).as(t).hasSize(pieces.size());
      assertThat(loaded.decode(ids)).isEqualTo(String.join(" ", pieces) + " ");
    }
    int captionContext = built.contextLength(texts.subList(0, 5000));
    int promptContext = built.contextLength(texts.subList(5000, texts.size()));
    System.out.printf("context length needed: captions %d, prompts %d%n", captionContext,
        promptContext);
    assertThat(captionContext).isLessThanOrEqualTo(32);
    assertThat(promptContext).isLessThanOrEqualTo(captionContext);
  }

  @Test
  void buildingIsDeterministicAndRejectsNonAsciiWords() {
    WorldTokenizer again = WorldTokenizer.standard();
    assertThat(again.vocab()).isEqualTo(built.vocab());
    assertThat(again.merges().stream().map(Arrays::asList).toList())
        .isEqualTo(built.merges().stream().map(Arrays::asList).toList());
    assertThatThrownBy(() -> WorldTokenizer.build(List.of("café")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WorldTokenizer.build(List.of("Red")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
