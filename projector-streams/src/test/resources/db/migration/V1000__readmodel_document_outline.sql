-- A read model added as a plug-in, from the test sources only (DocumentOutlineProjection): its migration is
-- found on the class path beside the project's own. Its number is far above the project's, since the
-- test databases are new each run; a read model kept beside the others takes the next free number.
CREATE TABLE readmodel.document_outlines (
    id         uuid        PRIMARY KEY,
    version    integer     NOT NULL,
    title      text        NOT NULL,
    sections   integer     NOT NULL DEFAULT 0,
    headings   text[]      NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL
);
