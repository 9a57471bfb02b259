package dev.projections.pipelinetools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcFilesTest {

    @Test
    void givenThisJvm_whenItsCompilerThreadsAreRead_thenTheCpuOfEachIsGivenAndAProcessThatIsNotThereHasNone() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "reads /proc, which only Linux has");

        Map<Long, Double> compilers = ProcFiles.compilerThreadCpuSeconds(ProcessHandle.current().pid());

        // C1's thread at least, C2's too unless the JVM stops at C1
        assertThat(compilers).isNotEmpty().allSatisfy((thread, seconds) -> assertThat(seconds).isNotNegative());
        assertThat(ProcFiles.compilerThreadCpuSeconds(-1)).isEmpty();
    }
}
