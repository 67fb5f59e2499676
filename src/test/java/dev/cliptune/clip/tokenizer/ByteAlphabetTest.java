package dev.cliptune.clip.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bytes_to_unicode}: 188 printable bytes as themselves, then the other 68 from U+0100 in byte order. */
class ByteAlphabetTest {

  @Test
  void everyByteHasItsOwnCharacterAndBack() {
    for (int b = 0; b < 256; b++) {
      assertThat(ByteAlphabet.byteOf(ByteAlphabet.charOf(b))).as("byte %d", b).isEqualTo(b);
    }
    assertThat(ByteAlphabet.byteOf('\u0144')).isEqualTo(-1); // one past the 68 remapped characters
    assertThat(ByteAlphabet.byteOf('\u4e00')).isEqualTo(-1);
  }

  @Test
  void symbolsAreInTheOfficialVocabularyOrder() {
    List<String> s = ByteAlphabet.symbols();
    assertThat(s).hasSize(256);
    assertThat(new HashSet<>(s)).hasSize(256);
    assertThat(s.subList(0, 3)).containsExactly("!", "\"", "#");
    assertThat(s.get(93)).isEqualTo("~");
    assertThat(s.get(94)).isEqualTo("\u00a1");
    assertThat(s.get(187)).isEqualTo("\u00ff");
    assertThat(s.get(188)).isEqualTo("\u0100"); // byte 0
    assertThat(ByteAlphabet.charOf(' ')).isEqualTo('\u0120'); // the space every GPT-2-style vocabulary shows as Ġ
    assertThat(s.get(255)).isEqualTo("\u0143"); // byte 0xad, the soft hyphen, remapped last
  }
}
