package io.spacepanda.internal.net.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportException;
import io.spacepanda.testkit.RecordingListener;
import io.spacepanda.testkit.TestPeers;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class SimulatedNetworkTest {

  private static final long SEED = 42;
  private static final PeerId ALICE = TestPeers.peer(1);
  private static final PeerId BOB = TestPeers.peer(2);

  private final SimulatedNetwork net = new SimulatedNetwork(SEED);
  private final RecordingListener aliceIn = new RecordingListener();
  private final RecordingListener bobIn = new RecordingListener();

  private Transport start(PeerId peer, RecordingListener listener) {
    Transport t = net.transportFactory().create(TestPeers.context(peer, listener));
    t.start().join();
    return t;
  }

  private static Throwable failure(CompletableFuture<?> f) {
    assertTrue(f.isCompletedExceptionally(), "future should have failed: " + f);
    try {
      f.join();
      throw new AssertionError("unreachable");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void send_reliableLink_deliversAfterLatencyAndAcknowledges() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);

    CompletableFuture<Void> sent = alice.send(BOB, new byte[] {1, 2, 3});
    net.advance(LinkConditions.DEFAULT_LATENCY.minusNanos(1));
    assertTrue(bobIn.envelopes().isEmpty(), net.toString());
    net.advance(Duration.ofNanos(1));
    assertEquals(1, bobIn.envelopes().size(), net.toString());
    assertArrayEquals(new byte[] {1, 2, 3}, bobIn.envelopes().get(0).envelope());
    assertEquals(ALICE, bobIn.envelopes().get(0).connectionPeer());
    assertFalse(sent.isDone(), "acknowledgement still travelling");
    net.advance(LinkConditions.DEFAULT_LATENCY);
    assertTrue(sent.isDone() && !sent.isCompletedExceptionally(), net.toString());
    assertEquals(new NetworkStats(1, 1, 0, 0, 1, 0), net.stats());
  }

  @Test
  void start_twoNodes_bothSeeEachOtherConnected() {
    Transport alice = start(ALICE, aliceIn);
    Transport bob = start(BOB, bobIn);
    net.runUntilIdle();

    assertEquals(List.of(BOB), aliceIn.connectedEvents());
    assertEquals(List.of(ALICE), bobIn.connectedEvents());
    assertEquals(Set.of(BOB), alice.connectedPeers());
    assertEquals(List.of("sim://" + BOB.toBase58()), bob.listenAddresses());
  }

  @Test
  void send_unknownPeer_failsAfterTimeout() {
    Transport alice = start(ALICE, aliceIn);

    CompletableFuture<Void> sent = alice.send(TestPeers.peer(99), new byte[] {7});
    net.advance(SimulatedNetwork.DEFAULT_SEND_TIMEOUT.minusNanos(1));
    assertFalse(sent.isDone());
    net.advance(Duration.ofNanos(1));
    assertInstanceOf(TransportException.class, failure(sent));
    assertEquals(1, net.stats().dropped());
  }
}
