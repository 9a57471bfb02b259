package dev.projections.projectorstreams;

import dev.projections.projectorstreams.projection.Statements;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.eventcatalogue.EventEnvelope;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read model's projection writing into copies of its tables in another schema: the same statements, with
 * each of the read model's own table names pointed at its copy. A shadow build's copies are in
 * {@value #SCHEMA}, and its positions, parked events and consumer group are its own ({@code <name>-shadow}),
 * so it is built beside the live read model, which keeps serving and projecting ({@code ShadowBuild} makes
 * the copies, compares and swaps them); {@code verify} applies events into temporary copies
 * ({@code pg_temp}), so as to lock none of the live rows.
 */
public final class ShadowProjection implements Projection {

    public static final String SCHEMA = "readmodel_shadow";
    static final String SUFFIX = "-shadow";

    private final Projection live;
    private final String schema;
    private final List<Table> tables;
    private final Pattern liveNames;

    /** The read model's shadow build, in {@value #SCHEMA}. */
    public ShadowProjection(Projection live) {
        this(live, SCHEMA);
    }

    /** The read model's copies in {@code schema}. */
    public ShadowProjection(Projection live, String schema) {
        this.live = live;
        this.schema = schema;
        this.tables = live.tables().stream().map(table -> new Table(copyOf(table.name()), table.aggregateColumn())).toList();
        // the read model's own tables only, as whole names: a reference into another read model stays as it is
        this.liveNames = Pattern.compile("\\b(" + String.join("|", live.tables().stream().map(table -> Pattern.quote(table.name())).toList())
                + ")\\b");
    }

    /** A table of the read model as its copy's name: {@code readmodel.customers} as {@code <schema>.customers}. */
    public String copyOf(String table) {
        return schema + "." + table.substring(table.indexOf('.') + 1);
    }

    public Projection live() {
        return live;
    }

    /** The read model a projection's rows belong to: a shadow's are its live read model's (whose discarded events it skips). */
    public static String readModelOf(Projection projection) {
        return projection instanceof ShadowProjection shadow ? shadow.live().name() : projection.name();
    }

    @Override
    public String name() {
        return live.name() + SUFFIX;
    }

    @Override
    public int version() {
        return live.version();
    }

    @Override
    public List<String> aggregateTypes() {
        return live.aggregateTypes();
    }

    @Override
    public List<Table> tables() {
        return tables;
    }

    @Override
    public Set<String> removingEvents() {
        return live.removingEvents();
    }

    @Override
    public List<Reference> references() {
        return live.references();
    }

    @Override
    public void apply(EventEnvelope event, Statements statements) {
        live.apply(event, shadowing(statements));
    }

    @Override
    public boolean fold(List<EventEnvelope> events, Statements statements) {
        return live.fold(events, shadowing(statements));
    }

    private Statements shadowing(Statements statements) {
        return new Statements() {
            @Override
            public void add(String sql, Object... parameters) {
                statements.add(shadowed(sql), parameters);
            }

            @Override
            public void addRows(String sql, List<Object[]> rows) {
                statements.addRows(shadowed(sql), rows);
            }

            @Override
            public void addColumns(String sql, List<Object[]> rows) {
                statements.addColumns(shadowed(sql), rows);
            }
        };
    }

    public String shadowed(String sql) {
        Matcher matcher = liveNames.matcher(sql);
        StringBuilder shadowed = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(shadowed, Matcher.quoteReplacement(copyOf(matcher.group(1))));
        }
        return matcher.appendTail(shadowed).toString();
    }
}
