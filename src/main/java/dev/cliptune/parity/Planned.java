package dev.cliptune.parity;

import java.util.function.Supplier;

/**
 * A check that a suite can run: its group, method and case (for selection) and how to compute it. Planning
 * is cheap; nothing is loaded until a selected check runs.
 */
record Planned(String group, String method, String caseId, String name, Supplier<Check> run) {

  static Planned of(String group, String name, Supplier<Check> run) {
    return new Planned(group, null, null, name, run);
  }
}
