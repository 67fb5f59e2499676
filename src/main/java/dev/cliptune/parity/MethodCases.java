package dev.cliptune.parity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cliptune.io.SafeTensors;
import dev.cliptune.io.TensorInfo;
import java.nio.file.Path;
import java.util.List;

/**
 * The prompt-learning method cases of a manifest ({@code methods[]}): one check per reference tensor of the
 * case file except its inputs and starting parameters.
 */
final class MethodCases {
  private MethodCases() {}

  static void plan(JsonNode manifest, Path dir, List<Planned> out) {
    for (JsonNode c : manifest.path("methods")) {
      String id = c.path("id").asText();
      String method = c.path("method").asText();
      Path file = dir.resolve(c.path("file").asText());
      try (SafeTensors st = SafeTensors.open(file)) {
        for (TensorInfo t : st.tensors()) {
          String tensor = t.name();
          if (tensor.startsWith("inputs/") || tensor.startsWith("params/")) {
            continue;
          }
          String name = id + "/" + tensor;
          out.add(new Planned("methods", method, id, name,
              () -> Check.skip(name, method + " is not implemented yet")));
        }
      }
    }
  }
}
