package dev.projections.projectorstreams;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.projections.projectorstreams.projection.Statements;
import dev.projections.projectorstreams.projection.Projection;
import dev.projections.eventcatalogue.EventEnvelope;
import dev.projections.projectorstreams.customer.CustomerProjection;
import dev.projections.projectorstreams.document.DocumentProjection;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectionsTest {

    @Test
    void givenTwoProjectionsWithOneName_whenLoaded_thenTheyAreRefusedNamingBothClasses() {
        Projection twin = new Projection() {
            @Override
            public String name() {
                return "customer";
            }

            @Override
            public List<String> aggregateTypes() {
                return List.of("customer");
            }

            @Override
            public List<Table> tables() {
                return List.of(new Table("readmodel.other_customers", "id"));
            }

            @Override
            public void apply(EventEnvelope event, Statements statements) {
            }
        };

        assertThatThrownBy(() -> Projections.load(List.of(new DocumentProjection(), new CustomerProjection(), twin)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two read models are named 'customer'")
                .hasMessageContaining(CustomerProjection.class.getName())
                .hasMessageContaining(twin.getClass().getName());
    }
}
