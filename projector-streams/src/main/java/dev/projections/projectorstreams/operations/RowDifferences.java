package dev.projections.projectorstreams.operations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.projections.eventcatalogue.EventJson;
import dev.projections.projectorstreams.operations.ReadModelVerifier.Difference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

/** How two lists of one table's rows of one aggregate differ, in words. */
final class RowDifferences {

    private RowDifferences() {
    }

    static void describe(String readModel, String table, UUID aggregate, List<String> actual, List<String> expected,
            List<Difference> differences) {
        if (actual.equals(expected)) {
            return;
        }
        String subject = table + " " + aggregate;
        if (expected.isEmpty()) {
            differences.add(new Difference(readModel, "extra", subject,
                    actual.size() + " row(s) where its events leave none (a deleted aggregate, or rows without events)"));
        } else if (actual.isEmpty()) {
            differences.add(new Difference(readModel, "missing", subject, "no row where its events make " + expected.size()));
        } else if (actual.size() != expected.size()) {
            differences.add(new Difference(readModel, "rows", subject, actual.size() + " row(s) where its events make " + expected.size()));
        } else {
            for (int i = 0; i < actual.size(); i++) {
                String columns = differingColumns(EventJson.tree(actual.get(i)), EventJson.tree(expected.get(i)));
                if (!columns.isEmpty()) {
                    differences.add(new Difference(readModel, "differs", subject, columns));
                }
            }
        }
    }

    private static String differingColumns(JsonNode actual, JsonNode expected) {
        List<String> columns = new ArrayList<>();
        Iterator<String> names = ((ObjectNode) expected).fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!expected.get(name).equals(actual.get(name))) {
                columns.add(name + " is " + abbreviate(actual.get(name)) + ", its events make it " + abbreviate(expected.get(name)));
            }
        }
        return String.join("; ", columns);
    }

    private static String abbreviate(JsonNode value) {
        String text = String.valueOf(value);
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }
}
