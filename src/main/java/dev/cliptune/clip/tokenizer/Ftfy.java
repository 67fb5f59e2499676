package dev.cliptune.clip.tokenizer;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of {@code ftfy.fix_text} (ftfy 6.3, default configuration) that does not guess at
 * encodings: it is reproduced step for step, and only {@code fix_encoding} (mojibake detection and
 * repair, e.g. {@code "sÃ³"} to {@code "só"}, with its sub-steps {@code restore_byte_a0},
 * {@code replace_lossy_sequences} and {@code decode_inconsistent_utf8}) is left out. ftfy skips
 * that step for any text its {@code is_bad} heuristic does not flag as mojibake, so the result is
 * ftfy's for all such text.
 *
 * <p>As in ftfy, the text is fixed line by line (each segment ends after a {@code \n}; ftfy also
 * cuts lines longer than a million characters, which is not reproduced); within a segment the
 * fixes below are repeated until the text stops changing:
 *
 * <ol>
 *   <li>{@code unescape_html}: HTML5 entities that end in {@code ;} (plus all-caps forms of the
 *       lower-case names, e.g. {@code &EACUTE;}) and numeric references. Disabled from the first
 *       segment that contains {@code <} onwards, as ftfy's "auto" setting does;
 *   <li>{@code fix_c1_controls}: U+0080..U+009F read as Windows-1252;
 *   <li>{@code fix_latin_ligatures} ({@code ﬁ} to {@code fi}, ...);
 *   <li>{@code fix_character_width}: full-/half-width forms to their normal forms, U+3000 to a
 *       space;
 *   <li>{@code uncurl_quotes}: U+02BC and U+2018..U+201B to {@code '}, U+201C..U+201F to {@code "};
 *   <li>{@code fix_line_breaks}: CRLF, CR, U+2028, U+2029, U+0085 to {@code \n};
 *   <li>{@code fix_surrogates}: unpaired surrogates to U+FFFD;
 *   <li>{@code remove_terminal_escapes}: ANSI escape sequences removed;
 *   <li>{@code remove_control_chars}: U+0000..U+0008, U+000B, U+000E..U+001F, U+007F,
 *       U+206A..U+206F, U+FEFF, U+FFF9..U+FFFC removed;
 *   <li>NFC normalisation.
 * </ol>
 */
final class Ftfy {
  private Ftfy() {}

  private static final Pattern HTML_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
  private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001b\\[(?:\\p{Nd}|;)*[a-zA-Z]");
  private static final Map<String, String> ENTITIES = buildEntities();
  private static final Map<Integer, String> LIGATURES = Map.ofEntries(
      Map.entry(0x0132, "IJ"), Map.entry(0x0133, "ij"), Map.entry(0x0149, "\u02bcn"),
      Map.entry(0x01f1, "DZ"), Map.entry(0x01f2, "Dz"), Map.entry(0x01f3, "dz"),
      Map.entry(0x01c4, "D\u017d"), Map.entry(0x01c5, "D\u017e"), Map.entry(0x01c6, "d\u017e"),
      Map.entry(0x01c7, "LJ"), Map.entry(0x01c8, "Lj"), Map.entry(0x01c9, "lj"),
      Map.entry(0x01ca, "NJ"), Map.entry(0x01cb, "Nj"), Map.entry(0x01cc, "nj"),
      Map.entry(0xfb00, "ff"), Map.entry(0xfb01, "fi"), Map.entry(0xfb02, "fl"),
      Map.entry(0xfb03, "ffi"), Map.entry(0xfb04, "ffl"), Map.entry(0xfb05, "\u017ft"),
      Map.entry(0xfb06, "st"));

  /** Applies the fixes listed in the class comment. */
  static String fixText(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean unescapeHtml = true;
    int pos = 0;
    while (pos < text.length()) {
      int newline = text.indexOf('\n', pos);
      int end = newline < 0 ? text.length() : newline + 1;
      String segment = text.substring(pos, end);
      if (segment.indexOf('<') >= 0) {
        unescapeHtml = false;
      }
      out.append(fixSegment(segment, unescapeHtml));
      pos = end;
    }
    return out.toString();
  }

  private static String fixSegment(String text, boolean unescapeHtml) {
    while (true) {
      String original = text;
      if (unescapeHtml) {
        text = unescapeHtml(text);
      }
      text = fixC1Controls(text);
      text = fixLatinLigatures(text);
      text = fixCharacterWidth(text);
      text = uncurlQuotes(text);
      text = fixLineBreaks(text);
      text = fixSurrogates(text);
      text = ANSI_ESCAPE.matcher(text).replaceAll("");
      text = removeControlChars(text);
      text = Normalizer.normalize(text, Normalizer.Form.NFC);
      if (text.equals(original)) {
        return text;
      }
    }
  }

  /**
   * ftfy's entity table: every HTML5 name that ends in {@code ;}, plus the upper-cased form of each
   * all-lower-case name that is not itself an entity (decoded to the upper-cased character).
   */
  private static Map<String, String> buildEntities() {
    Map<String, String> entities = new HashMap<>(8192);
    HtmlEntities.HTML5.forEach((name, value) -> {
      if (!name.endsWith(";")) {
        return;
      }
      entities.put("&" + name, value);
      if (name.equals(name.toLowerCase(Locale.ROOT))) {
        String upper = "&" + name.toUpperCase(Locale.ROOT);
        if (PythonHtml.unescape(upper).equals(upper)) {
          entities.put(upper, value.toUpperCase(Locale.ROOT));
        }
      }
    });
    return Map.copyOf(entities);
  }

  /** ftfy's {@code unescape_html}. */
  private static String unescapeHtml(String text) {
    Matcher m = HTML_ENTITY.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    int last = 0;
    while (m.find()) {
      String entity = m.group();
      String replacement = ENTITIES.get(entity);
      if (replacement == null && entity.startsWith("&#")) {
        String unescaped = PythonHtml.unescape(entity);
        replacement = unescaped.indexOf(';') >= 0 ? entity : unescaped;
      }
      out.append(text, last, m.start()).append(replacement == null ? entity : replacement);
      last = m.end();
    }
    return out.append(text, last, text.length()).toString();
  }

  private static String fixC1Controls(String text) {
    return mapCodePoints(text, cp -> cp >= 0x80 && cp <= 0x9f
        ? String.valueOf(PythonHtml.WINDOWS_1252_C1.charAt(cp - 0x80)) : null);
  }

  private static String fixLatinLigatures(String text) {
    return mapCodePoints(text, LIGATURES::get);
  }

  private static String fixCharacterWidth(String text) {
    return mapCodePoints(text, cp -> cp == 0x3000 ? " "
        : cp >= 0xff01 && cp < 0xfff0 ? Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFKC)
        : null);
  }

  private static String uncurlQuotes(String text) {
    return mapCodePoints(text, cp -> cp == 0x02bc || (cp >= 0x2018 && cp <= 0x201b) ? "'"
        : cp >= 0x201c && cp <= 0x201f ? "\"" : null);
  }

  private static String fixLineBreaks(String text) {
    return text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n')
        .replace('\u2029', '\n').replace('\u0085', '\n');
  }

  private static String fixSurrogates(String text) {
    return mapCodePoints(text,
        cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE ? "\ufffd" : null);
  }

  private static String removeControlChars(String text) {
    return mapCodePoints(text, cp -> isRemovedControl(cp) ? "" : null);
  }

  /** Replaces each code point for which {@code replacement} gives a string; keeps the others. */
  private static String mapCodePoints(String text, IntFunction<String> replacement) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(cp -> {
      String r = replacement.apply(cp);
      if (r == null) {
        out.appendCodePoint(cp);
      } else {
        out.append(r);
      }
    });
    return out.toString();
  }

  private static boolean isRemovedControl(int cp) {
    return cp <= 0x08 || cp == 0x0b || (cp >= 0x0e && cp <= 0x1f) || cp == 0x7f
        || (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffc);
  }
}
