package dev.cliptune.clip.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The clean-up before pre-tokenising. Every expected value was produced by the official code:
 * CPython 3.11 {@code html.unescape}, and {@code whitespace_clean(basic_clean(text)).lower()} of
 * {@code simple_tokenizer.py} with ftfy 6.3.1 and regex 2026.5.9.
 */
class TextCleanerTest {

  static Stream<Arguments> pythonHtmlUnescape() {
    return Stream.of(
        Arguments.of("&amp;", "&"),
        Arguments.of("&ampfoo", "&foo"),
        Arguments.of("&amp", "&"),
        Arguments.of("&notin", "\u00acin"),
        Arguments.of("&notit;", "\u00acit;"),
        Arguments.of("&lt;&gt;&quot;&apos;&nbsp;", "<>\"'\u00a0"),
        Arguments.of("&#39;&#x27;&#X27", "'''"),
        Arguments.of("&#150;", "\u2013"),
        Arguments.of("&#0;", "\ufffd"),
        Arguments.of("&#13;", "\r"),
        Arguments.of("&#x110000;", "\ufffd"),
        Arguments.of("&#xD800;", "\ufffd"),
        Arguments.of("&#11;", ""),
        Arguments.of("&#65535;", ""),
        Arguments.of("&#128512;", "\ud83d\ude00"),
        Arguments.of("&frac12x", "\u00bdx"),
        Arguments.of("&unknown;", "&unknown;"),
        Arguments.of("&", "&"),
        Arguments.of("&#;", "&#;"),
        Arguments.of("&Aacute", "\u00c1"),
        Arguments.of("&AMP;", "&"),
        Arguments.of("&#0000000065;", "A"));
  }

  @ParameterizedTest
  @MethodSource
  void pythonHtmlUnescape(String input, String expected) {
    assertThat(PythonHtml.unescape(input)).isEqualTo(expected);
  }

  static Stream<Arguments> officialClean() {
    return Stream.of(
        Arguments.of("fish &amp; chips", "fish & chips"),
        // ftfy unescapes until nothing changes, then html.unescape runs twice more ...
        Arguments.of("&amp;amp;amp;amp;", "&"),
        // ... but ftfy leaves entities alone from the first line with a '<' on
        Arguments.of("<b> &amp;amp;amp;", "<b> &amp;"),
        Arguments.of("x &amp;amp;amp; y\na <b> &amp;amp;amp; z", "x & y a <b> &amp; z"),
        Arguments.of("a <b>\nx &amp;amp;amp;", "a <b> x &amp;"),
        Arguments.of("x &amp;amp;amp;\na <b>", "x & a <b>"),
        Arguments.of("it&#x2019;s", "it's"),
        Arguments.of("&EACUTE;T&EACUTE;", "\u00e9t\u00e9"),
        Arguments.of("BUNDESSTRA&SZLIG;E", "bundesstrasse"),
        Arguments.of("&nTILDE;", "&ntilde;"),
        Arguments.of("\u201chere\u2019s\u201d", "\"here's\""),
        Arguments.of("\ufb02u\ufb03e\ufb06", "fluffiest"),
        Arguments.of("\uff2c\uff2f\uff35\uff24\u3000\uff2e\uff2f\uff29\uff33\uff25\uff33", "loud noises"),
        Arguments.of("\u001b[36;44mblue\u001b[0m", "blue"),
        Arguments.of("e\u0301te\u0301", "\u00e9t\u00e9"),
        Arguments.of("a\u0096b", "a\u2013b"),
        Arguments.of("zero\u200bwidth\ufeff", "zero\u200bwidth"),
        Arguments.of("ctrl\u0001\u007fchars", "ctrlchars"),
        Arguments.of("\u0130stanbul", "i\u0307stanbul"),
        // Python's final-sigma rule; Java's toLowerCase alone gives a final sigma for the last two
        Arguments.of("\u039f\u0394\u039f\u03a3 1", "\u03bf\u03b4\u03bf\u03c2 1"),
        Arguments.of("\u0391\u03a3.", "\u03b1\u03c2."),
        Arguments.of("\u03911\u03a3", "\u03b11\u03c3"),
        Arguments.of("R78\u03a3+", "r78\u03c3+"),
        Arguments.of("line1\r\nline2\u2028line3\u0085x", "line1 line2 line3\u2026x"),
        Arguments.of("\u00a0 nbsp\u3000 ", "nbsp"),
        Arguments.of("\u001c\u001d x \u001e\u001f", "x"),
        Arguments.of("\ud83d", "\ufffd"),
        Arguments.of("a &lt;b&gt; c\nd &amp;amp; e", "a <b> c d & e"));
  }

  @ParameterizedTest
  @MethodSource
  void officialClean(String input, String expected) {
    assertThat(TextCleaner.clean(input)).isEqualTo(expected);
  }
}
