package dev.cliptune.config;

import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One settable key of a configuration record {@code C}: its name (as the official configs and {@code --set}
 * spell it), its value type, a line of help, where {@code config.yaml} records it, how to read it from a
 * config and how to set a value parsed from text. Tables of these ({@link Settings}) drive parsing,
 * validation, {@code --help} and {@code config.yaml}, so a key exists in one place.
 *
 * @param section where {@code config.yaml} records the key ({@code method}, {@code optim}, {@code run}), or null
 *                when it is not recorded (a display preference)
 * @param type    the value's type as help shows it ({@code INT}, {@code NUMBER}, {@code BOOL}, {@code TEXT},
 *                or the choices {@code a|b|c})
 */
public record Setting<C>(String name, String section, String type, String help, Function<C, Object> get,
    BiFunction<C, String, C> parseAndSet) {

  /** An integer key; {@code min} is the smallest valid value. */
  public static <C> Setting<C> integer(String name, String section, int min, String help, Function<C, Integer> get,
      BiFunction<C, Integer, C> set) {
    return new Setting<>(name, section, "INT", help, get::apply, (c, text) -> {
      int v;
      try {
        v = Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected an integer");
      }
      if (v < min) {
        throw new IllegalArgumentException("expected an integer >= " + min);
      }
      return set.apply(c, v);
    });
  }

  /** A 64-bit integer key (seeds). */
  public static <C> Setting<C> longInteger(String name, String section, String help, Function<C, Long> get,
      BiFunction<C, Long, C> set) {
    return new Setting<>(name, section, "INT", help, get::apply, (c, text) -> {
      try {
        return set.apply(c, Long.parseLong(text.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected an integer");
      }
    });
  }

  /** A finite floating-point key; {@code set} checks the range (throwing {@link IllegalArgumentException}). */
  public static <C> Setting<C> number(String name, String section, String help, Function<C, Object> get,
      BiFunction<C, Double, C> set) {
    return new Setting<>(name, section, "NUMBER", help, get, (c, text) -> {
      double v;
      try {
        v = Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected a number");
      }
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("expected a finite number");
      }
      return set.apply(c, v);
    });
  }

  /** A boolean key: {@code true/false}, {@code 1/0} or {@code yes/no}. */
  public static <C> Setting<C> bool(String name, String section, String help, Function<C, Boolean> get,
      BiFunction<C, Boolean, C> set) {
    return new Setting<>(name, section, "BOOL", help, get::apply, (c, text) -> set.apply(c, parseBool(text)));
  }

  /** A free text key. */
  public static <C> Setting<C> text(String name, String section, String help, Function<C, String> get,
      BiFunction<C, String, C> set) {
    return new Setting<>(name, section, "TEXT", help, get::apply, set);
  }

  /** A key with a fixed set of lower-case values. */
  public static <C> Setting<C> choice(String name, String section, List<String> choices, String help,
      Function<C, String> get, BiFunction<C, String, C> set) {
    return new Setting<>(name, section, String.join("|", choices), help, get::apply, (c, text) -> {
      String v = text.trim().toLowerCase(Locale.ROOT);
      if (!choices.contains(v)) {
        throw new IllegalArgumentException("expected " + String.join(", ", choices));
      }
      return set.apply(c, v);
    });
  }

  /** {@code true/1/yes} or {@code false/0/no}, any case. */
  public static boolean parseBool(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }

  /** This key on a record {@code D} that holds a {@code C} (a run config holding its training options). */
  public <D> Setting<D> on(Function<D, C> part, BiFunction<D, C, D> withPart) {
    return new Setting<>(name, section, type, help, d -> get.apply(part.apply(d)),
        (d, text) -> withPart.apply(d, parseAndSet.apply(part.apply(d), text)));
  }

  /** The value as {@code config.yaml} and checkpoints record it. */
  public Object value(C config) {
    return get.apply(config);
  }
}
