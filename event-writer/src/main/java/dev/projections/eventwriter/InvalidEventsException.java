package dev.projections.eventwriter;

import java.util.List;
import java.util.stream.Collectors;

/** An append refused before anything was written, with every problem found. */
public final class InvalidEventsException extends RuntimeException {

    private final List<Problem> problems;

    public InvalidEventsException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
