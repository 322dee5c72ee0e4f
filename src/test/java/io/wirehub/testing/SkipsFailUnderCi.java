package io.wirehub.testing;

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Under CI (the environment variable CI set, as .ci/run and CI services do), a test that skips
 * fails instead. Every skip in this suite is an aborted assumption about the machine (no chromium,
 * node, redis-server 7+, nginx, promtool, PostgreSQL binaries): CI installs them all, so a skip
 * there means a broken CI that would otherwise go green without testing what it says it tests.
 * Elsewhere (a developer's machine without chromium) the skip stays a skip.
 *
 * <p>Registered for every test class by JUnit's extension auto-detection
 * (src/test/resources/junit-platform.properties and META-INF/services).
 */
public final class SkipsFailUnderCi implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    static boolean underCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw failUnderCi(context, thrown);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw failUnderCi(context, thrown);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw failUnderCi(context, thrown);
    }

    private static Throwable failUnderCi(ExtensionContext context, Throwable thrown) {
        if (!(thrown instanceof TestAbortedException) || !underCi()) {
            return thrown;
        }
        String test = context.getRequiredTestClass().getSimpleName()
                + context.getTestMethod().map(Method::getName).map(m -> "." + m).orElse("");
        return new AssertionError(
                test + " would skip under CI (CI=" + System.getenv("CI") + "): " + thrown.getMessage()
                        + ". CI must have every tool the tests use: .ci/run installs them",
                thrown);
    }
}
