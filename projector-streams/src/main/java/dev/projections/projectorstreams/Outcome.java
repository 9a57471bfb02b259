package dev.projections.projectorstreams;

/** What became of one delivered event. */
public enum Outcome {
    /** the read model now reflects it */
    APPLIED,
    /** the read model already reflected it (a redelivery or a replay) */
    ALREADY_APPLIED,
    /** it could not be applied and waits in {@code readmodel.parked_events}, with its aggregate's later events */
    PARKED
}
