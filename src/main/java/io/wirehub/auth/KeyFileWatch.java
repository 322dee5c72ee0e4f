package io.wirehub.auth;

import io.wirehub.config.InvalidSettingsException;
import io.wirehub.config.Settings;
import io.wirehub.schedule.Scheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the key file ({@code auth.jwt.public_key_file} or {@code jwks_file}) again every
 * {@code auth.jwt.key_file_check}, and hands on its keys when its content changed: a key is added
 * or removed on every instance without a restart.
 *
 * <p>The content is compared, not the modification time: a Kubernetes Secret or ConfigMap volume
 * swaps a symlink (the new file may carry any time), and two writes within the file system's time
 * granularity look alike. The file is a few KB, so reading it costs nothing. A content that holds
 * no usable key (a half-written file, a typo) is logged once and the keys in force stay: a
 * rotation mistake never locks every client out.
 *
 * <p>A task on the instance's {@link Scheduler} ({@code jwt-key-file}, off its thread: it reads a
 * file), ended by {@link #close()}.
 */
final class KeyFileWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KeyFileWatch.class.getName());

    private final Settings.Auth auth;
    private final Path file;
    private final Consumer<JwtKeys> changed;
    private Scheduler.Task task;
    private byte[] inForce; // the content whose keys are in force; the thread's alone after start
    private byte[] refused; // the last content that held no usable key, warned about once

    private KeyFileWatch(Settings.Auth auth, Consumer<JwtKeys> changed) {
        this.auth = auth;
        this.file = JwtKeys.keyFile(auth);
        this.changed = changed;
    }

    /**
     * Reads the file's keys and hands them on before returning, then watches it.
     *
     * @param changed receives the first keys, then those of each new content that holds usable ones
     * @throws InvalidSettingsException naming the key when the file holds no usable key now
     */
    static KeyFileWatch start(Settings.Auth auth, Consumer<JwtKeys> changed, Scheduler scheduler) {
        KeyFileWatch watch = new KeyFileWatch(auth, changed);
        try {
            byte[] content = Files.readAllBytes(watch.file);
            changed.accept(JwtKeys.fromFile(auth, content));
            watch.inForce = content;
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidSettingsException(List.of(JwtKeys.unreadable(auth, e)));
        }
        watch.task = scheduler.everyBlocking("jwt-key-file", auth.keyFileCheck(), watch::check);
        return watch;
    }

    /** One look at the file: new keys in force when its content changed and holds some. */
    private void check() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            warnOnce(new byte[0], "cannot be read (" + e.getMessage() + ")");
            return;
        }
        if (Arrays.equals(content, inForce)) {
            refused = null;
            return;
        }
        JwtKeys keys;
        try {
            keys = JwtKeys.fromFile(auth, content);
        } catch (IllegalArgumentException e) {
            warnOnce(content, "changed but " + JwtKeys.unreadable(auth, e));
            return;
        }
        inForce = content;
        refused = null;
        changed.accept(keys);
        LOG.log(
                System.Logger.Level.INFO,
                "key file " + file + " changed: " + keys.size() + " key(s) in force now ("
                        + String.join(
                                ", ",
                                keys.algorithms().stream()
                                        .map(Object::toString)
                                        .sorted()
                                        .toList()) + ")");
    }

    private void warnOnce(byte[] content, String what) {
        if (!Arrays.equals(content, refused)) {
            refused = content;
            LOG.log(
                    System.Logger.Level.WARNING,
                    "key file " + file + " " + what + "; the keys read before stay in force");
        }
    }

    @Override
    public void close() {
        task.cancel(); // at most one read of a small file in progress
    }
}
