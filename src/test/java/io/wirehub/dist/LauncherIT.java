package io.wirehub.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's launcher, bin/wirehub (src/dist/bin/wirehub), run by /bin/sh as an operator
 * runs it, in front of stand-in Javas: shell scripts with a JDK's {@code release} file that print
 * their process id and arguments. So each test sees exactly what the launcher would start, which
 * Java it chose, and that it exec'd it (same pid), in milliseconds and on any machine.
 */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("src/dist/bin/wirehub");

    @TempDir
    Path dir;

    private Path home;
    private Path tools; // PATH without any java: only what the launcher may call besides builtins
    private Path emptyJvmDir;

    @BeforeEach
    void distribution() throws IOException {
        home = dir.resolve("wirehub");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Files.copy(LAUNCHER, home.resolve("bin/wirehub"));
        Files.writeString(home.resolve("lib/wirehub.jar"), "");
        tools = Files.createDirectories(dir.resolve("tools"));
        Files.createSymbolicLink(tools.resolve("readlink"), Path.of("/usr/bin/readlink"));
        emptyJvmDir = Files.createDirectories(dir.resolve("jvm"));
    }

    @Test
    void startsTheJavaHomeJvmWithTheRecommendedFlagsAndCompactHeadersOn25() throws Exception {
        Started started = launch(Map.of("JAVA_HOME", fakeJava("jdk25", "25.0.3").toString()), "--config", "c.yaml");
        assertEquals(dir.resolve("jdk25/bin/java").toString(), started.java());
        assertEquals(
                List.of(
                        "-XX:+UseSerialGC",
                        "-XX:+UseCompactObjectHeaders",
                        "-XX:MinHeapFreeRatio=20",
                        "-XX:MaxHeapFreeRatio=40",
                        "-Xms128m",
                        "-Xmx1g",
                        "-Xmn64m",
                        "-jar",
                        home.resolve("bin/../lib/wirehub.jar").toString(),
                        "--config",
                        "c.yaml"),
                started.args());
    }

    @Test
    void leavesCompactHeadersOutBeforeJava25() throws Exception {
        Started started = launch(Map.of("JAVA_HOME", fakeJava("jdk21", "21.0.7").toString()));
        assertFalse(
                started.args().contains("-XX:+UseCompactObjectHeaders"),
                started.args().toString());
        assertTrue(started.args().contains("-XX:+UseSerialGC"), started.args().toString());
    }

    @Test
    void execsTheJvmSoThatSignalsReachIt() throws Exception {
        Started started = launch(Map.of("JAVA_HOME", fakeJava("jdk25", "25").toString()));
        assertEquals(
                started.launcherPid(), started.javaPid(), "the JVM took the launcher's process: SIGTERM reaches it");
    }

    @Test
    void passesEveryArgumentThroughAsItIs() throws Exception {
        Started started = launch(
                Map.of("JAVA_HOME", fakeJava("jdk25", "25").toString()),
                "--config",
                "my dir/with 'quotes' $HOME.yaml",
                "");
        List<String> args = started.args();
        assertEquals(
                List.of("--config", "my dir/with 'quotes' $HOME.yaml", ""), args.subList(args.size() - 3, args.size()));
    }

    @Test
    void heapOptsReplaceTheDefaultAndJavaOptsThenWhJavaOptsComeLast() throws Exception {
        Started started = launch(Map.of(
                "JAVA_HOME",
                fakeJava("jdk25", "25").toString(),
                "WH_HEAP_OPTS",
                "-Xms1g -Xmx3g",
                "JAVA_OPTS",
                "-Da=1",
                "WH_JAVA_OPTS",
                "-Db=2 -Xmx4g"));
        List<String> args = started.args();
        assertFalse(args.contains("-Xmx1g"), args.toString());
        int jar = args.indexOf("-jar");
        assertEquals(
                List.of("-Xms1g", "-Xmx3g", "-Da=1", "-Db=2", "-Xmx4g"),
                args.subList(jar - 5, jar),
                "a later flag wins: " + args);
    }

    @Test
    void skipsAJavaHomeOlderThan21ForTheNewestInTheJvmDirectory() throws Exception {
        Path jvmDir = Files.createDirectories(dir.resolve("lib-jvm"));
        fakeJava("lib-jvm/java-21", "21.0.2");
        fakeJava("lib-jvm/temurin-25", "25.0.1");
        fakeJava("lib-jvm/java-17", "17.0.15");
        Started started = launch(
                Map.of("JAVA_HOME", fakeJava("jdk17", "17.0.15").toString(), "WIREHUB_JVM_DIR", jvmDir.toString()));
        assertEquals(jvmDir.resolve("temurin-25/bin/java").toString(), started.java());
    }

    @Test
    void namesEachJavaItFoundTooOldWhenThereIsNoJava21() throws Exception {
        Path old = fakeJava("jdk17", "17.0.15");
        Ran ran = run(Map.of("JAVA_HOME", old.toString()));
        assertEquals(1, ran.exitCode(), ran.toString());
        assertEquals("", ran.out());
        assertEquals(1, ran.err().lines().count(), "one line: " + ran.err());
        assertTrue(
                ran.err()
                        .startsWith("wirehub: needs Java 21 or newer (virtual threads) and found none: JAVA_HOME=" + old
                                + " is Java 17, nothing newer in " + emptyJvmDir + ". Install a JDK or JRE 21+"),
                ran.err());
    }

    @Test
    void usesTheAotCacheOnlyWhenItIsNewerThanTheJar() throws Exception {
        Path cache = home.resolve("lib/wirehub.aot");
        Files.writeString(cache, "");
        Map<String, String> env = Map.of("JAVA_HOME", fakeJava("jdk25", "25").toString());
        Files.setLastModifiedTime(cache, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertTrue(
                launch(env).args().contains("-XX:AOTCache=" + home.resolve("bin/../lib/wirehub.aot")),
                "a fresh cache is used");
        Files.setLastModifiedTime(cache, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        assertTrue(
                launch(env).args().stream().noneMatch(arg -> arg.startsWith("-XX:AOTCache")),
                "a cache older than the jar is not");
    }

    @Test
    void printsItsJvmFlagsForTheMakefile() throws Exception {
        Ran ran = run(Map.of("JAVA_HOME", fakeJava("jdk25", "25").toString(), "WIREHUB_PRINT_JVM_FLAGS", "1"));
        assertEquals(
                "-XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -Xms128m -Xmx1g -Xmn64m\n",
                ran.out(),
                ran.toString());
    }

    /** A stand-in Java of this version: its release file, and a bin/java printing its pid and arguments. */
    private Path fakeJava(String name, String version) throws IOException {
        Path javaHome = dir.resolve(name);
        Files.createDirectories(javaHome.resolve("bin"));
        Files.writeString(javaHome.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Path java = javaHome.resolve("bin/java");
        Files.writeString(
                java, "#!/bin/sh\necho \"java=$0\"\necho \"pid=$$\"\nfor a in \"$@\"; do echo \"arg=$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return javaHome;
    }

    record Ran(int exitCode, String out, String err, long pid) {}

    record Started(String java, long javaPid, long launcherPid, List<String> args) {}

    private Started launch(Map<String, String> env, String... args) throws Exception {
        Ran ran = run(env, args);
        assertEquals(0, ran.exitCode(), ran.toString());
        String java = null;
        long pid = -1;
        List<String> javaArgs = new ArrayList<>();
        for (String line : ran.out().split("\n", -1)) {
            if (line.startsWith("java=")) {
                java = line.substring(5);
            } else if (line.startsWith("pid=")) {
                pid = Long.parseLong(line.substring(4));
            } else if (line.startsWith("arg=")) {
                javaArgs.add(line.substring(4));
            }
        }
        return new Started(java, pid, ran.pid(), javaArgs);
    }

    private Ran run(Map<String, String> env, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of("/bin/sh", home.resolve("bin/wirehub").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment =
                new HashMap<>(Map.of("PATH", tools.toString(), "WIREHUB_JVM_DIR", emptyJvmDir.toString()));
        environment.putAll(env);
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new Ran(process.exitValue(), out, err, process.pid());
    }
}
