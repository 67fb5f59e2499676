package dev.cliptune.data;

import java.util.List;

/**
 * The three lists of a dataset: train, val and test, each in loader order. Instances are immutable (the
 * lists are copied).
 */
public record Split(List<Item> train, List<Item> val, List<Item> test) {
  public Split {
    train = List.copyOf(train);
    val = List.copyOf(val);
    test = List.copyOf(test);
  }

  /**
   * The class list handed to a model: the class names of the <em>training</em> items by ascending label
   * (Dassl's {@code get_lab2cname}); see {@link FewShot#classnames(List)}.
   */
  public List<String> classnames() {
    return FewShot.classnames(train);
  }

  /** {@code max(train label) + 1} (Dassl's {@code get_num_classes}); 0 for an empty train list. */
  public int numClasses() {
    return train.stream().mapToInt(Item::label).max().orElse(-1) + 1;
  }
}
