package dev.projections.pipelinetools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What {@code /proc} (Linux) says of a process or of one of its threads: its name, its CPU ticks, its
 * memory. Each reading is empty, or 0, where {@code /proc} cannot be read: not Linux, or the process ended.
 */
final class ProcFiles {

    /** Clock ticks a second, the unit of /proc's CPU times. */
    static final long CLOCK_TICKS = 100;

    private ProcFiles() {
    }

    /** A process's directory: {@code /proc/<pid>}; a thread's is {@code /proc/<pid>/task/<tid>}. */
    static Path of(long pid) {
        return Path.of("/proc", Long.toString(pid));
    }

    /** The kernel's name of a process or a thread, {@code comm}: its program's, or the JVM's thread name cut to 15 characters. */
    static String name(Path process) {
        try {
            return Files.readString(process.resolve("comm")).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Its own CPU ticks, user and system. */
    static long ownTicks(Path process) {
        List<String> fields = stat(process);
        return fields.size() > 14 ? Long.parseLong(fields.get(13)) + Long.parseLong(fields.get(14)) : 0;
    }

    /** The fields of its {@code stat} file, numbered as in proc(5) minus one; the command name is not read. */
    static List<String> stat(Path process) {
        try {
            String text = Files.readString(process.resolve("stat"));
            String afterName = text.substring(text.lastIndexOf(')') + 2);
            List<String> fields = new ArrayList<>(List.of("pid", "comm"));
            fields.addAll(List.of(afterName.trim().split(" ")));
            return fields;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The memory lines of its {@code status} file, in bytes. */
    static Map<String, Long> status(Path process) {
        Map<String, Long> fields = new HashMap<>();
        try {
            for (String line : Files.readAllLines(process.resolve("status"))) {
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

    /**
     * CPU seconds each JIT compiler thread (C1, C2) of a JVM has used so far, by thread id. A JVM compiles
     * its hot code in its first minutes, again as the code it runs changes: a cost of the run's young JVMs
     * that a long-running process does not pay per event.
     */
    static Map<Long, Double> compilerThreadCpuSeconds(long pid) {
        Map<Long, Double> seconds = new HashMap<>();
        try (Stream<Path> threads = Files.list(of(pid).resolve("task"))) {
            for (Path thread : threads.toList()) {
                String name = name(thread);
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    seconds.put(Long.parseLong(thread.getFileName().toString()), ownTicks(thread) / (double) CLOCK_TICKS);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process ended
        }
        return seconds;
    }
}
