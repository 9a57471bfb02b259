-- Least-privilege roles, one per component, created NOLOGIN: a deployment grants them to its own login
-- users (GRANT pipeline_writer TO writer_app). Roles belong to the server, not to one database, so they
-- are created only if missing; the user running the migrations needs CREATEROLE the first time.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pipeline_writer') THEN
        CREATE ROLE pipeline_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pipeline_relay') THEN
        CREATE ROLE pipeline_relay NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pipeline_projector') THEN
        CREATE ROLE pipeline_projector NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pipeline_reader') THEN
        CREATE ROLE pipeline_reader NOLOGIN;
    END IF;
END
$$;

-- the writer appends events and reads them back (versions, loads), and claims unique values; it can
-- neither change nor delete an event
GRANT USAGE ON SCHEMA eventstore TO pipeline_writer;
GRANT SELECT, INSERT ON eventstore.events, eventstore.unique_claims TO pipeline_writer;
GRANT USAGE ON SEQUENCE eventstore.events_sequence_seq TO pipeline_writer;

-- the relay reads the events (Debezium's snapshot) and writes its heartbeats; streaming from the slot
-- needs the REPLICATION attribute on its login user itself, since attributes are not inherited
GRANT USAGE ON SCHEMA eventstore TO pipeline_relay;
GRANT SELECT ON eventstore.events TO pipeline_relay;
GRANT SELECT, INSERT, DELETE ON eventstore.relay_heartbeats TO pipeline_relay;
GRANT USAGE ON SEQUENCE eventstore.relay_heartbeats_id_seq TO pipeline_relay;

-- projectors write the read models, their positions and parked events, and empty them for a rebuild;
-- they never touch eventstore
GRANT USAGE ON SCHEMA readmodel TO pipeline_projector;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA readmodel TO pipeline_projector;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA readmodel TO pipeline_projector;
ALTER DEFAULT PRIVILEGES IN SCHEMA readmodel GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO pipeline_projector;
ALTER DEFAULT PRIVILEGES IN SCHEMA readmodel GRANT USAGE ON SEQUENCES TO pipeline_projector;

-- readers (analytics, dashboards, verify) read the read models and the events, and write nothing
GRANT USAGE ON SCHEMA readmodel, eventstore TO pipeline_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA readmodel TO pipeline_reader;
GRANT SELECT ON eventstore.events TO pipeline_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA readmodel GRANT SELECT ON TABLES TO pipeline_reader;
