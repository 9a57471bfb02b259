package dev.projections.eventwriter.access;

import java.util.Set;

/**
 * Who is calling, as their credentials say: a token's subject or an API key's name, and the scopes granted.
 * The name goes into each event the caller appends, as its metadata's {@code user_id}.
 */
public record Caller(String name, Set<String> scopes) {

    /** The caller of a writer that asks for no credentials (local mode): nameless, and allowed everything. */
    public static final Caller ANYONE = new Caller(null, Set.of());

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    public boolean may(Action action, String aggregateType) {
        return this == ANYONE || scopes.contains(action.scope(aggregateType)) || scopes.contains(action.scope("*"));
    }
}
