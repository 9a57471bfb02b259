package dev.projections.eventwriter.access;

/** What the writer makes of a request's credentials: a caller, or a refusal answered with 401. */
public sealed interface Verdict {

    /** Credentials that hold; what the caller may do is still checked per request. */
    record Admitted(Caller caller) implements Verdict {
    }

    /**
     * @param message what the caller is told, naming what was wrong and never echoing the credentials
     * @param challenge the {@code WWW-Authenticate} header's value
     */
    record Refused(String message, String challenge) implements Verdict {
    }
}
