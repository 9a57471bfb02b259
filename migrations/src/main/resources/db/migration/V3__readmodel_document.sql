-- The document read model, written by the "document" projector only.
CREATE TABLE readmodel.document_views (
    id            uuid        PRIMARY KEY,
    version       integer     NOT NULL,
    title         text        NOT NULL,
    filename      text        NOT NULL,
    content_type  text        NOT NULL,
    size_bytes    bigint      NOT NULL,
    uploaded_by   text        NOT NULL,
    -- a reference into the customer read model: indexed, without a constraint (see the README)
    customer_id   uuid,
    status        text        NOT NULL CHECK (status IN ('uploaded', 'converted', 'archived')),
    section_count integer     NOT NULL DEFAULT 0,
    archive_reason text,
    uploaded_at   timestamptz NOT NULL,
    converted_at  timestamptz,
    archived_at   timestamptz,
    updated_at    timestamptz NOT NULL
);

CREATE INDEX document_views_customer_id_idx ON readmodel.document_views (customer_id);
CREATE INDEX document_views_status_idx ON readmodel.document_views (status);

-- The converted content of a document: its markdown and its sections, in order.
CREATE TABLE readmodel.document_contents (
    document_id      uuid        PRIMARY KEY REFERENCES readmodel.document_views (id) ON DELETE CASCADE,
    markdown_content text        NOT NULL,
    sections         jsonb       NOT NULL DEFAULT '[]'::jsonb,
    metadata         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    converted_at     timestamptz NOT NULL
);
