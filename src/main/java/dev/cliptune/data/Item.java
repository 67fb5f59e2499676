package dev.cliptune.data;

import java.util.Objects;

/**
 * One labelled image, Dassl's {@code Datum}: the image path (as listed in the split file, relative to the
 * dataset's image folder), the integer label and the class name.
 */
public record Item(String impath, int label, String classname) {
  public Item {
    Objects.requireNonNull(impath, "impath");
    Objects.requireNonNull(classname, "classname");
  }

  /** The same image and class name under another label (used when relabelling a base/new half). */
  public Item withLabel(int newLabel) {
    return new Item(impath, newLabel, classname);
  }
}
