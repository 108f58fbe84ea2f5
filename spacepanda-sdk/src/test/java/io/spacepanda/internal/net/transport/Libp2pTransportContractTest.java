package io.spacepanda.internal.net.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportListener;
import io.spacepanda.testkit.TransportContractTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** The Transport contract over real TCP on 127.0.0.1: b bootstraps to a, a learns b's address. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Libp2pTransportContractTest extends TransportContractTest {

  @Override
  protected Connected connect(TransportListener a, TransportListener b) throws Exception {
    TransportContext ca = TransportFixtures.context(a, List.of());
    Transport ta = Libp2pTransport.factory(TransportFixtures.shortTimeouts()).create(ca);
    ta.start().get(10, TimeUnit.SECONDS);
    TransportContext cb = TransportFixtures.context(b, ta.listenAddresses());
    Transport tb = Libp2pTransport.factory(TransportFixtures.shortTimeouts()).create(cb);
    tb.start().get(10, TimeUnit.SECONDS);
    ta.addPeerAddress(cb.localPeer(), tb.listenAddresses().get(0));
    return new Connected(ta, ca.localPeer(), tb, cb.localPeer());
  }

  @Override
  protected void letTimePass(Duration duration) throws Exception {
    Thread.sleep(duration.toMillis());
  }

  @Override
  protected Duration maxWait() {
    return Duration.ofSeconds(10);
  }

  @Override
  protected void assertReleased(Transport closed, PeerId peer) throws Exception {
    assertTrue(closed.listenAddresses().isEmpty(), "closed transport still lists addresses");
    assertFalse(closed.connectedPeers().contains(peer));
  }
}
