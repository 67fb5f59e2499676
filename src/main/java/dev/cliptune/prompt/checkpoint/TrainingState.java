package dev.cliptune.prompt.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a training run stands, stored beside the prompts so that it can resume (the official Dassl checkpoints
 * hold the completed epoch, the optimiser and the scheduler state; METHODS.md §9). Plain data: the trainer
 * builds it from its optimiser and schedule and puts it back into them, so checkpoints do not depend on the
 * training code.
 *
 * @param epoch        completed epochs (Dassl's {@code epoch} field; 0 before the first epoch ends)
 * @param globalStep   training batches processed since the run started
 * @param learningRate the learning rate in force for the next step
 * @param schedule     the learning-rate schedule the run follows
 * @param momentum     SGD momentum buffers by parameter name, as {@code train.Sgd#state()} returns them (a
 *                     parameter without a buffer has not taken a step yet)
 * @param sgdSteps     updates the optimiser has made ({@code train.Sgd#steps()})
 * @param rngState     the trainer's random-generator state in whatever string form it restores from, or null
 * @param extra        any further string values the trainer wants back (stored as one JSON object)
 */
public record TrainingState(int epoch, long globalStep, double learningRate, Schedule schedule,
    Map<String, float[]> momentum, long sgdSteps, String rngState, Map<String, String> extra) {

  public TrainingState {
    Objects.requireNonNull(schedule, "schedule");
    momentum = Collections.unmodifiableMap(new LinkedHashMap<>(momentum == null ? Map.of() : momentum));
    extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra == null ? Map.of() : extra));
  }

  /**
   * Dassl's cosine schedule with constant warm-up, as plain data (the trainer's {@code train.LrSchedule} reads and
   * writes it).
   */
  public record Schedule(double baseLr, int epochs, int warmupEpochs, double warmupLr) {}
}
