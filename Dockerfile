# The pipeline's image: every command of bin/pipeline, run as a non-root user on a Java runtime.
#   docker build -t projection-pipeline .
#   docker run --rm projection-pipeline --help
# The tools (lib/tools: local mode, the embedded broker, bench, chaos) are left out: only production commands run.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests package -pl distribution -am \
 && mkdir /dist \
 && tar -xzf distribution/target/pipeline-*.tar.gz -C /dist --strip-components=1 \
 && rm -rf /dist/lib/tools

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 pipeline \
 && useradd --system --uid 10001 --gid pipeline --home-dir /var/lib/pipeline --create-home pipeline
COPY --from=build /dist /opt/pipeline
USER 10001:10001
WORKDIR /var/lib/pipeline
# Kafka Streams keeps its state here, under the user's home rather than /tmp
ENV PIPELINE_PROJECTOR_STATE_DIR=/var/lib/pipeline/state
# the writer's HTTP port, then the /metrics of a relay, a projector and the writer
EXPOSE 8080 9400 9401 9402
ENTRYPOINT ["/opt/pipeline/bin/pipeline"]
CMD ["--help"]
