package io.wirehub.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The system's chromium, headless, driven over the DevTools protocol with the JDK's own
 * WebSocket client: no browser download, no npm. One page; evaluate JavaScript in it, take
 * screenshots. {@link #path()} is null where chromium is not installed (the test then skips).
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://[^/]+)/");
    private static final Duration START = Duration.ofSeconds(20);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    /** The chromium binary, or null when none is installed. */
    public static Path path() {
        for (String candidate :
                new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        return null;
    }

    public HeadlessChromium(int width, int height) throws Exception {
        this(width, height, List.of());
    }

    /** @param flags more command-line switches, e.g. {@code --ignore-certificate-errors} for a self-signed test certificate */
    public HeadlessChromium(int width, int height, List<String> flags) throws Exception {
        profile = Files.createTempDirectory("wirehub-chromium");
        List<String> command = new ArrayList<>(List.of(
                path().toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--no-first-run",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height));
        command.addAll(flags);
        command.add("about:blank");
        process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String devtools = devtoolsAddress();
            String http = devtools.replace("ws://", "http://");
            JsonNode targets = Http.JSON.readTree(Http.get(http + "/json/list").body());
            String page = null;
            for (JsonNode target : targets) {
                if ("page".equals(target.get("type").asText())) {
                    page = target.get("webSocketDebuggerUrl").asText();
                }
            }
            if (page == null) {
                throw new IllegalStateException("chromium shows no page: " + targets);
            }
            socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(URI.create(page), new Listener())
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Opens the URL and returns once it is the page shown and its load event fired. */
    public void open(String url) throws Exception {
        call("Page.enable", Map.of());
        call("Page.navigate", Map.of("url", url));
        Eventually.await("the page loaded", Duration.ofSeconds(20), () -> {
            try { // the URL too: the page before may still be there, complete
                return url.equals(evaluate("document.URL").asText())
                        && "complete".equals(evaluate("document.readyState").asText());
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** The value of a JavaScript expression in the page. */
    public JsonNode evaluate(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (result.has("exceptionDetails")) {
            throw new IllegalStateException("the page threw on " + expression + ": " + result.get("exceptionDetails"));
        }
        return result.get("result").path("value");
    }

    /** Sets the browser's cookie {@code name} for the URL's host (as a login would); an empty value deletes it. */
    public void setCookie(String url, String name, String value) throws Exception {
        if (value.isEmpty()) {
            call("Network.deleteCookies", Map.of("name", name, "url", url));
        } else {
            call("Network.setCookie", Map.of("name", name, "value", value, "url", url));
        }
    }

    public void screenshot(Path file) throws Exception {
        JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    private JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode message = Http.JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", Http.JSON.valueToTree(params));
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText(message.toString(), true).get(5, TimeUnit.SECONDS);
        JsonNode reply = answer.get(20, TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return reply.get("result");
    }

    private String devtoolsAddress() throws IOException {
        BufferedReader err =
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> found = new CompletableFuture<>();
        Thread.ofVirtual().name("chromium-stderr").start(() -> {
            try {
                String line;
                while ((line = err.readLine()) != null) { // keep reading: a full pipe would stall chromium
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        found.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                // chromium ended
            }
            found.completeExceptionally(new IllegalStateException("chromium ended without a DevTools address"));
        });
        try {
            return found.get(START.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("chromium did not start within " + START.toSeconds() + " s", e);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = Http.JSON.readTree(partial.toString());
                    CompletableFuture<JsonNode> waiting =
                            message.has("id") ? pending.remove(message.get("id").asInt()) : null;
                    if (waiting != null) {
                        waiting.complete(message);
                    }
                } catch (IOException e) {
                    // not JSON: not ours
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
