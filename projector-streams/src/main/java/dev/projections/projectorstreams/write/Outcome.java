package dev.projections.projectorstreams.write;

/** What became of one delivered event. */
public enum Outcome {
    /** the read model now reflects it */
    APPLIED,
    /** the read model already reflected it (a redelivery or a replay) */
    ALREADY_APPLIED,
    /** it could not be applied and waits in {@code readmodel.parked_events}, with its aggregate's later events */
    PARKED,
    /**
     * it is further ahead than the version after its aggregate's position: an earlier event has not arrived
     * yet. It is not applied; the relay sends it again after the missing one, as it resends from its last
     * acknowledged event.
     */
    VERSION_GAP,
    /**
     * an operator discarded it ({@code bin/pipeline parked discard}) when it was parked: a rebuild or replay
     * skips it again, moving its aggregate's position past it
     */
    DISCARDED
}
