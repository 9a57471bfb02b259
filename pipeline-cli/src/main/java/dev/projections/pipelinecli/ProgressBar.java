package dev.projections.pipelinecli;

import java.io.PrintStream;
import java.time.Duration;

/** Events done of a total, with rate and time left; redrawn in place on a terminal, a line a second elsewhere. */
public final class ProgressBar {

    private static final int WIDTH = 30;

    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private long lastLine;

    public ProgressBar(long total, PrintStream out, boolean terminal) {
        this.total = total;
        this.out = out;
        this.terminal = terminal;
    }

    public void update(long done) {
        long now = System.nanoTime();
        if (!terminal && now - lastLine < 1_000_000_000L) {
            return;
        }
        lastLine = now;
        out.print((terminal ? "\r" : "") + line(done) + (terminal ? "" : System.lineSeparator()));
        out.flush();
    }

    public void finish(long done) {
        out.print((terminal ? "\r" : "") + line(done) + System.lineSeparator());
        out.flush();
    }

    String line(long done) {
        double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
        double rate = done / seconds;
        String eta = rate > 0 && done < total ? format(Duration.ofSeconds((long) ((total - done) / rate))) : "-";
        return String.format("[%s%s] %,d/%,d events %3d%% %,.0f ev/s ETA %s", "#".repeat(filled), ".".repeat(WIDTH - filled),
                Math.min(done, total), total, Math.round(fraction * 100), rate, eta);
    }

    private static String format(Duration duration) {
        return String.format("%d:%02d:%02d", duration.toHours(), duration.toMinutesPart(), duration.toSecondsPart());
    }
}
