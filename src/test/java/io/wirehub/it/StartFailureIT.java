package io.wirehub.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirehub.testing.MainProcess;
import io.wirehub.testing.MainProcess.Ended;
import io.wirehub.testing.Slow;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real process, started on a port another process holds: one line, and a failed exit a supervisor sees. */
@Slow
class StartFailureIT {

    @Test
    void aPublicPortInUseIsOneLineAndAFailedExit() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Ended ended = run(Map.of("WH_HOST", "127.0.0.1", "WH_PORT", String.valueOf(taken.getLocalPort())));
            assertNotEquals(0, ended.exitCode(), ended.err());
            assertEquals(
                    List.of("wirehub: cannot start: port " + taken.getLocalPort()
                            + " is in use (server.port / WH_PORT)"),
                    ended.wirehubLines(),
                    ended.err());
            assertOneLineOnly(ended);
        }
    }

    @Test
    void aManagementPortInUseIsOneLineAndAFailedExit() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Ended ended = run(Map.of(
                    "WH_HOST",
                    "127.0.0.1",
                    "WH_PORT",
                    "0",
                    "WH_MANAGEMENT_PORT",
                    String.valueOf(taken.getLocalPort())));
            assertNotEquals(0, ended.exitCode(), ended.err());
            assertEquals(
                    List.of("wirehub: cannot start: port " + taken.getLocalPort()
                            + " is in use (server.management_port / WH_MANAGEMENT_PORT)"),
                    ended.wirehubLines(),
                    ended.err());
            assertOneLineOnly(ended);
        }
    }

    @Test
    void anAddressNotOnThisMachineNamesTheHostKey() throws Exception {
        // 192.0.2.0/24 is TEST-NET-1: documentation only, on no interface.
        Ended ended = run(Map.of("WH_HOST", "192.0.2.1", "WH_PORT", "0"));
        assertNotEquals(0, ended.exitCode(), ended.err());
        assertEquals(1, ended.wirehubLines().size(), ended.err());
        String line = ended.wirehubLines().getFirst();
        assertTrue(
                line.startsWith("wirehub: cannot start: cannot listen on 192.0.2.1:0: ")
                        && line.contains("server.host"),
                line);
        assertOneLineOnly(ended);
    }

    private static void assertOneLineOnly(Ended ended) {
        assertFalse(ended.err().contains("Exception"), "no stack trace: " + ended.err());
        assertFalse(ended.out().contains("listening"), "no claim to listen: " + ended.out());
    }

    private static Ended run(Map<String, String> env) throws Exception {
        return MainProcess.run(MainProcess.withDefaultConfig(), env);
    }
}
