package dev.projections.projectorstreams;

import dev.projections.projectorstreams.conversation.ConversationProjection;
import dev.projections.projectorstreams.customer.CustomerProjection;
import dev.projections.projectorstreams.document.DocumentProjection;
import dev.projections.projectorstreams.semanticir.SemanticIrProjection;
import dev.projections.settings.Settings;
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

    /** The read model named; null, and a problem of the settings listing the known ones, when the name is not known. */
    public static Projection named(String name, Settings settings) {
        Optional<Projection> projection = named(name);
        if (projection.isEmpty()) {
            settings.problem("read model '" + name + "' is unknown; known: " + String.join(", ", names()));
        }
        return projection.orElse(null);
    }

    /** The read model named (see {@link #named(String, Settings)}), or every one when {@code name} is null. */
    public static List<Projection> select(String name, Settings settings) {
        if (name == null) {
            return ALL;
        }
        Projection projection = named(name, settings);
        return projection == null ? List.of() : List.of(projection);
    }
}
