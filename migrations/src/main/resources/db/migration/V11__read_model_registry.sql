-- The read models whose projectors have started on this database, and the aggregate types each reads. A
-- projector registers its read model at start. The writer reads it, with the positions and parked events,
-- to answer read-your-writes: GET /aggregates/{type}/{id}/projections and POST ...?waitFor=<read-model>.
CREATE TABLE readmodel.read_models (
    name            text        PRIMARY KEY,
    aggregate_types text[]      NOT NULL,
    registered_at   timestamptz NOT NULL DEFAULT now()
);

-- the writer reads how far each read model has applied an aggregate, and nothing else of readmodel
GRANT USAGE ON SCHEMA readmodel TO pipeline_writer;
GRANT SELECT ON readmodel.read_models, readmodel.projection_positions, readmodel.parked_events TO pipeline_writer;
