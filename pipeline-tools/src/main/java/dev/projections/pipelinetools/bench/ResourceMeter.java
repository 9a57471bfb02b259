package dev.projections.pipelinetools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Memory and CPU of this process and of the PostgreSQL server, read from {@code /proc} (Linux): peak
 * resident memory, and the cores each kept busy during a stage, which says what limits that stage; and
 * the whole machine's busy cores, with those its host took for others (steal), which say whether the
 * stage had the cores to itself. Where {@code /proc} or the server's process cannot be read (another
 * host), the figures are 0, and the machine's are left out.
 */
final class ResourceMeter implements AutoCloseable {

    /** CPU seconds of both sides, and of the machine where known, at one moment. */
    record CpuMark(long nanos, double pipelineSeconds, double postgresSeconds, Optional<MachineCpu> machine) {
    }

    /** CPU seconds of all the machine's cores so far: busy, and stolen by its host for others while wanted. */
    record MachineCpu(double busySeconds, double stolenSeconds) {

        /**
         * From the first line of {@code /proc/stat} ({@code cpu user nice system idle iowait irq softirq steal
         * ...}, in clock ticks); busy is user, nice, system, irq and softirq (guest time is within user).
         */
        static Optional<MachineCpu> parse(String firstLine) {
            String[] fields = firstLine.trim().split("\\s+");
            if (fields.length < 9 || !fields[0].equals("cpu")) {
                return Optional.empty();
            }
            try {
                long busy = 0;
                for (int field : new int[] {1, 2, 3, 6, 7}) {
                    busy += Long.parseLong(fields[field]);
                }
                return Optional.of(new MachineCpu(busy / (double) ProcFiles.CLOCK_TICKS,
                        Long.parseLong(fields[8]) / (double) ProcFiles.CLOCK_TICKS));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    private final long postmaster;
    private final AtomicLong postgresPeak = new AtomicLong();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bench-resources");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param backendPid the pid of one PostgreSQL backend, whose parent is the server; on another host's
     *     server, a process of this host that has the same pid is not taken for it
     */
    ResourceMeter(long backendPid) {
        this(backendPid, ResourceMeter::isPostgres);
    }

    ResourceMeter(long backendPid, Predicate<ProcessHandle> isServer) {
        this.postmaster = ProcessHandle.of(backendPid).filter(isServer).flatMap(ProcessHandle::parent).filter(isServer)
                .map(ProcessHandle::pid).orElse(-1L);
        // once a second: reading /proc costs the machine being measured
        sampler.scheduleAtFixedRate(() -> postgresPeak.accumulateAndGet(postgresRss(), Math::max), 0, 1, TimeUnit.SECONDS);
    }

    /** A process of the PostgreSQL server's program, by the name of the program it runs (as readable as its CPU figures). */
    private static boolean isPostgres(ProcessHandle process) {
        return ProcFiles.name(ProcFiles.of(process.pid())).equals("postgres");
    }

    long pipelinePeakRss() {
        return ProcFiles.status(ProcFiles.of(ProcessHandle.current().pid())).getOrDefault("VmHWM:", 0L);
    }

    long postgresPeakRss() {
        return postgresPeak.get();
    }

    CpuMark mark() {
        return new CpuMark(System.nanoTime(), cpuSeconds(ProcessHandle.current()), postgresCpuSeconds(), machineCpu());
    }

    private static Optional<MachineCpu> machineCpu() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/stat"))) {
            return lines.findFirst().flatMap(MachineCpu::parse);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** CPU seconds a process has used so far; 0 where the system does not say. */
    static double cpuSeconds(ProcessHandle process) {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    /**
     * "pipeline process 1.20 cores, PostgreSQL 0.60 cores, projector processes 0.10 cores busy of 2; the
     * machine 1.95 cores busy, 0.02 taken by its host (steal)" since a mark.
     */
    String busySince(CpuMark start, double otherProcessesSeconds) {
        return busy(start, mark(), otherProcessesSeconds, Runtime.getRuntime().availableProcessors());
    }

    /**
     * "machine time per event: 140 µs, the pipeline process 80, PostgreSQL 45" since a mark: cores busy × seconds
     * ÷ events. The pipeline process holds the bench's inserting thread and, in local mode, the broker.
     */
    String perEventSince(CpuMark start, long events) {
        return perEvent(start, mark(), events);
    }

    static String perEvent(CpuMark start, CpuMark now, long events) {
        String machine = start.machine().isPresent() && now.machine().isPresent()
                ? String.format(Locale.US, "%.0f µs, ", (now.machine().get().busySeconds() - start.machine().get().busySeconds()) / events * 1e6)
                : "";
        return String.format(Locale.US, "machine time per event %sthe pipeline process %.0f µs, PostgreSQL %.0f µs", machine,
                (now.pipelineSeconds() - start.pipelineSeconds()) / events * 1e6, (now.postgresSeconds() - start.postgresSeconds()) / events * 1e6);
    }

    /**
     * "the bench's writers 0.13 cores in this process and 0.31 in PostgreSQL" since a mark: the CPU the
     * application's own appends took of the figures above, on the same cores as the pipeline.
     */
    String writersSince(CpuMark start, BenchWorkload.RateRun run) {
        return writers(start, System.nanoTime(), run);
    }

    static String writers(CpuMark start, long nowNanos, BenchWorkload.RateRun run) {
        double wall = Math.max(1e-9, (nowNanos - start.nanos()) / 1e9);
        return String.format(Locale.US, "the bench's writers %.2f cores in this process and %.2f in PostgreSQL",
                run.threadCpuSeconds() / wall, run.sessionCpuSeconds() / wall);
    }

    /** CPU seconds a session of the measured server has used so far; 0 for a process that is not one of its children. */
    double sessionCpuSeconds(long backendPid) {
        return ProcessHandle.of(backendPid).filter(process -> process.parent().map(ProcessHandle::pid).orElse(-1L) == postmaster)
                .map(process -> ProcFiles.ownTicks(ProcFiles.of(process.pid())) / (double) ProcFiles.CLOCK_TICKS).orElse(0.0);
    }

    static String busy(CpuMark start, CpuMark now, double otherProcessesSeconds, int cores) {
        double wall = Math.max(1e-9, (now.nanos() - start.nanos()) / 1e9);
        String text = String.format(Locale.US, "pipeline process %.2f cores, PostgreSQL %.2f cores",
                (now.pipelineSeconds() - start.pipelineSeconds()) / wall, (now.postgresSeconds() - start.postgresSeconds()) / wall);
        if (otherProcessesSeconds > 0) {
            text += String.format(Locale.US, ", projector processes %.2f cores", otherProcessesSeconds / wall);
        }
        text += " busy of " + cores;
        if (start.machine().isPresent() && now.machine().isPresent()) {
            MachineCpu from = start.machine().get();
            MachineCpu to = now.machine().get();
            text += String.format(Locale.US, "; the machine %.2f cores busy, %.2f taken by its host (steal)",
                    (to.busySeconds() - from.busySeconds()) / wall, (to.stolenSeconds() - from.stolenSeconds()) / wall);
        }
        return text;
    }

    /** The server's resident memory: each process's own pages, and the shared buffers once. */
    private long postgresRss() {
        if (postmaster < 0) {
            return 0;
        }
        long own = 0;
        long shared = 0;
        for (long pid : postgresPids()) {
            Map<String, Long> status = ProcFiles.status(ProcFiles.of(pid));
            own += status.getOrDefault("RssAnon:", 0L) + status.getOrDefault("RssFile:", 0L);
            shared = Math.max(shared, status.getOrDefault("RssShmem:", 0L));
        }
        return own + shared;
    }

    /**
     * Live processes' CPU, and what the server collected of its ended children: read again when a child
     * was collected while its siblings were read, since it would then be counted twice or not at all. (Once
     * it was not at all: in a durable run, a rebuild stage's PostgreSQL showed 1.59 cores of a machine busy
     * 1.75, the pipeline's own projectors having closed their connections just before the stage began.)
     */
    private double postgresCpuSeconds() {
        if (postmaster < 0) {
            return 0;
        }
        for (int attempt = 1; ; attempt++) {
            long[] before = serverTicks();
            long ticks = 0;
            for (long pid : postgresChildren()) {
                ticks += ProcFiles.ownTicks(ProcFiles.of(pid));
            }
            long[] after = serverTicks();
            if (after[1] == before[1] || attempt == 5) {
                return (ticks + after[0] + after[1]) / (double) ProcFiles.CLOCK_TICKS;
            }
        }
    }

    /** CPU seconds each of the server's WAL senders (the processes that decode a slot's WAL) has used so far, by pid. */
    Map<Long, Double> walSenderCpuSeconds() {
        Map<Long, Double> seconds = new HashMap<>();
        for (long pid : postgresChildren()) {
            try {
                if (Files.readString(ProcFiles.of(pid).resolve("cmdline")).contains("walsender")) {
                    seconds.put(pid, ProcFiles.ownTicks(ProcFiles.of(pid)) / (double) ProcFiles.CLOCK_TICKS);
                }
            } catch (IOException | RuntimeException e) {
                // it ended
            }
        }
        return seconds;
    }

    /** The server's own CPU ticks and those of its ended children it collected, from one read; zeros when unreadable. */
    private long[] serverTicks() {
        List<String> fields = ProcFiles.stat(ProcFiles.of(postmaster));
        if (fields.size() <= 16) {
            return new long[] {0, 0};
        }
        return new long[] {Long.parseLong(fields.get(13)) + Long.parseLong(fields.get(14)),
            Long.parseLong(fields.get(15)) + Long.parseLong(fields.get(16))};
    }

    private List<Long> postgresChildren() {
        return ProcessHandle.of(postmaster).map(server -> server.children().map(ProcessHandle::pid).toList()).orElse(List.of());
    }

    /** The server and its children. */
    private List<Long> postgresPids() {
        return Stream.concat(Stream.of(postmaster), postgresChildren().stream()).toList();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
