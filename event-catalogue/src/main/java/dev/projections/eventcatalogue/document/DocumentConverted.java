package dev.projections.eventcatalogue.document;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

public record DocumentConverted(String markdownContent, List<Section> sections, JsonNode metadata) {

    public static final String TYPE = "DocumentConverted";

    public record Section(String heading, int level, String content) {
    }

    public DocumentConverted {
        sections = sections == null ? List.of() : List.copyOf(sections);
    }
}
