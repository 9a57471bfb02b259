package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.pipelinetools.chaos.ChaosRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code bin/pipeline chaos --short}: one fault of each kind across the deployment's real processes. */
class ChaosIT {

    @Test
    void givenOneFaultOfEachKindWhileEventsAreWritten_whenTheRunEnds_thenEveryReadModelEqualsItsEventsAndOnlyPoisonIsParked() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

        int exit = new ChaosRun(new ChaosRun.Options(1_500, 4, 3, 150, 2, null, false, 2, 7), new TeeStream(out, System.out)).run();

        String report = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(report).isZero();
        assertThat(report).contains("acknowledged writes missing from eventstore.events: 0", "lost rows 0, doubled rows 0, differing rows 0",
                "exactly the poisoned ones", "processes that exited by themselves: 0", "chaos: every read model equals the events; nothing lost")
                .containsPattern("kill -9 of a relay +1,").containsPattern("kill -9 of a projector +1,")
                .containsPattern("broker kill -9 and restart +1,").containsPattern("PostgreSQL restart +1,");
    }

    /** Prints to both: the report is read by the test and shown in its output. */
    private static final class TeeStream extends PrintStream {

        private final PrintStream second;

        TeeStream(PrintStream first, PrintStream second) {
            super(first, true, StandardCharsets.UTF_8);
            this.second = second;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
            super.write(buffer, offset, length);
            second.write(buffer, offset, length);
        }
    }
}
