package io.wirehub.app;

import io.helidon.common.tls.Tls;
import io.wirehub.config.InvalidSettingsException;
import io.wirehub.config.Settings;
import io.wirehub.schedule.Scheduler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Re-reads the TLS files when they change, so a renewed certificate is served without a restart.
 * Each {@code server.tls.reload_interval} it compares the files' real paths, sizes and modification
 * times (the real path: Kubernetes swaps a secret by re-pointing a symlink); on a change it reads
 * them ({@link TlsFiles}) and hands the new TLS to the listener. Connections open keep their session;
 * new handshakes get the new certificate. A change that does not read (a key not yet written beside
 * its new certificate) keeps the running certificate, is logged, and is retried on the next change.
 * A task on the instance's {@link Scheduler}, {@code tls-reload}: it reads files, so off its thread.
 */
final class TlsReload implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TlsReload.class.getName());
    private final Settings.Tls settings;
    private final Consumer<Tls> listener;
    private final Scheduler.Task task;
    private List<String> seen; // the task's alone after the constructor

    TlsReload(Settings.Tls settings, Consumer<Tls> listener, Scheduler scheduler) {
        this.settings = settings;
        this.listener = listener;
        this.seen = stamp();
        this.task = scheduler.everyBlocking("tls-reload", settings.reloadInterval(), this::reloadIfChanged);
    }

    private void reloadIfChanged() {
        List<String> now = stamp();
        if (now.equals(seen)) {
            return;
        }
        seen = now;
        try {
            listener.accept(TlsFiles.read(settings));
            LOG.log(
                    System.Logger.Level.INFO,
                    "TLS reloaded from " + settings.certFile() + " and " + settings.keyFile()
                            + ": new connections get the new certificate");
        } catch (InvalidSettingsException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "TLS files changed but cannot be used; still serving the previous certificate: " + e.getMessage());
        }
    }

    private List<String> stamp() {
        return List.of(stamp(Path.of(settings.certFile())), stamp(Path.of(settings.keyFile())));
    }

    private static String stamp(Path file) {
        try {
            return file.toRealPath() + " " + Files.size(file) + " "
                    + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return file + " unreadable"; // mid-swap: read again once it is back
        }
    }

    @Override
    public void close() {
        task.cancel();
    }
}
