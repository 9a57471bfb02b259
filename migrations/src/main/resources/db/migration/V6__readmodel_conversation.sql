-- The conversation read model, written by the "conversation" projector only.
CREATE TABLE readmodel.conversation_threads (
    id            uuid        PRIMARY KEY,
    version       integer     NOT NULL,
    -- a reference into the customer read model: indexed, without a constraint (see the README)
    customer_id   uuid        NOT NULL,
    user_id       text        NOT NULL,
    title         text,
    context_cache jsonb       NOT NULL DEFAULT '{}'::jsonb,
    is_active     boolean     NOT NULL DEFAULT true,
    message_count integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    closed_at     timestamptz
);

CREATE INDEX conversation_threads_customer_id_idx ON readmodel.conversation_threads (customer_id);
CREATE INDEX conversation_threads_user_id_idx ON readmodel.conversation_threads (user_id, updated_at DESC);

-- A message's id is its event's id; the thread is the same aggregate, so the foreign key holds.
CREATE TABLE readmodel.conversation_messages (
    id             uuid        PRIMARY KEY,
    thread_id      uuid        NOT NULL REFERENCES readmodel.conversation_threads (id) ON DELETE CASCADE,
    thread_version integer     NOT NULL,
    role           text        NOT NULL CHECK (role IN ('user', 'assistant')),
    content        text        NOT NULL,
    metadata       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at     timestamptz NOT NULL,
    UNIQUE (thread_id, thread_version)
);
