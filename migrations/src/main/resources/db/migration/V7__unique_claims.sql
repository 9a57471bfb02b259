-- Values that must be unique across aggregates (a customer's code). A read model cannot enforce that:
-- Kafka orders events per aggregate, not across them, so a projector may see a second customer's
-- registration before the first one's. The writer claims the value here, in the transaction that appends
-- the event; a value another aggregate holds is refused with 409 and nothing is appended.
CREATE TABLE eventstore.unique_claims (
    claim        text        NOT NULL CHECK (claim <> ''),
    value        text        NOT NULL,
    aggregate_id uuid        NOT NULL,
    claimed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (claim, value)
);

-- the codes of the customers already registered; where two share one, the first registered holds it
INSERT INTO eventstore.unique_claims (claim, value, aggregate_id, claimed_at)
SELECT 'customer code', payload ->> 'code', aggregate_id, created_at
  FROM eventstore.events
 WHERE aggregate_type = 'customer' AND event_type = 'CustomerRegistered' AND payload ? 'code'
 ORDER BY sequence
ON CONFLICT DO NOTHING;

-- the read model reflects what was written, and is no stricter than the event store: plain indexes
ALTER TABLE readmodel.customers DROP CONSTRAINT customers_code_key, DROP CONSTRAINT customers_name_key;
CREATE INDEX customers_code_idx ON readmodel.customers (code);
CREATE INDEX customers_name_idx ON readmodel.customers (name);
