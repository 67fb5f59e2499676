package dev.cliptune.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dassl's {@code Classification} evaluator (PROTOCOL.md §9): top-1 accuracy, macro-F1 over the classes present
 * in the ground truth (a prediction of a class absent from the ground truth is nobody's false positive), the
 * per-class accuracy and the confusion matrix ({@code confusion[true][predicted]}).
 */
public final class Metrics {
  private final int numClasses;
  private final long[][] confusion;
  private long total;
  private long correct;

  public Metrics(int numClasses) {
    this.numClasses = numClasses;
    this.confusion = new long[numClasses][numClasses];
  }

  /** Adds one prediction. */
  public void add(int trueLabel, int predicted) {
    if (trueLabel < 0 || trueLabel >= numClasses || predicted < 0 || predicted >= numClasses) {
      throw new IllegalArgumentException("label " + trueLabel + " / prediction " + predicted
          + " outside 0.." + (numClasses - 1));
    }
    confusion[trueLabel][predicted]++;
    total++;
    if (trueLabel == predicted) {
      correct++;
    }
  }

  public long total() {
    return total;
  }

  /** 100 · correct / total. */
  public double accuracy() {
    return total == 0 ? 0 : 100.0 * correct / total;
  }

  /** 100 · mean F1 over the classes that occur in the ground truth. */
  public double macroF1() {
    double sum = 0;
    int present = 0;
    for (int c = 0; c < numClasses; c++) {
      long support = 0;
      for (long v : confusion[c]) {
        support += v;
      }
      if (support == 0) {
        continue;
      }
      present++;
      long tp = confusion[c][c];
      long predicted = 0;
      for (int t = 0; t < numClasses; t++) {
        predicted += confusion[t][c]; // every true label t with a count is present by definition
      }
      double p = predicted == 0 ? 0 : (double) tp / predicted;
      double r = (double) tp / support;
      sum += p + r == 0 ? 0 : 2 * p * r / (p + r);
    }
    return present == 0 ? 0 : 100 * sum / present;
  }

  /** 100 · mean over present classes of their accuracy. */
  public double meanPerClassAccuracy() {
    double[] pc = perClassAccuracy();
    double sum = 0;
    int n = 0;
    for (int c = 0; c < numClasses; c++) {
      if (!Double.isNaN(pc[c])) {
        sum += pc[c];
        n++;
      }
    }
    return n == 0 ? 0 : sum / n;
  }

  /** Accuracy of each class in percent (NaN for classes absent from the ground truth). */
  public double[] perClassAccuracy() {
    double[] out = new double[numClasses];
    for (int c = 0; c < numClasses; c++) {
      long support = 0;
      for (long v : confusion[c]) {
        support += v;
      }
      out[c] = support == 0 ? Double.NaN : 100.0 * confusion[c][c] / support;
    }
    return out;
  }

  public long[][] confusion() {
    long[][] copy = new long[numClasses][];
    for (int i = 0; i < numClasses; i++) {
      copy[i] = confusion[i].clone();
    }
    return copy;
  }

  /** Results as a JSON-ready map, class names for the per-class section. */
  public Map<String, Object> toMap(List<String> classNames) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("total", total);
    m.put("correct", correct);
    m.put("accuracy", accuracy());
    m.put("error", 100 - accuracy());
    m.put("macro_f1", macroF1());
    m.put("mean_per_class_accuracy", meanPerClassAccuracy());
    Map<String, Object> per = new LinkedHashMap<>();
    double[] pc = perClassAccuracy();
    for (int c = 0; c < numClasses; c++) {
      per.put(classNames.get(c), Double.isNaN(pc[c]) ? null : pc[c]);
    }
    m.put("per_class_accuracy", per);
    m.put("confusion", confusion());
    return m;
  }
}
