import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Processes' counters from /proc (proc(5)), summed over their pids: CPU time (utime + stime, in
 * clock ticks: {@code getconf CLK_TCK}), RSS and peak RSS (VmRSS, VmHWM, KB) and threads. Linux
 * only, like the perf drivers. Shared by the perf programs (see Args for how).
 */
record ProcStats(long[] pids, int clkTck) {
    static ProcStats of(long pid) {
        return new ProcStats(new long[] {pid}, 100);
    }

    long cpuTicks() throws IOException {
        long sum = 0;
        for (long pid : pids) {
            long[] f = statFields(pid);
            sum += f[11] + f[12]; // utime and stime: fields 14 and 15 of proc(5)
        }
        return sum;
    }

    long rssKb() throws IOException {
        return status("VmRSS:");
    }

    /** The sum of the processes' peak RSS (VmHWM, since each one started). */
    long rssPeakKb() throws IOException {
        return status("VmHWM:");
    }

    int threads() throws IOException {
        return (int) status("Threads:");
    }

    /** A field of /proc/PID/status summed over the pids; a process without it counts 0. */
    long status(String name) throws IOException {
        long sum = 0;
        for (long pid : pids) {
            sum += Math.max(0, statusField(pid, name));
        }
        return sum;
    }

    /** A field of one process's /proc/PID/status (its first number), or -1 when it has none. */
    static long statusField(long pid, String name) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith(name)) {
                return Long.parseLong(l.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /** The pids, plus each one's parent if that parent's name is {@code name} (nginx's master of a worker). */
    static long[] withParentNamed(long[] pids, String name) {
        Set<Long> all = new LinkedHashSet<>();
        for (long pid : pids) {
            all.add(pid);
            try {
                long ppid = statFields(pid)[1];
                if (Files.readString(Path.of("/proc/" + ppid + "/comm")).trim().equals(name)) {
                    all.add(ppid);
                }
            } catch (IOException | RuntimeException e) {
                // gone or unreadable: the pid alone
            }
        }
        return all.stream().mapToLong(Long::longValue).toArray();
    }

    /** /proc/PID/stat from field 3 on (after the command name, which may hold spaces): [0] is field 3. */
    private static long[] statFields(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long[] out = new long[13];
        for (int i = 1; i < out.length; i++) { // field 3 is the state, a letter
            out[i] = Long.parseLong(f[i]);
        }
        return out;
    }
}
