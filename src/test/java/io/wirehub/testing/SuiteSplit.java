package io.wirehub.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Surefire runs the unit tests ({@code *Test}), Failsafe the integration and leak tests ({@code *IT},
 * {@code *LeakTest}): pom.xml's includes say so, but {@code -Dtest='FooIT,BarTest'} overrides them
 * and reaches both plugins, which would run FooIT twice, once before the jar is built. Each plugin
 * names itself in {@code wirehub.test.runner}; the other kind of test is left to the other plugin.
 * Without that property (an IDE) every test runs. Registered by JUnit's extension auto-detection.
 */
public final class SuiteSplit implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String runner = System.getProperty("wirehub.test.runner");
        if (runner == null || context.getTestClass().isEmpty()) {
            return ConditionEvaluationResult.enabled("no runner named");
        }
        String name = context.getTestClass().get().getSimpleName();
        boolean integration = name.endsWith("IT") || name.endsWith("LeakTest");
        if (runner.equals("surefire") && integration) {
            return ConditionEvaluationResult.disabled(name + " is an integration test: Failsafe runs it (mvn verify)");
        }
        if (runner.equals("failsafe") && !integration) {
            return ConditionEvaluationResult.disabled(name + " is a unit test: Surefire runs it");
        }
        return ConditionEvaluationResult.enabled(runner + " runs " + name);
    }
}
