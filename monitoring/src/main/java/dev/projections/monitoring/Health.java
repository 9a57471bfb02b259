package dev.projections.monitoring;

/** The state of one dependency, as the readiness endpoint reports it. */
public record Health(Status status, String detail) {

    public enum Status {
        UP,
        /** working as designed but not serving: a relay standing by for the slot */
        STANDBY,
        DOWN
    }

    public static Health up(String detail) {
        return new Health(Status.UP, detail);
    }

    public static Health standby(String detail) {
        return new Health(Status.STANDBY, detail);
    }

    public static Health down(String detail) {
        return new Health(Status.DOWN, detail);
    }
}
