package dev.projections.projectorstreams;

import dev.projections.projectorstreams.projection.Projection;
import dev.projections.settings.Settings;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The read models this installation can project: every {@link Projection} on the class path that registers
 * itself as a service (with {@code @AutoService(Projection.class)}, or a line in
 * {@code META-INF/services/dev.projections.projectorstreams.projection.Projection}), in the order of their names.
 */
public final class Projections {

    public static final List<Projection> ALL = load(ServiceLoader.load(Projection.class, Projections.class.getClassLoader()));

    private Projections() {
    }

    static List<Projection> load(Iterable<Projection> found) {
        Map<String, Projection> byName = new HashMap<>();
        for (Projection projection : found) {
            Projection twin = byName.putIfAbsent(projection.name(), projection);
            if (twin != null) {
                throw new IllegalStateException("two read models are named '" + projection.name() + "': "
                        + twin.getClass().getName() + " and " + projection.getClass().getName());
            }
        }
        return byName.values().stream().sorted(Comparator.comparing(Projection::name)).toList();
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
