-- The customer read model, written by the "customer" projector only.
CREATE TABLE readmodel.customers (
    id            uuid        PRIMARY KEY,
    version       integer     NOT NULL,
    code          text        NOT NULL UNIQUE CHECK (char_length(code) <= 50),
    name          text        NOT NULL UNIQUE,
    registered_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
