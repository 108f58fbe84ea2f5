package io.spacepanda.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportException;
import io.spacepanda.spi.TransportListener;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Transport} must show, as a JUnit 5 test class to extend.
 *
 * <p>A subclass connects two transports of its kind and says how time passes for them (virtual
 * time for the simulated network, a short sleep for a real network); every test here then runs
 * against it. It checks the acknowledged round trip, that envelope bytes arrive unchanged in both
 * directions, that sending to an unknown peer fails with a {@link TransportException}, that a
 * listener that throws or fails leaves the envelope unacknowledged, and that {@link
 * Transport#close()} is idempotent, stops sending and releases what the transport held.
 *
 * <pre>{@code
 * class MyTransportTest extends TransportContractTest {
 *   protected Connected connect(TransportListener a, TransportListener b) { … }
 *   protected void letTimePass(Duration d) { … }
 * }
 * }</pre>
 */
public abstract class TransportContractTest {

  /**
   * Two started transports of the kind under test that reach each other.
   *
   * @param a the first transport
   * @param aPeer the first transport's peer id
   * @param b the second transport
   * @param bPeer the second transport's peer id
   */
  public record Connected(Transport a, PeerId aPeer, Transport b, PeerId bPeer) {}

  private RecordingListener aIn;
  private RecordingListener bIn;
  private Connected pair;

  /**
   * Creates and starts two transports whose inbound listeners are {@code a} and {@code b}, and
   * returns once each could send to the other.
   *
   * @param a the listener of the first transport
   * @param b the listener of the second transport
   * @return the two transports
   * @throws Exception if they cannot be set up
   */
  protected abstract Connected connect(TransportListener a, TransportListener b) throws Exception;

  /**
   * Lets {@code duration} of the transports' time pass, running whatever falls due.
   *
   * @param duration how long
   * @throws Exception if the wait is interrupted
   */
  protected abstract void letTimePass(Duration duration) throws Exception;

  /**
   * Returns the longest time a test waits for a future or an event; should exceed the transport's
   * send timeout.
   *
   * @return the bound, 30 seconds unless overridden
   */
  protected Duration maxWait() {
    return Duration.ofSeconds(30);
  }

  /**
   * Returns a peer id that no transport of the test knows.
   *
   * @return the peer id
   */
  protected PeerId unknownPeer() {
    return TestPeers.peer(Integer.MAX_VALUE);
  }

  /**
   * Checks that a closed transport holds nothing any more (threads, sockets, registrations); does
   * nothing unless overridden.
   *
   * @param closed the transport after {@link Transport#close()}
   * @param peer its peer id
   * @throws Exception if the check cannot run
   */
  protected void assertReleased(Transport closed, PeerId peer) throws Exception {}

  @BeforeEach
  void connectPair() throws Exception {
    aIn = new RecordingListener();
    bIn = new RecordingListener();
    pair = connect(aIn, bIn);
  }

  @AfterEach
  void closePair() {
    if (pair != null) {
      pair.a().close();
      pair.b().close();
    }
  }

  @Test
  void send_recipientStores_senderFutureCompletesOnlyAfterStored() throws Exception {
    CompletableFuture<Void> stored = new CompletableFuture<>();
    bIn.answer(e -> stored);

    CompletableFuture<Void> sent = pair.a().send(pair.bPeer(), new byte[] {1, 2, 3});
    awaitTrue(() -> bIn.envelopes().size() == 1, "envelope reaches the recipient");
    letTimePass(maxWait().dividedBy(10));
    assertFalse(sent.isDone(), "acknowledged before the recipient stored the envelope");
    stored.complete(null);

    await(sent);
    assertFalse(sent.isCompletedExceptionally(), () -> "send failed: " + sent);
  }

  @Test
  void send_bytes_arriveUnchangedWithSenderAsConnectionPeer() throws Exception {
    byte[] envelope = new byte[1500];
    new Random(7).nextBytes(envelope);
    byte[] original = envelope.clone();

    CompletableFuture<Void> sent = pair.a().send(pair.bPeer(), envelope);
    Arrays.fill(envelope, (byte) 0);
    await(sent);

    assertFalse(sent.isCompletedExceptionally(), () -> "send failed: " + sent);
    List<RecordingListener.Received> got = bIn.envelopes();
    assertEquals(1, got.size());
    assertArrayEquals(original, got.get(0).envelope());
    assertEquals(pair.aPeer(), got.get(0).connectionPeer());
  }

  @Test
  void send_otherDirection_arrivesUnchanged() throws Exception {
    byte[] envelope = {0, (byte) 0xFF, 0x7F, (byte) 0x80};

    CompletableFuture<Void> sent = pair.b().send(pair.aPeer(), envelope.clone());
    await(sent);

    assertFalse(sent.isCompletedExceptionally(), () -> "send failed: " + sent);
    assertArrayEquals(envelope, aIn.envelopes().get(0).envelope());
    assertEquals(pair.bPeer(), aIn.envelopes().get(0).connectionPeer());
  }

  @Test
  void send_unknownPeer_failsWithTransportException() throws Exception {
    CompletableFuture<Void> sent = pair.a().send(unknownPeer(), new byte[] {9});

    await(sent);

    assertInstanceOf(TransportException.class, causeOf(sent));
  }

  @Test
  void send_listenerThrows_notAcknowledged() throws Exception {
    bIn.answer(e -> {
      throw new IllegalStateException("listener bug");
    });

    CompletableFuture<Void> sent = pair.a().send(pair.bPeer(), new byte[] {4});
    await(sent);

    assertInstanceOf(TransportException.class, causeOf(sent));
  }

  @Test
  void send_listenerFutureFails_notAcknowledged() throws Exception {
    bIn.answer(e -> CompletableFuture.failedFuture(new IllegalStateException("disk full")));

    CompletableFuture<Void> sent = pair.a().send(pair.bPeer(), new byte[] {5});
    await(sent);

    assertInstanceOf(TransportException.class, causeOf(sent));
  }

  @Test
  void connectedPeers_afterConnect_containsTheOther() throws Exception {
    awaitTrue(() -> pair.a().connectedPeers().contains(pair.bPeer())
        && pair.b().connectedPeers().contains(pair.aPeer()), "both ends connected");
  }

  @Test
  void close_twice_doesNotThrowAndReleases() throws Exception {
    pair.a().close();
    assertDoesNotThrow(pair.a()::close);

    assertTrue(pair.a().connectedPeers().isEmpty(), "closed transport still has connections");
    assertReleased(pair.a(), pair.aPeer());
  }

  @Test
  void close_thenSend_fails() throws Exception {
    pair.a().close();

    CompletableFuture<Void> sent = pair.a().send(pair.bPeer(), new byte[] {6});
    await(sent);

    assertInstanceOf(TransportException.class, causeOf(sent));
    assertTrue(bIn.envelopes().isEmpty(), "a closed transport delivered an envelope");
  }

  @Test
  void close_peerSeesConnectionLost() throws Exception {
    awaitTrue(() -> pair.b().connectedPeers().contains(pair.aPeer()), "connected first");

    pair.a().close();

    awaitTrue(() -> bIn.lostEvents().contains(pair.aPeer()), "peer reports the connection lost");
    assertFalse(pair.b().connectedPeers().contains(pair.aPeer()));
  }

  private void await(CompletableFuture<?> future) throws Exception {
    awaitTrue(future::isDone, "future completes");
  }

  private void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    Duration step = maxWait().dividedBy(200);
    for (Duration waited = Duration.ZERO; waited.compareTo(maxWait()) <= 0;
        waited = waited.plus(step)) {
      if (condition.getAsBoolean()) {
        return;
      }
      letTimePass(step);
    }
    fail("not within " + maxWait() + ": " + what);
  }

  private static Throwable causeOf(CompletableFuture<?> failed) {
    assertTrue(failed.isCompletedExceptionally(), () -> "expected a failure, got " + failed);
    try {
      failed.join();
    } catch (CompletionException e) {
      return e.getCause();
    }
    throw new AssertionError("unreachable");
  }
}
