package io.wirehub.testing;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Counts this JVM's live threads, virtual ones included, grouped by name with the digits taken
 * out ({@code ws-17} and {@code ws-4} are both {@code ws-#}), so a leak names itself.
 *
 * <p>{@code Thread.getAllStackTraces()} sees platform threads only. The JDK keeps every thread in
 * a thread container (virtual ones too, unless {@code -Djdk.trackAllThreads=false}): the tree
 * its thread dump walks ({@code jcmd Thread.dump_to_file}, {@code HotSpotDiagnosticMXBean.dumpThreads}).
 * This walks the same tree, {@code jdk.internal.vm.ThreadContainers} (exported to the tests by the
 * pom's {@code --add-exports}), and reads each thread's name, but takes no stack trace.
 *
 * <p>Why not the dump itself: on JDK 25.0.3 it snapshots every thread's stack through a handshake
 * that crashes the JVM when it meets a virtual thread in the middle of mounting or unmounting
 * (JDK-8364343, JDK-8392031): it did, once, in this suite (SIGSEGV in
 * {@code GetThreadSnapshotClosure::do_thread}, while a test's streams were disconnecting).
 */
public final class ThreadCensus {
    private static final Method ROOT;
    private static final Method CHILDREN;
    private static final Method THREADS;

    static {
        try {
            Class<?> containers = Class.forName("jdk.internal.vm.ThreadContainers");
            Class<?> container = Class.forName("jdk.internal.vm.ThreadContainer");
            ROOT = containers.getMethod("root");
            CHILDREN = container.getMethod("children");
            THREADS = container.getMethod("threads");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "the JDK's thread containers are not reachable: run the tests with"
                            + " --add-exports java.base/jdk.internal.vm=ALL-UNNAMED (the pom's argLine does)",
                    e);
        }
    }

    /** Live threads by group name; virtual ones are prefixed {@code virtual }. */
    public static Map<String, Integer> take() {
        Map<String, Integer> groups = new TreeMap<>();
        containers(invoke(ROOT, null))
                .flatMap(ThreadCensus::threads)
                .filter(Thread::isAlive)
                .forEach(thread -> {
                    String name = thread.getName().replaceAll("[0-9]+", "#");
                    groups.merge(
                            (thread.isVirtual() ? "virtual " : "platform ") + (name.isEmpty() ? "(unnamed)" : name),
                            1,
                            Integer::sum);
                });
        return groups;
    }

    public static int virtualThreads(Map<String, Integer> census) {
        return census.entrySet().stream()
                .filter(e -> e.getKey().startsWith("virtual "))
                .mapToInt(Map.Entry::getValue)
                .sum();
    }

    /** The container and every container below it. */
    private static Stream<Object> containers(Object container) {
        Stream<?> children = (Stream<?>) invoke(CHILDREN, container);
        return Stream.concat(Stream.of(container), children.flatMap(ThreadCensus::containers));
    }

    private static Stream<Thread> threads(Object container) {
        return ((Stream<?>) invoke(THREADS, container)).map(Thread.class::cast);
    }

    private static Object invoke(Method method, Object target) {
        try {
            return method.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("reading the JDK's thread containers failed", e);
        }
    }

    private ThreadCensus() {}
}
