package dev.projections.pipelinecli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Memory and CPU of this process and of the PostgreSQL server, read from {@code /proc} (Linux): peak
 * resident memory, and the cores each kept busy during a stage, which says what limits that stage.
 * Where {@code /proc} or the server's process cannot be read (another host), the figures are 0.
 */
final class ResourceMeter implements AutoCloseable {

    private static final long CLOCK_TICKS = 100;

    /** CPU seconds of both sides at one moment. */
    record CpuMark(long nanos, double pipelineSeconds, double postgresSeconds) {
    }

    private final long postmaster;
    private final AtomicLong postgresPeak = new AtomicLong();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bench-resources");
        thread.setDaemon(true);
        return thread;
    });

    /** @param backendPid the pid of one PostgreSQL backend, whose parent is the server */
    ResourceMeter(long backendPid) {
        this.postmaster = ProcessHandle.of(backendPid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
        // once a second: reading /proc costs the machine being measured
        sampler.scheduleAtFixedRate(() -> postgresPeak.accumulateAndGet(postgresRss(), Math::max), 0, 1, TimeUnit.SECONDS);
    }

    long pipelinePeakRss() {
        return status(ProcessHandle.current().pid()).getOrDefault("VmHWM:", 0L);
    }

    long postgresPeakRss() {
        return postgresPeak.get();
    }

    CpuMark mark() {
        return new CpuMark(System.nanoTime(), cpuSeconds(ProcessHandle.current()), postgresCpuSeconds());
    }

    /** CPU seconds a process has used so far; 0 where the system does not say. */
    static double cpuSeconds(ProcessHandle process) {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    /** "pipeline process 1.2 cores, PostgreSQL 0.6 cores, other processes 0.1 cores of 2" since a mark. */
    String busySince(CpuMark start, double otherProcessesSeconds) {
        CpuMark now = mark();
        double wall = Math.max(1e-9, (now.nanos() - start.nanos()) / 1e9);
        String text = String.format(Locale.US, "pipeline process %.2f cores, PostgreSQL %.2f cores",
                (now.pipelineSeconds() - start.pipelineSeconds()) / wall, (now.postgresSeconds() - start.postgresSeconds()) / wall);
        if (otherProcessesSeconds > 0) {
            text += String.format(Locale.US, ", projector processes %.2f cores", otherProcessesSeconds / wall);
        }
        return text + " busy of " + Runtime.getRuntime().availableProcessors();
    }

    /** The server's resident memory: each process's own pages, and the shared buffers once. */
    private long postgresRss() {
        if (postmaster < 0) {
            return 0;
        }
        long own = 0;
        long shared = 0;
        for (long pid : postgresPids()) {
            Map<String, Long> status = status(pid);
            own += status.getOrDefault("RssAnon:", 0L) + status.getOrDefault("RssFile:", 0L);
            shared = Math.max(shared, status.getOrDefault("RssShmem:", 0L));
        }
        return own + shared;
    }

    /** Live processes' CPU, and what the server collected of its ended children. */
    private double postgresCpuSeconds() {
        if (postmaster < 0) {
            return 0;
        }
        long ticks = 0;
        for (long pid : postgresPids()) {
            List<String> fields = stat(pid);
            if (fields.size() > 16) {
                ticks += Long.parseLong(fields.get(13)) + Long.parseLong(fields.get(14));
                if (pid == postmaster) {
                    ticks += Long.parseLong(fields.get(15)) + Long.parseLong(fields.get(16));
                }
            }
        }
        return ticks / (double) CLOCK_TICKS;
    }

    private List<Long> postgresPids() {
        return ProcessHandle.of(postmaster).map(server -> Stream.concat(Stream.of(server),
                server.children()).map(ProcessHandle::pid).toList()).orElse(List.of());
    }

    /** The fields of /proc/pid/stat after the command name, numbered as in proc(5) minus one. */
    private static List<String> stat(long pid) {
        try {
            String text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String afterName = text.substring(text.lastIndexOf(')') + 2);
            List<String> rest = List.of(afterName.trim().split(" "));
            List<String> fields = new ArrayList<>(List.of("pid", "comm"));
            fields.addAll(rest);
            return fields;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The memory lines of /proc/pid/status, in bytes; empty when it cannot be read. */
    private static Map<String, Long> status(long pid) {
        Map<String, Long> fields = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.endsWith(" kB")) {
                    int colon = line.indexOf(':');
                    fields.put(line.substring(0, colon + 1), Long.parseLong(line.substring(colon + 1, line.length() - 3).trim()) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process ended
        }
        return fields;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
