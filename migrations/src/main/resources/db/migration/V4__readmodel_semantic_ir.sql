-- The semantic-IR read model, written by the "semantic-ir" projector only (from the document topic).

-- One row per document the projector has seen: its version, and how many items its last extraction had.
CREATE TABLE readmodel.semantic_ir_documents (
    id           uuid        PRIMARY KEY,
    version      integer     NOT NULL,
    item_count   integer     NOT NULL DEFAULT 0,
    extracted_at timestamptz,
    updated_at   timestamptz NOT NULL
);

-- One row per extracted item; a later extraction of the document replaces them all. The columns an
-- ir_type does not use are null.
CREATE TABLE readmodel.semantic_ir (
    document_id    uuid        NOT NULL REFERENCES readmodel.semantic_ir_documents (id) ON DELETE CASCADE,
    ir_type        text        NOT NULL CHECK (ir_type IN ('formula', 'definition', 'table', 'cross_reference', 'name')),
    position       integer     NOT NULL,
    -- the formula's or table's name, the defined term, the reference's target: what users search by
    name           text,
    expression     text,
    variables      jsonb,
    term           text,
    definition     text,
    context        text,
    table_data     jsonb,
    row_count      integer,
    column_count   integer,
    target         text,
    reference_type text,
    location       text,
    version        integer     NOT NULL,
    extracted_at   timestamptz NOT NULL,
    PRIMARY KEY (document_id, ir_type, position)
);

CREATE INDEX semantic_ir_ir_type_idx ON readmodel.semantic_ir (ir_type);
CREATE INDEX semantic_ir_name_idx ON readmodel.semantic_ir (name);
