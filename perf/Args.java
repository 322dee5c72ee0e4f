import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The command line of the perf programs: {@code --name value} pairs, each name one the program
 * declares with its default, {@link #REQUIRED} for none, or {@link #FLAG} for a switch given
 * without a value. An unknown name, a missing value or a value of the wrong kind prints what was
 * wrong and the usage, and exits 2: a benchmark never runs on a setting it misread.
 *
 * <p>Shared by the programs of this directory through the JDK's multi-file source launcher
 * ({@code java perf/LoadGen.java} finds Args.java next to it) and by {@code javac -sourcepath perf}.
 */
final class Args {
    static final String REQUIRED = "\0required";
    static final String FLAG = "\0flag";

    private final String program;
    private final Map<String, String> declared;
    private final Map<String, String> values;

    private Args(String program, Map<String, String> declared, Map<String, String> values) {
        this.program = program;
        this.declared = declared;
        this.values = values;
    }

    /** Parses {@code args} for {@code program} (its name in messages) over name/default pairs. */
    static Args parse(String program, String[] args, String... namesAndDefaults) {
        Map<String, String> declared = new LinkedHashMap<>();
        for (int i = 0; i < namesAndDefaults.length; i += 2) {
            declared.put(namesAndDefaults[i], namesAndDefaults[i + 1]);
        }
        Args parsed = new Args(program, declared, new HashMap<>());
        for (int i = 0; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !declared.containsKey(name)) {
                parsed.usage("unknown argument '" + args[i] + "'");
            } else if (declared.get(name).equals(FLAG)) {
                parsed.values.put(name, "true");
            } else if (i + 1 == args.length) {
                parsed.usage("--" + name + " needs a value");
            } else {
                parsed.values.put(name, args[++i]);
            }
        }
        for (var e : declared.entrySet()) {
            if (e.getValue().equals(REQUIRED) && !parsed.values.containsKey(e.getKey())) {
                parsed.usage("--" + e.getKey() + " is required");
            }
        }
        return parsed;
    }

    /** The value given, else the default ("false" for a flag not given). */
    String get(String name) {
        String declaredDefault = declared.get(name);
        if (declaredDefault == null) {
            throw new IllegalArgumentException(program + " reads --" + name + " but does not declare it");
        }
        return values.getOrDefault(name, declaredDefault.equals(FLAG) ? "false" : declaredDefault);
    }

    boolean given(String name) {
        return values.containsKey(name);
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(get(name));
    }

    int intArg(String name) {
        return intValue(name, get(name));
    }

    /** A whole number, checked as if it were {@code --name}'s value. */
    int intValue(String name, String value) {
        return parsed(name, value, "a whole number", Integer::parseInt);
    }

    long longArg(String name) {
        return parsed(name, get(name), "a whole number", Long::parseLong);
    }

    double doubleArg(String name) {
        return parsed(name, get(name), "a number", Double::parseDouble);
    }

    private <T> T parsed(String name, String value, String kind, Function<String, T> parse) {
        try {
            return parse.apply(value);
        } catch (NumberFormatException e) {
            usage("--" + name + " needs " + kind + ", got '" + value + "'");
            return null; // not reached: usage exits
        }
    }

    boolean boolArg(String name) {
        String v = get(name);
        if (!v.equals("true") && !v.equals("false")) {
            usage("--" + name + " is true or false, got '" + v + "'");
        }
        return v.equals("true");
    }

    String choice(String name, String... allowed) {
        String v = get(name);
        if (!List.of(allowed).contains(v)) {
            usage("--" + name + " is one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
        return v;
    }

    /** Says what is wrong and how the program is called, and exits 2. */
    void usage(String why) {
        List<String> shape = new ArrayList<>();
        for (var e : declared.entrySet()) {
            String name = "--" + e.getKey();
            shape.add(
                    switch (e.getValue()) {
                        case REQUIRED -> name + " V";
                        case FLAG -> "[" + name + "]";
                        default -> "[" + name + " " + (e.getValue().isEmpty() ? "V" : e.getValue()) + "]";
                    });
        }
        System.err.println(program + ": " + why);
        System.err.println("usage: java " + program + ".java " + String.join(" ", shape));
        System.exit(2);
    }
}
