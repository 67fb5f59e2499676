package dev.cliptune.prompt;

import ai.djl.ndarray.NDArray;

/**
 * A learnable tensor of a prompt learner under its official names: {@code name} relative to the whole model
 * ({@code prompt_learner.ctx}, {@code image_encoder.VPT}) and {@code checkpointKey}, its key in the official
 * checkpoint file.
 */
public record PromptParameter(String name, String checkpointKey, NDArray value) {}
