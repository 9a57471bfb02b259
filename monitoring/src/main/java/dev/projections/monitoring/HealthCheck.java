package dev.projections.monitoring;

/** Checks one dependency (PostgreSQL, Kafka, the replication slot); must answer within a few seconds. */
@FunctionalInterface
public interface HealthCheck {

    Health check();
}
