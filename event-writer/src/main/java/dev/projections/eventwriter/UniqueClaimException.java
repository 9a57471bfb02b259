package dev.projections.eventwriter;

import java.util.UUID;

/** Nothing written: a value that must be unique across aggregates (a customer's code) is held by another one. */
public final class UniqueClaimException extends RuntimeException {

    private final String claim;
    private final String value;
    private final UUID heldBy;

    public UniqueClaimException(String claim, String value, UUID heldBy) {
        super(claim + " '" + value + "' is already taken by aggregate " + heldBy);
        this.claim = claim;
        this.value = value;
        this.heldBy = heldBy;
    }

    public String claim() {
        return claim;
    }

    public String value() {
        return value;
    }

    public UUID heldBy() {
        return heldBy;
    }
}
