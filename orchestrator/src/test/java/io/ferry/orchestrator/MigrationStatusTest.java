package io.ferry.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.orchestrator.MigrationStatus.StepStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationStatusTest {

  private static MigrationStatus status(JobState state, StepState... states) {
    List<StepStatus> steps = new ArrayList<>();
    for (StepName name : StepName.values()) {
      StepState stepState = name.ordinal() < states.length ? states[name.ordinal()] : StepState.PENDING;
      long done = stepState == StepState.RUNNING ? 50 : 0;
      steps.add(new StepStatus(name, stepState, 0, null, null, done, stepState == StepState.RUNNING ? 100 : -1, null,
          null, null, null, null));
    }
    return new MigrationStatus("job", state, null, null, null, null, null, null, null, null, Instant.EPOCH,
        Instant.EPOCH, null, steps);
  }

  @Test
  void progressCountsFinishedAndSkippedStepsWholeAndTheRunningStepByBytes() {
    assertThat(status(JobState.QUEUED).progressPercent()).isZero();
    MigrationStatus halfwayThroughExport = status(JobState.RUNNING, StepState.SUCCEEDED, StepState.RUNNING);
    assertThat(halfwayThroughExport.progressPercent()).isEqualTo((int) Math.floor(100 * 1.5 / 11));
    MigrationStatus reused = status(JobState.RUNNING, StepState.SUCCEEDED, StepState.SKIPPED, StepState.SKIPPED,
        StepState.SKIPPED);
    assertThat(reused.progressPercent()).isEqualTo((int) Math.floor(100 * 4.0 / 11));
  }

  @Test
  void aFinishedJobIsAtOneHundredAndARunningOneNeverIs() {
    StepState[] all = new StepState[StepName.values().length];
    java.util.Arrays.fill(all, StepState.SUCCEEDED);
    assertThat(status(JobState.RUNNING, all).progressPercent()).isEqualTo(99);
    assertThat(status(JobState.FAILED).progressPercent()).isEqualTo(100);
  }

  @Test
  void stepLooksUpByName() {
    assertThat(status(JobState.RUNNING, StepState.SUCCEEDED).step(StepName.PLAN).state()).isEqualTo(StepState.SUCCEEDED);
  }
}
