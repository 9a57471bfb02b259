package dev.projections.pipelinecli;

import dev.projections.projectorstreams.Projections;
import java.util.Iterator;

/** The read models found on the class path, for the help texts ({@code ${COMPLETION-CANDIDATES}}) and completion. */
final class ReadModelNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return Projections.names().iterator();
    }
}
