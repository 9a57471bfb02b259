package dev.projections.eventwriter.access;

/** What a caller asks of the writer; each is granted per aggregate type by a scope such as {@code events:append:document}. */
public enum Action {
    APPEND("events:append"),
    READ_EVENTS("events:read"),
    READ_PROJECTIONS("projections:read");

    private final String scope;

    Action(String scope) {
        this.scope = scope;
    }

    /** The scope that grants this action on the aggregate type; {@code *} stands for every type. */
    public String scope(String aggregateType) {
        return scope + ":" + aggregateType;
    }

    /** Whether a scope names this action (on any aggregate type), so that a key file's typo is caught at once. */
    static boolean isScope(String scope) {
        for (Action action : values()) {
            if (scope.startsWith(action.scope + ":") && scope.length() > action.scope.length() + 1) {
                return true;
            }
        }
        return false;
    }
}
