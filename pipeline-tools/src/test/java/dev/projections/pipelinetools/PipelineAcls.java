package dev.projections.pipelinetools;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs each component needs on a secured cluster, as docs/deployment.md grants them: {@link KafkaAclIT}
 * runs the components with exactly these, and {@link PipelineAclsTest} finds each in the docs.
 */
final class PipelineAcls {

    /** Operations of one principal on one resource: one {@code kafka-acls.sh --add} command. */
    record Grant(String principal, ResourcePattern resource, List<AclOperation> operations) {

        List<AclBinding> bindings() {
            return operations.stream()
                    .map(operation -> new AclBinding(resource, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)))
                    .toList();
        }

        /** As {@code kafka-acls.sh --add} takes it. */
        String arguments() {
            String operationFlags = operations.stream().map(operation -> "--operation " + camelCase(operation.name()))
                    .collect(Collectors.joining(" "));
            String resourceFlag = switch (resource.resourceType()) {
                case TOPIC -> "--topic " + resource.name();
                case GROUP -> "--group " + resource.name();
                case CLUSTER -> "--cluster";
                default -> throw new IllegalArgumentException("no ACLs on " + resource.resourceType() + " here");
            };
            String pattern = resource.patternType() == PatternType.PREFIXED ? " --resource-pattern-type prefixed" : "";
            return "--allow-principal " + principal + " " + operationFlags + " " + resourceFlag + pattern;
        }

        private static String camelCase(String name) {
            return Arrays.stream(name.split("_")).map(word -> word.charAt(0) + word.substring(1).toLowerCase()).collect(Collectors.joining());
        }
    }

    static final String EVENT_TOPICS = "events.";

    private PipelineAcls() {
    }

    static List<Grant> relay(String principal, String offsetsTopic) {
        return List.of(
                new Grant(principal, new ResourcePattern(ResourceType.TOPIC, EVENT_TOPICS, PatternType.PREFIXED),
                        List.of(AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.WRITE)),
                new Grant(principal, new ResourcePattern(ResourceType.TOPIC, offsetsTopic, PatternType.LITERAL),
                        List.of(AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.READ, AclOperation.WRITE)),
                new Grant(principal, new ResourcePattern(ResourceType.CLUSTER, Resource.CLUSTER_NAME, PatternType.LITERAL),
                        List.of(AclOperation.DESCRIBE_CONFIGS)));
    }

    static List<Grant> projector(String principal, String applicationId) {
        return List.of(
                new Grant(principal, new ResourcePattern(ResourceType.TOPIC, EVENT_TOPICS, PatternType.PREFIXED), List.of(AclOperation.READ)),
                new Grant(principal, new ResourcePattern(ResourceType.GROUP, applicationId, PatternType.LITERAL), List.of(AclOperation.READ)),
                new Grant(principal, new ResourcePattern(ResourceType.TOPIC, applicationId + "-", PatternType.PREFIXED),
                        List.of(AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE)));
    }

    static List<AclBinding> bindings(List<Grant> grants) {
        return grants.stream().flatMap(grant -> grant.bindings().stream()).toList();
    }
}
