package dev.prefork.master.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prefork.core.control.ControlMessage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DrainBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theDeadlineIsTheDrainDelayPlusTheGracefulTimeout() {
        DrainBudget budget = DrainBudget.of(100 * SECOND, Duration.ofSeconds(3), Duration.ofSeconds(4));

        assertThat(budget.acceptUntil()).isEqualTo(103 * SECOND);
        assertThat(budget.killAt()).isEqualTo(107 * SECOND);
        assertThat(budget.messageAt(100 * SECOND)).isEqualTo(new ControlMessage.Drain(3000, 7000));
    }

    @Test
    void aLaterSendCarriesWhatIsLeftOfTheSameDeadline() {
        DrainBudget budget = DrainBudget.of(0, Duration.ofSeconds(3), Duration.ofSeconds(4));

        assertThat(budget.messageAt(2 * SECOND)).isEqualTo(new ControlMessage.Drain(1000, 5000));
        assertThat(budget.messageAt(5 * SECOND)).isEqualTo(new ControlMessage.Drain(0, 2000));
        assertThat(budget.messageAt(9 * SECOND)).isEqualTo(new ControlMessage.Drain(0, 0));
    }

    @Test
    void aDeadlineBeforeTheEndOfAcceptingIsRefused() {
        assertThatThrownBy(() -> new DrainBudget(5, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
