package dev.projections.eventwriter.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file an operator edits while the writer runs (API keys, token keys), parsed again at most once a second
 * after it changes. A change that does not parse is logged and the last good content stays in force.
 */
final class ReloadingFile<T> {

    /** Parses the file's text; its exception's message names the line or part that is wrong. */
    interface Parser<T> {
        T parse(String text) throws Exception;
    }

    private record Loaded<T>(FileTime modified, long size, T value) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingFile.class);
    private static final long CHECK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Path file;
    private final String what;
    private final Parser<T> parser;
    private volatile Loaded<T> loaded;
    private volatile long nextCheck;

    private ReloadingFile(Path file, String what, Parser<T> parser, Loaded<T> loaded) {
        this.file = file;
        this.what = what;
        this.parser = parser;
        this.loaded = loaded;
        this.nextCheck = System.nanoTime() + CHECK_EVERY_NANOS;
    }

    /** Reads the file now; a file that is missing or does not parse is a bad setting, reported at start. */
    static <T> ReloadingFile<T> load(Path file, String what, Parser<T> parser) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            T value = parser.parse(Files.readString(file));
            return new ReloadingFile<>(file, what, parser, new Loaded<>(attributes.lastModifiedTime(), attributes.size(), value));
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read the " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    T current() {
        long now = System.nanoTime();
        if (now - nextCheck >= 0) {
            synchronized (this) {
                if (now - nextCheck >= 0) {
                    nextCheck = now + CHECK_EVERY_NANOS;
                    reloadIfChanged();
                }
            }
        }
        return loaded.value();
    }

    private void reloadIfChanged() {
        Loaded<T> last = loaded;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.lastModifiedTime().equals(last.modified()) && attributes.size() == last.size()) {
                return;
            }
            T value = parser.parse(Files.readString(file));
            loaded = new Loaded<>(attributes.lastModifiedTime(), attributes.size(), value);
            LOG.info("read the changed {} {}", what, file);
        } catch (IOException e) {
            LOG.error("cannot read the {} {}; what it last held stays in force: {}", what, file, e.toString());
        } catch (Exception e) {
            LOG.error("the changed {} {} is not valid; what it last held stays in force: {}", what, file, e.getMessage());
        }
    }
}
