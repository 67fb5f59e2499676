package dev.cliptune.cli.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cliptune.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --json FILE}: where a benchmark writes its rows (a mixin of the bench commands). */
public final class JsonOption {
  @Option(names = "--json", paramLabel = "FILE", description = "write {id: {seconds, images_per_s, gflops}}")
  Path file;

  /** Writes {@code rows} as indented JSON, atomically, when --json was given. */
  void write(Map<String, Object> rows) throws IOException {
    if (file == null) {
      return;
    }
    String text;
    try {
      text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode the benchmark rows as JSON", e);
    }
    AtomicFiles.writeString(file, text + "\n");
    System.out.println("wrote " + file);
  }
}
