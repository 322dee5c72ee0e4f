package io.wirehub.schedule;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The instance's one timer for periodic work, as HikariCP's house-keeper is the pool's: the hub's
 * ticker, the Redis heartbeats and backlog re-sends, the retention sweep, the TLS and key-file
 * checks, the header-timeout watchdog. The app makes one, hands it to the parts, and closes it
 * last: one shutdown path for all of them.
 *
 * <p>Two kinds of task, so that a blocking one never stalls the others:
 * <ul>
 *   <li>{@link #every}/{@link #after}: short passes over memory (no I/O that can wait), run on the
 *       one platform thread {@code scheduler}. A platform thread keeps the ticker's deadlines on
 *       time however busy the virtual threads' carriers are.
 *   <li>{@link #everyBlocking}/{@link #afterBlocking}: work that may wait on a socket, a lock or
 *       the disk (a PING waiting for its PONG, a JDBC delete, a PUBLISH, a file read). The timer
 *       only starts each run, on a fresh virtual thread named after the task; the next period
 *       counts from the end of a run, so runs of one task never overlap. A parked virtual thread
 *       costs no platform thread, so any number of them may wait at once.
 * </ul>
 *
 * <p>A task that throws is logged and runs again at its next period (a bare
 * {@code ScheduledExecutorService} would silently stop repeating it).
 */
public final class Scheduler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());
    // cancel() waits this long for a run under way: longer than one Redis or JDBC timeout, short
    // enough that a stuck run never holds a shutdown for long.
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(10);

    private final ScheduledThreadPoolExecutor timer;

    public Scheduler() {
        timer = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().name("scheduler").daemon(true).factory());
        timer.setRemoveOnCancelPolicy(true); // cancelled tasks leave the queue at once
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** A scheduled task. */
    public interface Task {
        /**
         * No run starts from now on; returns once a run under way has ended (at most 10 s; at
         * once when called from the run itself). Idempotent.
         */
        void cancel();
    }

    /** Runs {@code task} on the scheduler thread every {@code period}, the first time one period from now. */
    public Task every(Duration period, Runnable task) {
        return new Quick(timer.scheduleWithFixedDelay(
                logged("a periodic task", task), period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS));
    }

    /** Runs {@code task} once on the scheduler thread after {@code delay}. */
    public Task after(Duration delay, Runnable task) {
        return new Quick(timer.schedule(logged("a timed task", task), delay.toNanos(), TimeUnit.NANOSECONDS));
    }

    /** Runs {@code task}, which may block, on a virtual thread {@code name} every {@code period} after the end of the last run. */
    public Task everyBlocking(String name, Duration period, Runnable task) {
        return new Blocking(name, period, task, true).schedule();
    }

    /** Runs {@code task}, which may block, once on a virtual thread {@code name} after {@code delay}. */
    public Task afterBlocking(String name, Duration delay, Runnable task) {
        return new Blocking(name, delay, task, false).schedule();
    }

    /**
     * Stops the timer: no task starts from now on. The parts cancel their own tasks first (each
     * waits for its run under way); this only ends what is left.
     */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "the scheduler thread did not stop within " + CANCEL_WAIT.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Runnable logged(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, name + " failed; it runs again at its next period", e);
            }
        };
    }

    private record Quick(ScheduledFuture<?> future) implements Task {
        @Override
        public void cancel() {
            future.cancel(false);
        }
    }

    /** A task run off the timer: the timer starts each run on a virtual thread, which schedules the next one as it ends. */
    private final class Blocking implements Task {
        private final String name;
        private final Duration delay;
        private final Runnable task;
        private final boolean repeats;
        private final ReentrantLock lock = new ReentrantLock();
        private boolean cancelled; // guarded by lock
        private ScheduledFuture<?> next; // guarded by lock
        private Thread running; // guarded by lock

        Blocking(String name, Duration delay, Runnable task, boolean repeats) {
            this.name = name;
            this.delay = delay;
            this.task = logged(name, task);
            this.repeats = repeats;
        }

        Blocking schedule() {
            lock.lock();
            try {
                if (!cancelled) {
                    next = timer.schedule(this::launch, delay.toNanos(), TimeUnit.NANOSECONDS);
                }
            } catch (RejectedExecutionException e) {
                cancelled = true; // the scheduler is closed: the instance is stopping
            } finally {
                lock.unlock();
            }
            return this;
        }

        private void launch() {
            lock.lock();
            try {
                if (!cancelled) {
                    running = Thread.ofVirtual().name(name).start(this::run);
                }
            } finally {
                lock.unlock();
            }
        }

        private void run() {
            try {
                task.run();
            } finally {
                lock.lock();
                try {
                    running = null;
                } finally {
                    lock.unlock();
                }
                if (repeats) {
                    schedule();
                }
            }
        }

        @Override
        public void cancel() {
            Thread underWay;
            lock.lock();
            try {
                cancelled = true;
                if (next != null) {
                    next.cancel(false);
                }
                underWay = running;
            } finally {
                lock.unlock();
            }
            if (underWay == null || underWay == Thread.currentThread()) {
                return;
            }
            try {
                if (!underWay.join(CANCEL_WAIT)) {
                    LOG.log(
                            System.Logger.Level.WARNING,
                            name + " did not end within " + CANCEL_WAIT.toMillis() + " ms of its cancel");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
