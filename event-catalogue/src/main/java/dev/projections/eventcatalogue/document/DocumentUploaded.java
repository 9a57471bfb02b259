package dev.projections.eventcatalogue.document;

import java.util.UUID;

public record DocumentUploaded(
        String title, String filename, String contentType, long sizeBytes, String uploadedBy, UUID customerId) {

    public static final String TYPE = "DocumentUploaded";
}
