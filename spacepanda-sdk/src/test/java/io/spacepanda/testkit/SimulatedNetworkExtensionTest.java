package io.spacepanda.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.net.sim.SimulatedNetwork;
import java.lang.reflect.Proxy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SimulatedNetworkExtension.class)
class SimulatedNetworkExtensionTest {

  @Test
  void parameter_freshNetworkAtTimeZero(SimulatedNetwork net) {
    assertEquals(Duration.ZERO, net.now());
    assertTrue(net.onlinePeers().isEmpty());
  }

  @Test
  void failure_getsSeedReport(SimulatedNetwork net) throws Throwable {
    SimulatedNetworkExtension ext = new SimulatedNetworkExtension();
    AssertionError failure = new AssertionError("app broke");
    FakeContext context = new FakeContext(net, "[test:x]");

    AssertionError thrown = assertThrows(AssertionError.class,
        () -> ext.handleTestExecutionException(context.proxy(), failure));

    assertSame(failure, thrown);
    String report = thrown.getSuppressed()[0].getMessage();
    assertTrue(report.contains("-Dspacepanda.sim.seed=" + net.seed()), report);
  }

  @Test
  void seed_sameTestSameSeed_otherTestOtherSeed() {
    String previous = System.getProperty(SimulatedNetworkExtension.SEED_PROPERTY);
    System.clearProperty(SimulatedNetworkExtension.SEED_PROPERTY);
    try {
      long a = SimulatedNetworkExtension.seedFor(new FakeContext(null, "[test:a]").proxy());
      long a2 = SimulatedNetworkExtension.seedFor(new FakeContext(null, "[test:a]").proxy());
      long b = SimulatedNetworkExtension.seedFor(new FakeContext(null, "[test:b]").proxy());
      assertEquals(a, a2);
      assertNotEquals(a, b);
      System.setProperty(SimulatedNetworkExtension.SEED_PROPERTY, "77");
      assertEquals(77, SimulatedNetworkExtension.seedFor(new FakeContext(null, "x").proxy()));
      System.setProperty(SimulatedNetworkExtension.SEED_PROPERTY, "seventy");
      assertThrows(IllegalArgumentException.class,
          () -> SimulatedNetworkExtension.seedFor(new FakeContext(null, "x").proxy()));
    } finally {
      if (previous == null) {
        System.clearProperty(SimulatedNetworkExtension.SEED_PROPERTY);
      } else {
        System.setProperty(SimulatedNetworkExtension.SEED_PROPERTY, previous);
      }
    }
  }

  /** The two things the extension asks of its context: the unique id and a store. */
  private record FakeContext(SimulatedNetwork stored, String uniqueId) {
    ExtensionContext proxy() {
      ExtensionContext.Store store = (ExtensionContext.Store) Proxy.newProxyInstance(
          getClass().getClassLoader(), new Class<?>[] {ExtensionContext.Store.class},
          (p, m, args) -> m.getName().equals("get") ? stored : null);
      return (ExtensionContext) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {ExtensionContext.class}, (p, m, args) -> switch (m.getName()) {
            case "getStore" -> store;
            case "getUniqueId" -> uniqueId;
            default -> throw new UnsupportedOperationException(m.getName());
          });
    }
  }
}
