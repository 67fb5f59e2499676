package dev.cliptune.clip.tokenizer;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The text clean-up of {@code simple_tokenizer.py}:
 * {@code whitespace_clean(basic_clean(text)).lower()}, i.e. {@code ftfy.fix_text} (see {@link Ftfy}
 * for what is reproduced), {@code html.unescape} twice, {@code strip()}, every run of whitespace to
 * one space, {@code strip()}, {@code lower()}, each with Python's definitions.
 */
final class TextCleaner {
  private TextCleaner() {}

  /** {@code regex}'s {@code \s} on str patterns: the Unicode White_Space property, as here. */
  private static final Pattern WHITESPACE_RUN =
      Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

  /** Cleans {@code text} the way the official tokenizer does before pre-tokenising. */
  static String clean(String text) {
    String t = Ftfy.fixText(text);
    t = PythonHtml.unescape(PythonHtml.unescape(t));
    t = strip(t);
    t = WHITESPACE_RUN.matcher(t).replaceAll(" ");
    t = strip(t);
    return lower(t);
  }

  /**
   * Python's {@code str.lower()}: the full Unicode lower-case mapping, with capital sigma becoming
   * final sigma by Python's rule (preceded by a cased letter and not followed by one, skipping
   * case-ignorable characters in both directions). Java's {@code toLowerCase} decides final sigma
   * by word boundaries instead, which differs e.g. for {@code "ΑΣ1"}, so sigma is handled here.
   */
  static String lower(String s) {
    if (s.indexOf('\u03a3') < 0) {
      return s.toLowerCase(Locale.ROOT);
    }
    StringBuilder out = new StringBuilder(s.length());
    int start = 0;
    for (int i = s.indexOf('\u03a3'); i >= 0; i = s.indexOf('\u03a3', i + 1)) {
      out.append(s.substring(start, i).toLowerCase(Locale.ROOT));
      out.append(isFinalSigma(s, i) ? '\u03c2' : '\u03c3');
      start = i + 1;
    }
    return out.append(s.substring(start).toLowerCase(Locale.ROOT)).toString();
  }

  private static boolean isFinalSigma(String s, int index) {
    int j = index;
    int before = -1;
    while (j > 0) {
      before = s.codePointBefore(j);
      if (!isCaseIgnorable(before)) {
        break;
      }
      j -= Character.charCount(before);
      before = -1;
    }
    if (before < 0 || !isCased(before)) {
      return false;
    }
    for (int k = index + 1; k < s.length(); ) {
      int after = s.codePointAt(k);
      if (!isCaseIgnorable(after)) {
        return !isCased(after);
      }
      k += Character.charCount(after);
    }
    return true;
  }

  /** The Unicode property Cased. */
  private static boolean isCased(int cp) {
    return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
  }

  /**
   * The Unicode property Case_Ignorable: general category Mn, Me, Cf, Lm or Sk, or word-break
   * class MidLetter, MidNumLet or Single_Quote.
   */
  private static boolean isCaseIgnorable(int cp) {
    switch (Character.getType(cp)) {
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.FORMAT:
      case Character.MODIFIER_LETTER:
      case Character.MODIFIER_SYMBOL:
        return true;
      default:
        return cp == '\'' || cp == '.' || cp == ':' || cp == 0x00b7 || cp == 0x0387
            || cp == 0x055f || cp == 0x05f4 || cp == 0x2018 || cp == 0x2019 || cp == 0x2024
            || cp == 0x2027 || cp == 0xfe13 || cp == 0xfe52 || cp == 0xfe55 || cp == 0xff07
            || cp == 0xff0e || cp == 0xff1a;
    }
  }

  /** Python's {@code str.strip()} with no argument. */
  static String strip(String s) {
    int begin = 0;
    int end = s.length();
    while (begin < end && isPythonSpace(s.charAt(begin))) {
      begin++;
    }
    while (end > begin && isPythonSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(begin, end);
  }

  /**
   * Python's {@code str.isspace()} for one character (all such characters are in the BMP): the
   * Unicode White_Space characters plus U+001C..U+001F, which Python also counts.
   */
  static boolean isPythonSpace(char c) {
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0
        || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029
        || c == 0x202f || c == 0x205f || c == 0x3000;
  }
}
