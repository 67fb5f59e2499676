package dev.cliptune.parity;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which checks {@code --only} asks for: a group ({@code tokenisation}, {@code preprocess}, {@code clip},
 * {@code methods}, {@code fewshot}), a method name ({@code coop}, {@code MaPLe}, case-insensitive), a case id
 * ({@code coop_init_end}), or the name or name prefix of single checks ({@code clip/zero_shot}). Empty: all.
 */
public final class Selection {
  private final List<String> selectors;
  private final Set<String> used = new LinkedHashSet<>();

  public Selection(List<String> selectors) {
    this.selectors = selectors == null ? List.of()
        : selectors.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  public boolean all() {
    return selectors.isEmpty();
  }

  /**
   * True when a check of {@code group} (and, for method cases, {@code method} and {@code caseId}; null
   * otherwise) with the given name is selected.
   */
  public boolean wants(String group, String method, String caseId, String checkName) {
    if (selectors.isEmpty()) {
      return true;
    }
    boolean hit = false;
    for (String s : selectors) {
      String l = s.toLowerCase(Locale.ROOT);
      if (l.equals(group)
          || (method != null && l.equals(method.toLowerCase(Locale.ROOT)))
          || (caseId != null && s.equals(caseId))
          || checkName.equals(s) || checkName.startsWith(s.endsWith("/") ? s : s + "/")) {
        used.add(s);
        hit = true;
      }
    }
    return hit;
  }

  /** Selectors that matched no check. */
  public List<String> unused() {
    return selectors.stream().filter(s -> !used.contains(s)).toList();
  }
}
