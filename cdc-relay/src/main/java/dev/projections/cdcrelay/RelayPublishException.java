package dev.projections.cdcrelay;

/** Kafka refused or lost a record of a batch; the batch is not committed and will be sent again. */
final class RelayPublishException extends RuntimeException {

    RelayPublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
