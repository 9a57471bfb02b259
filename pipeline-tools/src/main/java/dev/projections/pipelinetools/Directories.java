package dev.projections.pipelinetools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The tools' scratch directories (a chaos run's, a bench's Streams state, local mode's data) go when they are done. */
public final class Directories {

    private Directories() {
    }

    /** Deletes the directory and everything in it; nothing when it does not exist. */
    public static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
