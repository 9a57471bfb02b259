-- Columns that hold bodies (payloads, markdown, JSON documents) rather than values queries filter or join
-- on. PostgreSQL's ANALYZE reads each sampled value of a column it keeps statistics for, and for these wide
-- ones that is most of its work: on a busy small server, the automatic ANALYZE of every table at once
-- (they grow together) took the CPU from the relay and the projectors for seconds. A target of 0 keeps no
-- statistics for them; the ids, types, versions and names beside them keep theirs.
ALTER TABLE eventstore.events ALTER COLUMN payload SET STATISTICS 0, ALTER COLUMN metadata SET STATISTICS 0;
ALTER TABLE readmodel.document_contents
    ALTER COLUMN markdown_content SET STATISTICS 0,
    ALTER COLUMN sections SET STATISTICS 0,
    ALTER COLUMN metadata SET STATISTICS 0;
ALTER TABLE readmodel.semantic_ir
    ALTER COLUMN expression SET STATISTICS 0,
    ALTER COLUMN variables SET STATISTICS 0,
    ALTER COLUMN definition SET STATISTICS 0,
    ALTER COLUMN context SET STATISTICS 0,
    ALTER COLUMN table_data SET STATISTICS 0;
ALTER TABLE readmodel.conversation_threads ALTER COLUMN context_cache SET STATISTICS 0;
ALTER TABLE readmodel.conversation_messages ALTER COLUMN content SET STATISTICS 0, ALTER COLUMN metadata SET STATISTICS 0;
ALTER TABLE readmodel.parked_events ALTER COLUMN record_value SET STATISTICS 0, ALTER COLUMN error SET STATISTICS 0;
