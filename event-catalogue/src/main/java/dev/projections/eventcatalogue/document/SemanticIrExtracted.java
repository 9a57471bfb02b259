package dev.projections.eventcatalogue.document;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The semantic content extracted from a document; a later extraction replaces an earlier one. */
public record SemanticIrExtracted(
        List<Formula> formulas, List<Definition> definitions, List<Table> tables, List<CrossReference> crossReferences) {

    public static final String TYPE = "SemanticIrExtracted";

    public record Formula(String name, String expression, JsonNode variables) {
    }

    public record Definition(String term, String definition, String context) {
    }

    public record Table(String name, JsonNode tableData, int rowCount, int columnCount) {
    }

    public record CrossReference(String target, String referenceType, String location) {
    }

    public SemanticIrExtracted {
        formulas = formulas == null ? List.of() : List.copyOf(formulas);
        definitions = definitions == null ? List.of() : List.copyOf(definitions);
        tables = tables == null ? List.of() : List.copyOf(tables);
        crossReferences = crossReferences == null ? List.of() : List.copyOf(crossReferences);
    }
}
