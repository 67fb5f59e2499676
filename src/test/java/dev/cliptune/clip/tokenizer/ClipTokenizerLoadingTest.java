package dev.cliptune.clip.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.testing.Shared;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three ways to build a tokenizer, and the errors for missing or malformed files. */
class ClipTokenizerLoadingTest {

  @TempDir Path tmp;

  private static Path hfDir() {
    return Shared.parity().resolve("model/hf");
  }

  /** The merge lines of the fixture's merges.txt, without its header and trailing empty line. */
  private static List<String> mergeLines() throws IOException {
    List<String> lines = Files.readAllLines(hfDir().resolve("merges.txt"), StandardCharsets.UTF_8);
    return lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).toList();
  }

  private Path writeGz(String name, String content) throws IOException {
    Path gz = tmp.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return gz;
  }

  private Path dirWith(String vocabJson, String merges) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "tok");
    if (vocabJson != null) {
      Files.writeString(dir.resolve("vocab.json"), vocabJson);
    }
    if (merges != null) {
      Files.writeString(dir.resolve("merges.txt"), merges);
    }
    return dir;
  }

  private static String fixtureVocabJson() throws IOException {
    return Files.readString(hfDir().resolve("vocab.json"));
  }

  @Test
  void bpeGzBuildsTheSameVocabularyAndEncodingsAsTheHuggingFaceFiles() throws IOException {
    ClipTokenizer hf = ClipTokenizer.fromDirectory(hfDir());
    Path gz = writeGz("bpe_simple_vocab_16e6.txt.gz",
        "\"bpe_simple_vocab_16e6.txt#version: 0.2\n" + String.join("\n", mergeLines()) + "\n");
    ClipTokenizer official = ClipTokenizer.fromBpeGz(gz);

    assertThat(official.vocabSize()).isEqualTo(hf.vocabSize()).isEqualTo(49408);
    assertThat(official.sotId()).isEqualTo(hf.sotId());
    assertThat(official.eotId()).isEqualTo(hf.eotId());
    for (int id = 0; id < hf.vocabSize(); id++) {
      assertThat(official.tokenString(id)).as("id %d", id).isEqualTo(hf.tokenString(id));
    }
    JsonNode cases = new ObjectMapper().readTree(Shared.parity().resolve("manifest.json").toFile())
        .get("tokenisation").get("cases");
    List<String> texts = new ArrayList<>(List.of("a photo of a dog.", "hard-leaved pocket orchid"));
    cases.forEach(c -> texts.add(c.get("text").textValue()));
    for (String text : texts) {
      assertThat(official.encode(text)).as(text).containsExactly(hf.encode(text));
    }
  }

  @Test
  void shortBpeGzFollowsTheOfficialSliceIncludingTheEmptyLastLine() throws IOException {
    // Expected values from simple_tokenizer.py on the same files.
    String first20 = String.join("\n", mergeLines().subList(0, 20));
    ClipTokenizer withNewline = ClipTokenizer.fromBpeGz(writeGz("a.gz", "#version: 0.2\n" + first20 + "\n"));
    assertThat(withNewline.vocabSize()).isEqualTo(535);
    assertThat(withNewline.sotId()).isEqualTo(533);
    assertThat(withNewline.eotId()).isEqualTo(534);
    assertThat(withNewline.tokenString(532)).isEmpty();
    assertThat(withNewline.tokenString(512)).isEqualTo("in");
    assertThat(withNewline.encode("the inner heart"))
        .containsExactly(518, 512, 77, 528, 71, 68, 516, 339);

    ClipTokenizer without = ClipTokenizer.fromBpeGz(writeGz("b.gz", "#version: 0.2\n" + first20));
    assertThat(without.vocabSize()).isEqualTo(534);
    assertThat(without.sotId()).isEqualTo(532);
    assertThat(without.encode("the inner heart")).containsExactly(518, 512, 77, 528, 71, 68, 516, 339);
  }

  @Test
  void bpeGzErrorsNameTheFile() throws IOException {
    Path bad = writeGz("three.gz", "#version: 0.2\ni n\na b c\n");
    assertThatThrownBy(() -> ClipTokenizer.fromBpeGz(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("line 3")
        .hasMessageContaining("'a b c'");
    Path plain = tmp.resolve("plain.gz");
    Files.writeString(plain, "#version: 0.2\ni n\n");
    assertThatThrownBy(() -> ClipTokenizer.fromBpeGz(plain))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(plain.toString())
        .hasMessageContaining("gzip");
    assertThatThrownBy(() -> ClipTokenizer.fromBpeGz(tmp.resolve("missing.gz")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing.gz")
        .hasMessageContaining("not found");
  }

  @Test
  void missingMergesFileIsNamed() throws IOException {
    Path dir = dirWith(fixtureVocabJson(), null);
    assertThatThrownBy(() -> ClipTokenizer.fromDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.resolve("merges.txt").toString())
        .hasMessageContaining("not found");
  }

  @Test
  void vocabThatIsNotJsonIsNamed() throws IOException {
    Path dir = dirWith("this is { not json", "#version: 0.2\n");
    assertThatThrownBy(() -> ClipTokenizer.fromDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.resolve("vocab.json").toString())
        .hasMessageContaining("invalid JSON");
    Path array = dirWith("[1, 2]", "#version: 0.2\n");
    assertThatThrownBy(() -> ClipTokenizer.fromDirectory(array))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocab.json")
        .hasMessageContaining("expected a JSON object")
        .hasMessageContaining("found a JSON array");
    Path notInt = dirWith("{\"a\": \"zero\"}", "#version: 0.2\n");
    assertThatThrownBy(() -> ClipTokenizer.fromDirectory(notInt))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocab.json")
        .hasMessageContaining("'a'");
  }

  @Test
  void vocabWithoutSpecialTokensIsNamed() throws IOException {
    Path dir = dirWith("{\"a\": 0, \"<|startoftext|>\": 1}", "#version: 0.2\n");
    assertThatThrownBy(() -> ClipTokenizer.fromDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocab.json")
        .hasMessageContaining("found no <|endoftext|>");
  }

  @Test
  void malformedMergesAreNamedWithTheLine() throws IOException {
    String vocab = fixtureVocabJson();
    Path oneSymbol = dirWith(vocab, "#version: 0.2\ni n\nt\n");
    assertThatThrownBy(() -> ClipTokenizer.fromDirectory(oneSymbol))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(oneSymbol.resolve("merges.txt") + " line 3")
        .hasMessageContaining("expected a merge of two symbols, found 1 (t)");
    Path noHeader = dirWith(vocab, "i n\nt h\n");
    assertThatThrownBy(() -> ClipTokenizer.fromDirectory(noHeader))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("merges.txt")
        .hasMessageContaining("'#version: 0.2'")
        .hasMessageContaining("found 'i n'");
    Path unknown = dirWith(vocab, "#version: 0.2\ni n\nqqq zzz\n");
    assertThatThrownBy(() -> ClipTokenizer.fromDirectory(unknown))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("merges.txt line 3")
        .hasMessageContaining("'qqq'");
  }

  @Test
  void smallVocabularyFromMaps() {
    Map<String, Integer> vocab = new HashMap<>();
    for (String s : List.of("h", "i", "h</w>", "i</w>", "hi</w>", ClipTokenizer.SOT, ClipTokenizer.EOT)) {
      vocab.put(s, vocab.size());
    }
    List<String[]> merges = List.<String[]>of(new String[] {"h", "i</w>"});
    ClipTokenizer small = ClipTokenizer.fromVocab(vocab, merges);
    assertThat(small.encode("HI hi")).containsExactly(4, 4);
    assertThat(small.encode("ih")).containsExactly(1, 2);
    assertThat(small.tokenize("hi", 4, false)).containsExactly(5, 4, 6, 0);
    assertThat(small.vocabSize()).isEqualTo(7);
    assertThat(small.decode(new int[] {4, 1, 2})).isEqualTo("hi ih ");
    assertThatThrownBy(() -> small.encode("hx"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x</w>'");

    Map<String, Integer> noEot = new HashMap<>(vocab);
    noEot.remove(ClipTokenizer.EOT);
    assertThatThrownBy(() -> ClipTokenizer.fromVocab(noEot, merges))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(ClipTokenizer.EOT);
    assertThatThrownBy(() -> ClipTokenizer.fromVocab(vocab, List.<String[]>of(new String[] {"i", "h"})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("merge 0")
        .hasMessageContaining("'ih'");
    Map<String, Integer> clash = new HashMap<>(vocab);
    clash.put("x", 0);
    assertThatThrownBy(() -> ClipTokenizer.fromVocab(clash, merges))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id 0");
  }
}
