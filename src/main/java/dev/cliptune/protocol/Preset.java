package dev.cliptune.protocol;

import dev.cliptune.prompt.Method;
import java.util.Map;

/**
 * One official configuration file (METHODS.md §7): the trainer, the training schedule and the method keys it
 * sets. {@code backbone} is the CLIP the file names (only ViTs are supported by the prompt learners).
 */
public record Preset(String name, Method method, String backbone, int batchSize, double lr, int epochs,
    Map<String, String> methodKeys) {}
