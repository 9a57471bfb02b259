package dev.projections.embeddedservices;

/** One embedded PostgreSQL per test JVM, started on first use and stopped when the JVM exits. */
public final class SharedPostgres {

    private static EmbeddedPostgres instance;

    private SharedPostgres() {
    }

    public static synchronized EmbeddedPostgres get() {
        if (instance == null) {
            instance = EmbeddedPostgres.start(0, null);
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "shared-postgres-stop"));
        }
        return instance;
    }
}
