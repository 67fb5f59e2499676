package dev.cliptune.protocol;

import dev.cliptune.prompt.Method;
import java.util.Map;

/**
 * One official configuration file (METHODS.md §7): the trainer, the training schedule and the method keys it
 * sets. {@code backbone} is the CLIP the file names (informational: the model is the one {@code --model} gives; RN50
 * and RN101 run CoOp, CoCoOp and MIP, not the methods whose prompts enter ViT layers).
 */
public record Preset(String name, Method method, String backbone, int batchSize, double lr, int epochs,
    Map<String, String> methodKeys) {}
