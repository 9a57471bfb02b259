package dev.projections.pipelinetools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.projections.pipelinetools.bench.ResourceMeter.CpuMark;
import dev.projections.pipelinetools.bench.ResourceMeter.MachineCpu;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResourceMeterTest {

    @Test
    void givenProcStat_whenParsed_thenBusyIsUserNiceSystemIrqSoftirqAndStealApart() {
        Optional<MachineCpu> machine = MachineCpu.parse("cpu  7570502 3626 1250849 4589093 36914 0 155960 264731 0 0");

        assertThat(machine).isPresent();
        assertThat(machine.get().busySeconds()).isEqualTo((7570502 + 3626 + 1250849 + 155960) / 100.0);
        assertThat(machine.get().stolenSeconds()).isEqualTo(2647.31);
    }

    @Test
    void givenAnotherLine_whenParsed_thenNothing() {
        assertThat(MachineCpu.parse("intr 1 2 3 4 5 6 7 8 9")).isEmpty();
        assertThat(MachineCpu.parse("cpu 1 2 3")).isEmpty();
    }

    @Test
    void givenTwoMarks_whenDescribed_thenTheUserSeesEachSideAndTheWholeMachine() {
        CpuMark start = new CpuMark(0, 10.0, 5.0, Optional.of(new MachineCpu(100.0, 1.0)));
        CpuMark end = new CpuMark(2_000_000_000L, 12.4, 6.2, Optional.of(new MachineCpu(103.9, 1.04)));

        assertThat(ResourceMeter.busy(start, end, 0.2, 2)).isEqualTo("pipeline process 1.20 cores, PostgreSQL 0.60 cores, "
                + "projector processes 0.10 cores busy of 2; the machine 1.95 cores busy, 0.02 taken by its host (steal)");
    }

    @Test
    void givenTwoMarksAndTheEventsBetween_whenDescribedPerEvent_thenTheUserSeesMicrosecondsOfEachSide() {
        CpuMark start = new CpuMark(0, 10.0, 5.0, Optional.of(new MachineCpu(100.0, 1.0)));
        CpuMark end = new CpuMark(2_000_000_000L, 12.4, 6.2, Optional.of(new MachineCpu(103.9, 1.04)));

        assertThat(ResourceMeter.perEvent(start, end, 30_000)).isEqualTo("machine time per event 130 µs, the pipeline process 80 µs,"
                + " PostgreSQL 40 µs");
    }

    @Test
    void givenNoMachineFigures_whenDescribed_thenOnlyTheProcesses() {
        CpuMark start = new CpuMark(0, 10.0, 5.0, Optional.empty());
        CpuMark end = new CpuMark(1_000_000_000L, 11.0, 5.5, Optional.empty());

        assertThat(ResourceMeter.busy(start, end, 0, 2)).isEqualTo("pipeline process 1.00 cores, PostgreSQL 0.50 cores busy of 2");
    }

    @Test
    void givenTheWritersCpu_whenDescribed_thenTheUserSeesTheApplicationsShareOnEachSide() {
        CpuMark start = new CpuMark(0, 10.0, 5.0, Optional.empty());

        assertThat(ResourceMeter.writers(start, 20_000_000_000L, new BenchWorkload.RateRun(19.9, 2.6, 6.2)))
                .isEqualTo("the bench's writers 0.13 cores in this process and 0.31 in PostgreSQL");
    }

    @Test
    void givenAProcessThatIsNotTheServersSession_whenItsCpuIsAsked_thenZero() {
        long self = ProcessHandle.current().pid();
        // measured as if this process were a session of a server that is its parent
        try (ResourceMeter meter = new ResourceMeter(self, process -> true)) {
            assertThat(meter.sessionCpuSeconds(self)).isPositive();
            assertThat(meter.sessionCpuSeconds(ProcessHandle.current().parent().orElseThrow().pid())).isZero();
            assertThat(meter.sessionCpuSeconds(-1)).isZero();
        }
    }

    @Test
    void givenABackendPidThatNoPostgresProcessHasHere_whenMeasured_thenPostgresFiguresAreZero() {
        // another host's server: the pid, here, is this JVM's
        long self = ProcessHandle.current().pid();
        try (ResourceMeter meter = new ResourceMeter(self)) {
            assertThat(meter.sessionCpuSeconds(self)).isZero();
            assertThat(meter.mark().postgresSeconds()).isZero();
        }
    }
}
