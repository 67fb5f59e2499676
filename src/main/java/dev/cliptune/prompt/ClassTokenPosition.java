package dev.cliptune.prompt;

import java.util.Locale;

/** Where CoOp puts the class-name tokens relative to the context ({@code CLASS_TOKEN_POSITION}). */
public enum ClassTokenPosition {
  END, MIDDLE, FRONT;

  public static ClassTokenPosition parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("class token position '" + s + "': expected end, middle or front");
    }
  }
}
