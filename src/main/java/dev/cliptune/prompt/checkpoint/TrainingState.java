package dev.cliptune.prompt.checkpoint;

import dev.cliptune.train.LrSchedule;
import dev.cliptune.train.Sgd;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a training run stands, stored beside the prompts so that it can resume (the official Dassl checkpoints
 * hold the completed epoch, the optimiser and the scheduler state; METHODS.md §9).
 *
 * @param epoch        completed epochs (Dassl's {@code epoch} field; 0 before the first epoch ends)
 * @param globalStep   training batches processed since the run started
 * @param learningRate the learning rate in force for the next step
 * @param schedule     the learning-rate schedule the run follows
 * @param momentum     SGD momentum buffers by parameter name, as {@link Sgd#state()} returns them (a parameter
 *                     without a buffer has not taken a step yet)
 * @param sgdSteps     {@link Sgd#steps()}
 * @param rngState     the trainer's random-generator state in whatever string form it restores from, or null
 * @param extra        any further string values the trainer wants back (stored as one JSON object)
 */
public record TrainingState(int epoch, long globalStep, double learningRate, LrSchedule schedule,
    Map<String, float[]> momentum, long sgdSteps, String rngState, Map<String, String> extra) {

  public TrainingState {
    Objects.requireNonNull(schedule, "schedule");
    momentum = Collections.unmodifiableMap(new LinkedHashMap<>(momentum == null ? Map.of() : momentum));
    extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra == null ? Map.of() : extra));
  }

  /** Puts the momentum buffers and the step count back into an optimiser built over the loaded learner's parameters. */
  public void restore(Sgd sgd) {
    sgd.restore(momentum, sgdSteps);
  }
}
