package dev.cliptune.world;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One downstream dataset of the world, written in the CoOp layout: {@code <folder>/images/} and
 * {@code <folder>/split_zhou_<name>.json}.
 *
 * @param name dataset name, also in the split file's name ({@code split_zhou_<name>.json})
 * @param folder folder under the output root
 * @param label what the classes are ({@code "shape"}, {@code "color_shape"}, ...)
 * @param classes the classes in label order (label = index)
 * @param style rendering style of every image
 * @param space distribution of the attributes the classes leave free
 * @param template the dataset's zero-shot template, with {@code {}} for the class name
 * @param role how the protocols use it
 * @param far whether its style or scene kind is rare in pretraining (zero-shot expected weak)
 * @param domainOf for a domain-generalisation target: the name of the source dataset whose classes
 *     it shares, else {@code null}
 * @param trainPerClass training images per class; 0 for test-only targets
 * @param valPerClass validation images per class
 * @param testPerClass test images per class
 * @param description one line for {@code world.json}
 */
public record DatasetSpec(String name, String folder, String label, List<ClassTarget> classes,
    Style style, SceneSpace space, String template, Role role, boolean far, String domainOf,
    int trainPerClass, int valPerClass, int testPerClass, String description) {

  /** How the protocols use a dataset. */
  public enum Role {
    /** A downstream dataset for base-to-new and as a cross-dataset target. */
    DOWNSTREAM("downstream"),
    /** The broad source of cross-dataset transfer and domain generalisation (ImageNet's role). */
    SOURCE("source"),
    /** Test-only: the source's classes in another domain (ImageNet-V2/Sketch/A/R's role). */
    DOMAIN_TARGET("domain_target");

    private final String id;

    Role(String id) {
      this.id = id;
    }

    /** The lower-case name used in {@code world.json}. */
    public String id() {
      return id;
    }
  }

  /** Validates names, counts and that class names are unique. */
  public DatasetSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(style, "style");
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(role, "role");
    classes = List.copyOf(classes);
    if (!template.contains("{}")) {
      throw new IllegalArgumentException(name + ": template '" + template + "' has no {}");
    }
    if (trainPerClass < 0 || valPerClass < 0 || testPerClass < 1) {
      throw new IllegalArgumentException(name + ": per-class counts must be >= 0 (test >= 1)");
    }
    Set<String> seen = new HashSet<>();
    for (ClassTarget c : classes) {
      if (!seen.add(c.name())) {
        throw new IllegalArgumentException(name + ": class " + c.name() + " appears twice");
      }
    }
  }

  /** The split file's name, {@code split_zhou_<name>.json}. */
  public String splitFile() {
    return "split_zhou_" + name + ".json";
  }

  /** The class names in label order. */
  public List<String> classNames() {
    return classes.stream().map(ClassTarget::name).toList();
  }

  /** Whether the split file lists the test images as train too (a test-only target, as Dassl does). */
  public boolean trainIsTest() {
    return trainPerClass == 0;
  }

  /** The number of base classes of the base/new split: {@code ceil(n/2)}. */
  public int baseClasses() {
    return (classes.size() + 1) / 2;
  }

  /** The zero-shot prompt of a class: the template with the name's underscores as spaces. */
  public String prompt(String className) {
    return template.replace("{}", className.replace('_', ' '));
  }

  /** This dataset with other per-class image counts (e.g. a small world for tests). */
  public DatasetSpec withCounts(int train, int val, int test) {
    return new DatasetSpec(name, folder, label, classes, style, space, template, role, far,
        domainOf, trainIsTest() ? 0 : train, trainIsTest() ? 0 : val, test, description);
  }
}
