package io.wirehub.bus.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RedisAddressTest {

    @Test
    void printedAddressesNeverShowCredentials() {
        RedisAddress address = RedisAddress.parse("redis://app:hunter2@cache:6380/2");
        assertEquals("redis://***@cache:6380/2", address.toString());
        assertEquals("redis://***@cache:6380/2", address.shown());
        assertEquals("rediss://cache", RedisAddress.parse("rediss://cache").toString());
    }
}
