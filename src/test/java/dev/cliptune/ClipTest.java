package dev.cliptune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.testing.Shared;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The library call {@code classify(image, classNames)} against the official zero-shot logits of the fixtures. */
class ClipTest {

  @Test
  void classifyGivesTheOfficialZeroShotProbabilities() throws IOException {
    Path dir = Shared.parity();
    JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    JsonNode zs = m.path("clip").path("zero_shot");
    List<String> classes = new ArrayList<>();
    zs.path("classnames").forEach(n -> classes.add(n.asText()));
    List<Path> images = new ArrayList<>();
    m.path("images").path("square_images_in_order").forEach(n -> images.add(dir.resolve(n.asText())));
    float[] ref;
    try (SafeTensors st = SafeTensors.open(dir.resolve(m.path("clip").path("file").asText()))) {
      ref = st.floats("zero_shot/logits");
    }
    int c = classes.size();
    try (Clip clip = Clip.load(dir.resolve(m.path("model").path("hf_dir").asText()))) {
      List<List<Classifier.Prediction>> got = clip.classify(images, classes, c, List.of(zs.path("template").asText()));
      double worst = 0;
      for (int i = 0; i < images.size(); i++) {
        double[] p = softmax(ref, i * c, c);
        List<Classifier.Prediction> preds = got.get(i);
        assertThat(preds).hasSize(c);
        assertThat(preds).isSortedAccordingTo((a, b) -> Float.compare(b.probability(), a.probability()));
        for (Classifier.Prediction pr : preds) {
          assertThat(pr.label()).isEqualTo(classes.get(pr.index()));
          worst = Math.max(worst, Math.abs(pr.probability() - p[pr.index()]));
          assertThat((double) pr.probability()).isCloseTo(p[pr.index()], within(1e-5));
        }
      }
      System.out.printf("classify: worst probability error %.2e (tolerance 1e-5)%n", worst);
      // the same label set is served from the cache: no second text encoding
      Classifier first = clip.classifier(classes, List.of(zs.path("template").asText()));
      assertThat(clip.classifier(classes, List.of(zs.path("template").asText()))).isSameAs(first);
    }
  }

  private static double[] softmax(float[] logits, int off, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      max = Math.max(max, logits[off + j]);
    }
    double sum = 0;
    double[] p = new double[n];
    for (int j = 0; j < n; j++) {
      p[j] = Math.exp(logits[off + j] - max);
      sum += p[j];
    }
    for (int j = 0; j < n; j++) {
      p[j] /= sum;
    }
    return p;
  }
}
