package io.wirehub.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The documentation lists every key the code reads, so an operator never meets an undocumented one. */
class ConfigDocsTest {

    @Test
    void everyKeyAndVariableIsInTheDocsAndTheShippedFile() throws IOException {
        String docs = Files.readString(Path.of("docs/configuration.md"));
        String yaml = Files.readString(Path.of("config/application.yaml"));
        String production = Files.readString(Path.of("config/production.yaml"));
        for (ConfigKey key : ConfigKey.values()) {
            assertTrue(docs.contains("`" + key.key() + "`"), key.key() + " missing from docs/configuration.md");
            assertTrue(docs.contains("`" + key.env() + "`"), key.env() + " missing from docs/configuration.md");
            assertTrue(yaml.contains(key.env()), key.env() + " missing from config/application.yaml");
            assertTrue(production.contains(key.env()), key.env() + " missing from config/production.yaml");
        }
    }
}
