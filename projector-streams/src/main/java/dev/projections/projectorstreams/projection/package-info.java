/**
 * What a read model's author implements: a {@link dev.projections.projectorstreams.projection.Projection}
 * (the aggregate types it reads, its tables, and the statements each event gives), registered as a
 * plug-in with {@code @AutoService(Projection.class)}. The runtime applies those statements in order, once
 * per event, in batches; nothing here touches Kafka or a transaction.
 */
package dev.projections.projectorstreams.projection;
