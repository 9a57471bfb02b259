package dev.projections.pipelinecli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/** Runs a started component until the process is told to stop (Ctrl-C, SIGTERM) or the component fails. */
public final class Lifecycle {

    private Lifecycle() {
    }

    /**
     * @param parts closed in their order when the process stops
     * @return 0 after a requested stop, 1 when {@code failure} completed first
     */
    public static int runUntilStopped(CompletableFuture<?> failure, AutoCloseable... parts) throws Exception {
        return runUntilStopped(() -> {
            for (AutoCloseable part : parts) {
                part.close();
            }
        }, failure);
    }

    /** @return 0 after a requested stop, 1 when {@code failure} completed first */
    public static int runUntilStopped(AutoCloseable component, CompletableFuture<?> failure) throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                component.close();
            } catch (Exception e) {
                System.err.println("stopping failed: " + e.getMessage());
            } finally {
                stopped.countDown();
            }
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        failure.thenRun(stopped::countDown);
        stopped.await();
        if (failure.isDone()) {
            Runtime.getRuntime().removeShutdownHook(hook);
            component.close();
            if (failure.getNow(null) instanceof Throwable cause) {
                // the log has it too, with its stack; a person at the terminal reads it here
                System.err.println("stopped: " + cause.getMessage());
            }
            return 1;
        }
        return 0;
    }
}
