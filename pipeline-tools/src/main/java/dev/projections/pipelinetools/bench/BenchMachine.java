package dev.projections.pipelinetools.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.projections.projectorstreams.ProjectorConfig;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.AppInfoParser;

/** What a bench runs on, as its report states it: the machine, the database's durability, and a JVM warm enough to measure. */
final class BenchMachine {

    private BenchMachine() {
    }

    /**
     * Waits until the JIT compiler spent less than a twentieth of a second compiling in the last second, at
     * most {@code patience}: a deployment's processes run warm, and on 2 cores a compiler still
     * busy with the code the warm-up ran would take a core from every stage measured after it.
     *
     * @return how long it took
     */
    static Duration awaitCompilerQuiet(Duration patience) throws InterruptedException {
        CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        long started = System.nanoTime();
        if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
            return Duration.ZERO;
        }
        long last = compiler.getTotalCompilationTime();
        while (System.nanoTime() - started < patience.toNanos()) {
            Thread.sleep(1000);
            long now = compiler.getTotalCompilationTime();
            if (now - last < 50) {
                break;
            }
            last = now;
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    static void requireEmptyEventStore(BenchServices services) throws SQLException {
        try (Connection connection = services.dataSource().getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT EXISTS (SELECT 1 FROM eventstore.events)")) {
            rows.next();
            if (rows.getBoolean(1)) {
                throw new IllegalStateException("the bench needs an empty event store: eventstore.events at "
                        + services.settings().optional("db-url").orElse("?") + " has events; point it at a database of its own");
            }
        }
    }

    static long backendPid(BenchServices services) throws SQLException {
        return Long.parseLong(value(services, "SELECT pg_backend_pid()"));
    }

    /** The one value a query answers. */
    private static String value(BenchServices services, String sql) throws SQLException {
        try (Connection connection = services.dataSource().getConnection(); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    static BenchResults.Machine machine(BenchServices services) throws SQLException {
        long memory = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return new BenchResults.Machine(Runtime.getRuntime().availableProcessors(), memory, System.getProperty("java.version"),
                value(services, "SHOW server_version"), AppInfoParser.getVersion());
    }

    static BenchResults.Durability durability(BenchServices services, Map<String, String> environment) throws SQLException {
        List<String> settings = List.of(value(services, "SHOW fsync"), value(services, "SHOW synchronous_commit"),
                value(services, "SHOW wal_writer_delay"));
        Duration commit = ProjectorConfig.from(Bench.SCALED, services.settings(), environment).commitInterval();
        return new BenchResults.Durability("on".equals(settings.get(0)) && "on".equals(settings.get(1)), settings.get(0), settings.get(1),
                settings.get(2), commit.toMillis() + " ms");
    }
}
