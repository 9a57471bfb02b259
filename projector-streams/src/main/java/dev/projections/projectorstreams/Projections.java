package dev.projections.projectorstreams;

import dev.projections.projectorstreams.conversation.ConversationProjection;
import dev.projections.projectorstreams.customer.CustomerProjection;
import dev.projections.projectorstreams.document.DocumentProjection;
import dev.projections.projectorstreams.semanticir.SemanticIrProjection;
import java.util.List;
import java.util.Optional;

/** The read models this build can project. */
public final class Projections {

    public static final List<Projection> ALL = List.of(new DocumentProjection(), new SemanticIrProjection(),
            new CustomerProjection(), new ConversationProjection());

    private Projections() {
    }

    public static Optional<Projection> named(String name) {
        return ALL.stream().filter(projection -> projection.name().equals(name)).findFirst();
    }

    public static List<String> names() {
        return ALL.stream().map(Projection::name).toList();
    }
}
