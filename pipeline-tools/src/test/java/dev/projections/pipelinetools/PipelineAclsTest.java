package dev.projections.pipelinetools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/deployment.md gives an operator the ACLs {@link KafkaAclIT} runs the components with, as kafka-acls.sh commands. */
class PipelineAclsTest {

    @Test
    void givenTheAclsTheComponentsRunWith_whenTheDeploymentGuideIsRead_thenItGrantsEachWithKafkaAcls() throws Exception {
        String guide = Files.readString(DeploymentFiles.root().resolve("docs/deployment.md"));
        List<PipelineAcls.Grant> grants = new ArrayList<>(PipelineAcls.relay("User:relay", "pipeline.relay.offsets"));
        // the guide's loop over the read models
        grants.addAll(PipelineAcls.projector("User:projector-$rm", "pipeline-projector-$rm"));

        for (PipelineAcls.Grant grant : grants) {
            assertThat(guide).as("docs/deployment.md grants %s", grant).contains("$ACL " + grant.arguments() + "\n");
        }
    }
}
