package io.spacepanda.internal.net.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HandshakeAdmissionTest {

  private static final Duration MAX = Duration.ofSeconds(10);

  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static HandshakeAdmission admission(AdmissionLimits limits, String... known) {
    List<InetAddress> k = new ArrayList<>();
    for (String s : known) {
      k.add(ip(s));
    }
    return new HandshakeAdmission(limits, MAX, k::contains);
  }

  @Test
  void admitInbound_perAddressLimit_refusesTheExtraOne() {
    HandshakeAdmission a = admission(AdmissionLimits.defaults().withPerSourceLimits(2, 4));
    assertNotNull(a.admitInbound(ip("10.0.0.1"), () -> {}));
    assertNotNull(a.admitInbound(ip("10.0.0.1"), () -> {}));
    assertNull(a.admitInbound(ip("10.0.0.1"), () -> {}));
    assertNotNull(a.admitInbound(ip("10.0.0.2"), () -> {}));
    assertEquals(1, a.refused());
  }

  @Test
  void admitInbound_perPrefixLimit_countsTheWhole24And64() {
    HandshakeAdmission a = admission(AdmissionLimits.defaults().withPerSourceLimits(1, 2));
    assertNotNull(a.admitInbound(ip("10.0.0.1"), () -> {}));
    assertNotNull(a.admitInbound(ip("10.0.0.2"), () -> {}));
    assertNull(a.admitInbound(ip("10.0.0.3"), () -> {}));
    assertNotNull(a.admitInbound(ip("10.0.1.3"), () -> {}));
    assertNotNull(a.admitInbound(ip("2001:db8:0:1::1"), () -> {}));
    assertNotNull(a.admitInbound(ip("2001:db8:0:1::2"), () -> {}));
    assertNull(a.admitInbound(ip("2001:db8:0:1:ffff::3"), () -> {}));
    assertNotNull(a.admitInbound(ip("2001:db8:0:2::1"), () -> {}));
  }

  @Test
  void admitInbound_globalLimitReached_evictsOldestOfTheMostRepresentedPrefix() {
    HandshakeAdmission a = admission(AdmissionLimits.defaults().withMaxPending(3).withPerSourceLimits(3, 3));
    AtomicInteger evicted = new AtomicInteger();
    HandshakeAdmission.Ticket first = a.admitInbound(ip("10.0.0.1"), () -> evicted.set(1));
    a.admitInbound(ip("10.0.0.2"), () -> evicted.set(2));
    a.admitInbound(ip("10.0.9.1"), () -> evicted.set(3));

    assertNotNull(a.admitInbound(ip("192.168.1.1"), () -> {}));

    assertEquals(1, evicted.get());
    assertEquals(3, a.pending());
    a.release(first); // released again by the evicted connection's close: a no-op
    assertEquals(3, a.pending());
  }

  @Test
  void admitInbound_evictionAmongEquallyLargePrefixes_takesTheOldestHandshake() {
    HandshakeAdmission a = admission(AdmissionLimits.defaults().withMaxPending(3).withPerSourceLimits(1, 1));
    AtomicInteger evicted = new AtomicInteger();
    for (int i = 1; i <= 3; i++) {
      int n = i;
      a.admitInbound(ip("10.0." + i + ".1"), () -> evicted.set(n));
    }
    assertNotNull(a.admitInbound(ip("10.0.9.1"), () -> {}));
    assertEquals(1, evicted.get());
    assertNotNull(a.admitInbound(ip("10.0.8.1"), () -> {}));
    assertEquals(2, evicted.get());
  }

  @Test
  void admitInbound_globalLimitReachedByEqualPrefixes_refusesTheNewcomer() {
    HandshakeAdmission a = admission(AdmissionLimits.defaults().withMaxPending(3).withPerSourceLimits(2, 2));
    a.admitInbound(ip("10.0.0.1"), () -> {});
    a.admitInbound(ip("10.0.1.1"), () -> {});
    a.admitInbound(ip("10.0.2.1"), () -> {});
    // the newcomer's prefix already holds as many as the largest: an attacker only displaces itself
    assertNull(a.admitInbound(ip("10.0.0.2"), () -> {}));
    assertEquals(0, a.evicted());
  }

  @Test
  void admitInbound_globalLimitReached_knownAddressTakesAReservedSlot() {
    HandshakeAdmission a = admission(
        AdmissionLimits.defaults().withMaxPending(2).withPerSourceLimits(1, 1).withReserved(1), "10.0.7.7");
    a.admitInbound(ip("10.0.0.1"), () -> {});
    a.admitInbound(ip("10.0.1.1"), () -> {});
    HandshakeAdmission.Ticket known = a.admitInbound(ip("10.0.7.7"), () -> {});
    assertNotNull(known);
    assertEquals(0, a.evicted());
    assertNull(a.admitInbound(ip("10.0.7.8"), () -> {}));
    assertNull(a.admitOutbound(), "the reserve is used up");
    a.release(known);
    assertNotNull(a.admitOutbound());
  }

  @Test
  void deadline_shrinksFromTheTimeoutToTheMinimumAsPendingNearsTheLimit() {
    HandshakeAdmission a = admission(AdmissionLimits.defaults().withMaxPending(100));
    assertEquals(MAX, a.deadline(0));
    assertEquals(MAX, a.deadline(25));
    long mid = a.deadline(62).toMillis();
    assertTrue(mid < 10_000 && mid > 1_000, "deadline at 62 of 100: " + mid);
    assertEquals(Duration.ofSeconds(1), a.deadline(100));
    assertEquals(Duration.ofSeconds(1), a.deadline(150));
  }

  @Test
  void limits_perAddressAbovePerPrefix_rejected() {
    assertThrows(IllegalArgumentException.class, () -> AdmissionLimits.defaults().withPerSourceLimits(5, 4));
    assertThrows(IllegalArgumentException.class, () -> AdmissionLimits.defaults().withReserved(-1));
  }
}
