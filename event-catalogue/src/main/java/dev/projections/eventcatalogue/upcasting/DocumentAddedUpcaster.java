package dev.projections.eventcatalogue.upcasting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.AggregateTypes;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.eventcatalogue.document.DocumentUploaded;

/**
 * The document producers' first shape of an upload, {@code DocumentAdded}, read as {@link DocumentUploaded}:
 * the file's name, MIME type and size in kilobytes sat in a {@code file} object, the title was optional
 * (the file's name stood for it), and the uploader was {@code addedBy}. The writer no longer appends it.
 */
public final class DocumentAddedUpcaster implements Upcaster {

    public static final String TYPE = "DocumentAdded";

    /** The retired shape, as the old producers wrote it. */
    public record DocumentAdded(File file, String title, String addedBy) {

        public record File(String name, String mimeType, long sizeKb) {
        }
    }

    @Override
    public String aggregateType() {
        return AggregateTypes.DOCUMENT;
    }

    @Override
    public String fromType() {
        return TYPE;
    }

    @Override
    public String toType() {
        return DocumentUploaded.TYPE;
    }

    @Override
    public JsonNode upcast(JsonNode payload) {
        DocumentAdded added;
        try {
            added = EventJson.MAPPER.treeToValue(payload, DocumentAdded.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(TYPE + " payload does not match its retired shape: " + e.getOriginalMessage(), e);
        }
        if (added.file() == null || added.file().name() == null || added.file().mimeType() == null || added.addedBy() == null) {
            throw new IllegalArgumentException(TYPE + " payload lacks file.name, file.mimeType or addedBy, which " + toType() + " needs");
        }
        String title = added.title() == null || added.title().isBlank() ? added.file().name() : added.title();
        ObjectNode uploaded = EventJson.MAPPER.valueToTree(new DocumentUploaded(title, added.file().name(), added.file().mimeType(),
                added.file().sizeKb() * 1024, added.addedBy(), null));
        // the old shape named no customer; the new one leaves an unknown customer out rather than null
        uploaded.remove("customerId");
        return uploaded;
    }
}
