package dev.cliptune.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A table of the keys of a configuration record {@code C}, in a fixed order: looks keys up (case-insensitive),
 * parses and validates values with an error that names the key, the value and what was expected, and lists
 * itself for help and for {@code config.yaml}.
 */
public final class Settings<C> {
  private final Map<String, Setting<C>> byName = new LinkedHashMap<>();

  public Settings(List<Setting<C>> settings) {
    for (Setting<C> s : settings) {
      if (byName.put(s.name().toLowerCase(Locale.ROOT), s) != null) {
        throw new IllegalArgumentException("key " + s.name() + " is in the table twice");
      }
    }
  }

  public List<Setting<C>> all() {
    return List.copyOf(byName.values());
  }

  public List<String> names() {
    return byName.values().stream().map(Setting::name).toList();
  }

  public Optional<Setting<C>> find(String name) {
    return Optional.ofNullable(byName.get(name.trim().toLowerCase(Locale.ROOT)));
  }

  /**
   * {@code config} with {@code key} set to {@code value}.
   *
   * @param source what set it, for the error ({@code --set lr}, a preset's name, a checkpoint's field)
   * @throws IllegalArgumentException for an unknown key (naming every known one) or a value that does not parse
   *     or is out of range
   */
  public C apply(C config, String key, String value, String source) {
    Setting<C> s = find(key).orElseThrow(() -> new IllegalArgumentException(source + ": unknown key '" + key
        + "'; the keys are " + String.join(", ", names())));
    try {
      return s.parseAndSet().apply(config, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + " = '" + value + "': " + e.getMessage(), e);
    }
  }

  /** The values of the keys {@code config.yaml} records under {@code section}, in table order. */
  public Map<String, Object> values(C config, String section) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Setting<C> s : byName.values()) {
      if (section.equals(s.section())) {
        out.put(s.name(), s.value(config));
      }
    }
    return out;
  }

  /** One line per key: {@code name=TYPE: help}. */
  public List<String> help() {
    List<String> lines = new ArrayList<>();
    for (Setting<C> s : byName.values()) {
      lines.add(s.name() + "=" + s.type() + ": " + s.help());
    }
    return lines;
  }
}
