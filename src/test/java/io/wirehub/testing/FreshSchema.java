package io.wirehub.testing;

import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A random PostgreSQL schema for a test, dropped after it. Registered on a static field
 * ({@code @RegisterExtension static final FreshSchema schema = new FreshSchema()}) it lives for the
 * test class; on an instance field, each test method gets its own.
 */
public final class FreshSchema implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private TestPostgres.TestSchema schema;
    private boolean perClass;

    public TestPostgres.TestSchema get() {
        return schema;
    }

    public String name() {
        return schema.name();
    }

    /** WH_* variables that point a wirehub at this schema; see {@link TestPostgres.TestSchema#env()}. */
    public Map<String, String> env() {
        return schema.env();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true; // only a static field's extension is called here
        schema = TestPostgres.newSchema();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        schema.close();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            schema = TestPostgres.newSchema();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            schema.close();
        }
    }
}
