package dev.projections.eventwriter;

/** One thing wrong with a request: where ({@code events[0].payload.title}) and why. */
public record Problem(String path, String message) {

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
