package dev.cliptune.clip.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.testing.Shared;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of the parity fixtures ({@code manifest.json -> tokenisation}), computed with the
 * official {@code clip.tokenize}: BPE ids, the padded row or the exact error, and the
 * {@code truncate=True} row. Nothing about the set of cases is assumed.
 */
class ClipTokenizerParityTest {

  private static JsonNode tokenisation() throws IOException {
    Path manifest = Shared.parity().resolve("manifest.json");
    return new ObjectMapper().readTree(manifest.toFile()).get("tokenisation");
  }

  private static ClipTokenizer tokenizer() {
    return ClipTokenizer.fromDirectory(Shared.parity().resolve("model/hf"));
  }

  private static int[] ints(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::intValue).toArray();
  }

  private static long[] longs(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::longValue).toArray();
  }

  @Test
  void specialTokensAndContextLengthMatchTheManifest() throws IOException {
    JsonNode t = tokenisation();
    ClipTokenizer tok = tokenizer();
    assertThat(tok.sotId()).isEqualTo(t.get("sot_id").intValue());
    assertThat(tok.eotId()).isEqualTo(t.get("eot_id").intValue());
    assertThat(t.get("pad_id").intValue()).as("this tokenizer pads with 0").isZero();
    assertThat(t.get("context_length").intValue()).isEqualTo(ClipTokenizer.DEFAULT_CONTEXT_LENGTH);
  }

  @TestFactory
  List<DynamicTest> everyManifestCase() throws IOException {
    JsonNode t = tokenisation();
    int contextLength = t.get("context_length").intValue();
    ClipTokenizer tok = tokenizer();
    List<DynamicTest> tests = new ArrayList<>();
    JsonNode cases = t.get("cases");
    assertThat(cases.size()).isPositive();
    for (int i = 0; i < cases.size(); i++) {
      JsonNode c = cases.get(i);
      String text = c.get("text").textValue();
      String name = "case " + i + ": " + (text.length() > 60 ? text.substring(0, 60) + "..." : text);
      tests.add(DynamicTest.dynamicTest(name, () -> checkCase(tok, c, text, contextLength)));
    }
    return tests;
  }

  private static void checkCase(ClipTokenizer tok, JsonNode c, String text, int contextLength) {
    int[] bpe = ints(c.get("bpe_ids"));
    assertThat(tok.encode(text)).as("bpe_ids").containsExactly(bpe);
    assertThat(tok.nameLength(text)).isEqualTo(bpe.length);

    if (c.path("too_long").asBoolean(false)) {
      String expected = c.get("error").textValue().replace("<text>", text);
      assertThatThrownBy(() -> tok.tokenize(text, contextLength, false))
          .isInstanceOf(TextTooLongException.class)
          .hasMessage(expected);
      assertThatThrownBy(() -> tok.tokenize(List.of("a photo", text), contextLength, false))
          .isInstanceOf(TextTooLongException.class)
          .hasMessage(expected);
    } else {
      long[] tokens = longs(c.get("tokens"));
      assertThat(tok.tokenize(text, contextLength, false)).as("tokens").containsExactly(tokens);
      assertThat(tok.tokenize(List.of(text), contextLength, false)[0]).containsExactly(tokens);
    }

    JsonNode truncated = c.get("tokens_truncate_true");
    if (truncated != null && !truncated.isNull()) {
      assertThat(tok.tokenize(text, contextLength, true)).as("tokens_truncate_true")
          .containsExactly(longs(truncated));
    }
  }
}
