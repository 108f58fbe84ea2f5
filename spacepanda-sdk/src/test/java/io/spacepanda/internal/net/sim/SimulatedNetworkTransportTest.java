package io.spacepanda.internal.net.sim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportListener;
import io.spacepanda.testkit.TestPeers;
import io.spacepanda.testkit.TransportContractTest;
import java.time.Duration;

class SimulatedNetworkTransportTest extends TransportContractTest {

  private final SimulatedNetwork net = new SimulatedNetwork(1234);

  @Override
  protected Connected connect(TransportListener a, TransportListener b) {
    PeerId aPeer = TestPeers.peer(1);
    PeerId bPeer = TestPeers.peer(2);
    Transport ta = net.transportFactory().create(TestPeers.context(aPeer, a));
    Transport tb = net.transportFactory().create(TestPeers.context(bPeer, b));
    ta.start().join();
    tb.start().join();
    net.runUntilIdle();
    return new Connected(ta, aPeer, tb, bPeer);
  }

  @Override
  protected void letTimePass(Duration duration) {
    net.runFor(duration);
  }

  @Override
  protected void assertReleased(Transport closed, PeerId peer) {
    assertFalse(net.isOnline(peer), net.toString());
    assertTrue(closed.listenAddresses().isEmpty(), "closed transport still has an address");
  }
}
