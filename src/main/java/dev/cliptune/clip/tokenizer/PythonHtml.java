package dev.cliptune.clip.tokenizer;

import java.math.BigInteger;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}, reproduced rule for rule (CPython 3.11 {@code html/__init__.py}):
 * every HTML5 named reference (with the standard's longest-prefix rule for the legacy names that
 * may omit the semicolon, so {@code &ampfoo} is {@code &foo}), decimal and hexadecimal numeric
 * references with or without the semicolon, the HTML5 replacements for invalid numbers (C1 range
 * as Windows-1252, surrogates and values above U+10FFFF as U+FFFD, noncharacters and most
 * control characters removed).
 */
final class PythonHtml {
  private PythonHtml() {}

  private static final Pattern CHARREF =
      Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

  /**
   * What bytes 0x80..0x9F mean in (sloppy) Windows-1252; the five undefined bytes stay as the C1
   * control of the same number. Python's {@code _invalid_charrefs} and ftfy's C1 fix both use it.
   */
  static final String WINDOWS_1252_C1 =
      "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f"
      + "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

  private static final BigInteger MAX_CODE_POINT = BigInteger.valueOf(Character.MAX_CODE_POINT);

  /** Replaces every character reference in {@code s} as Python's {@code html.unescape} does. */
  static String unescape(String s) {
    if (s.indexOf('&') < 0) {
      return s;
    }
    Matcher m = CHARREF.matcher(s);
    StringBuilder out = new StringBuilder(s.length());
    int last = 0;
    while (m.find()) {
      out.append(s, last, m.start()).append(replace(m.group(1)));
      last = m.end();
    }
    return out.append(s, last, s.length()).toString();
  }

  private static String replace(String ref) {
    if (ref.charAt(0) == '#') {
      boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
      String digits = ref.substring(hex ? 2 : 1, ref.endsWith(";") ? ref.length() - 1 : ref.length());
      return numeric(new BigInteger(digits, hex ? 16 : 10));
    }
    Map<String, String> html5 = HtmlEntities.HTML5;
    String whole = html5.get(ref);
    if (whole != null) {
      return whole;
    }
    for (int x = ref.length() - 1; x > 1; x--) {
      String prefix = html5.get(ref.substring(0, x));
      if (prefix != null) {
        return prefix + ref.substring(x);
      }
    }
    return "&" + ref;
  }

  private static String numeric(BigInteger value) {
    if (value.compareTo(MAX_CODE_POINT) > 0) {
      return "\ufffd";
    }
    int cp = value.intValue();
    if (cp == 0x00) {
      return "\ufffd";
    }
    if (cp == 0x0d) {
      return "\r";
    }
    if (cp >= 0x80 && cp <= 0x9f) {
      return String.valueOf(WINDOWS_1252_C1.charAt(cp - 0x80));
    }
    if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
      return "\ufffd";
    }
    if (isInvalidCodePoint(cp)) {
      return "";
    }
    return Character.toString(cp);
  }

  /** Python's {@code _invalid_codepoints}: controls and noncharacters dropped by html.unescape. */
  private static boolean isInvalidCodePoint(int cp) {
    return (cp >= 0x01 && cp <= 0x08)
        || cp == 0x0b
        || (cp >= 0x0e && cp <= 0x1f)
        || (cp >= 0x7f && cp <= 0x9f)
        || (cp >= 0xfdd0 && cp <= 0xfdef)
        || (cp & 0xfffe) == 0xfffe;
  }
}
