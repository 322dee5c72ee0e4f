package io.wirehub.app;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Runs an action on each SIGTERM, in place of the JVM's own handling (see {@link DrainOnSigterm}
 * for why). It uses {@code sun.misc.Signal} (module jdk.unsupported, the JDK's supported-but-
 * unexported way to handle a signal) by reflection: javac warns on every compiled use of a sun.*
 * class, a warning no {@code @SuppressWarnings} silences, and the main code builds with -Werror.
 */
final class TermSignal {
    private TermSignal() {}

    static void handle(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object term = signal.getConstructor(String.class).newInstance("TERM");
            Object onTerm = Proxy.newProxyInstance(
                    handler.getClassLoader(),
                    new Class<?>[] {handler},
                    (proxy, method, args) -> call(proxy, method, args, action));
            signal.getMethod("handle", signal, handler).invoke(null, term, onTerm);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot handle SIGTERM: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "cannot handle SIGTERM: this JDK has no sun.misc.Signal (module jdk.unsupported)", e);
        }
    }

    /** SignalHandler.handle runs the action; Object's methods answer as an object of its own would. */
    @SuppressWarnings("ReferenceEquality") // Object.equals is identity
    private static Object call(Object proxy, Method method, Object[] args, Runnable action) {
        return switch (method.getName()) {
            case "handle" -> {
                action.run();
                yield null;
            }
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "TermSignal(" + action + ")";
            default -> throw new UnsupportedOperationException(method.toString());
        };
    }
}
