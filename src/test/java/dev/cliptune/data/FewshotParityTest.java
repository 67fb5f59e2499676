package dev.cliptune.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cliptune.parity.ParityRunner;
import dev.cliptune.parity.Selection;
import dev.cliptune.testing.Shared;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every case of {@code ../shared/fixtures/fewshot} must be reproduced exactly (skipped when absent). */
class FewshotParityTest {

  @Test
  void allFewshotFixturesPass() {
    ParityRunner.Result r = ParityRunner.run(Shared.fewshot(), new Selection(List.of()), System.out);
    assertThat(r.checks()).isNotEmpty();
    assertThat(r.failed()).as(r.summary()).isZero();
    assertThat(r.skipped()).as(r.summary()).isZero();
  }
}
