import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * make dev-obs's schema on the machine's PostgreSQL: whether it is there ({@code present} or
 * {@code absent}, so that up can tell a schema it creates from one it finds), and its removal on
 * make dev-obs-down. The embedded PostgreSQL needs neither: its data goes with it.
 *
 * <p>Usage: java -cp 'target/libs/*' perf/DevSchema.java exists|drop JDBC_URL SCHEMA. The user and
 * password come from WH_STORE_POSTGRES_USER (default postgres) and WH_STORE_POSTGRES_PASSWORD, as
 * the instances take them.
 */
public class DevSchema {
    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !args[2].matches("[a-z_][a-z0-9_]{0,62}")) {
            System.err.println("usage: DevSchema exists|drop JDBC_URL SCHEMA (a lower-case SQL identifier)");
            System.exit(2);
        }
        String user = System.getenv().getOrDefault("WH_STORE_POSTGRES_USER", "postgres");
        String password = System.getenv().getOrDefault("WH_STORE_POSTGRES_PASSWORD", "");
        try (Connection connection = DriverManager.getConnection(args[1], user, password)) {
            switch (args[0]) {
                case "exists" -> {
                    try (PreparedStatement query =
                            connection.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
                        query.setString(1, args[2]);
                        try (ResultSet rows = query.executeQuery()) {
                            System.out.println(rows.next() ? "present" : "absent");
                        }
                    }
                }
                case "drop" -> {
                    try (Statement drop = connection.createStatement()) {
                        drop.execute("DROP SCHEMA IF EXISTS \"" + args[2] + "\" CASCADE");
                    }
                }
                default -> {
                    System.err.println("unknown command " + args[0] + "; exists or drop");
                    System.exit(2);
                }
            }
        }
    }
}
