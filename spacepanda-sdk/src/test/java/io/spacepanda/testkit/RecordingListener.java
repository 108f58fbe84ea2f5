package io.spacepanda.testkit;

import io.spacepanda.PeerId;
import io.spacepanda.spi.TransportListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A {@link TransportListener} that records what it receives and answers each envelope as told
 * (by default: stored at once).
 *
 * <p>Thread-safe: transports may call it from any thread, tests read it from theirs.
 */
public final class RecordingListener implements TransportListener {

  /** One envelope as the listener received it. */
  public record Received(PeerId connectionPeer, byte[] envelope) {}

  private final List<Received> envelopes = new ArrayList<>();
  private final List<PeerId> connected = new ArrayList<>();
  private final List<PeerId> lost = new ArrayList<>();
  private Function<byte[], CompletableFuture<Void>> answer =
      e -> CompletableFuture.completedFuture(null);
  private boolean keepEnvelopes = true;
  private long count;

  /**
   * Stops keeping the envelopes themselves (only {@link #count()} goes on), for long runs whose
   * heap is measured: a soak of 30 minutes receives about 280,000 envelopes.
   *
   * @return this listener
   */
  public synchronized RecordingListener countOnly() {
    keepEnvelopes = false;
    envelopes.clear();
    return this;
  }

  /** @return how many envelopes were received so far, duplicates included */
  public synchronized long count() {
    return count;
  }

  /**
   * Sets how the listener answers envelopes from now on: the returned future is what {@link
   * #onEnvelope} returns; the function may also throw.
   *
   * @param newAnswer maps an envelope to the listener's result
   * @return this listener
   */
  public synchronized RecordingListener answer(
      Function<byte[], CompletableFuture<Void>> newAnswer) {
    this.answer = Objects.requireNonNull(newAnswer, "newAnswer");
    return this;
  }

  @Override
  public CompletableFuture<Void> onEnvelope(PeerId connectionPeer, byte[] envelope) {
    Function<byte[], CompletableFuture<Void>> a;
    synchronized (this) {
      count++;
      if (keepEnvelopes) {
        envelopes.add(new Received(connectionPeer, envelope));
      }
      a = answer;
    }
    return a.apply(envelope);
  }

  @Override
  public synchronized void onPeerConnected(PeerId peer) {
    connected.add(peer);
  }

  @Override
  public synchronized void onPeerLost(PeerId peer) {
    lost.add(peer);
  }

  /**
   * Returns every envelope received so far, duplicates included (none after {@link
   * #countOnly()}).
   *
   * @return a snapshot, in arrival order
   */
  public synchronized List<Received> envelopes() {
    return List.copyOf(envelopes);
  }

  /**
   * Returns the peers reported connected so far, once per event.
   *
   * @return a snapshot, in event order
   */
  public synchronized List<PeerId> connectedEvents() {
    return List.copyOf(connected);
  }

  /**
   * Returns the peers reported lost so far, once per event.
   *
   * @return a snapshot, in event order
   */
  public synchronized List<PeerId> lostEvents() {
    return List.copyOf(lost);
  }
}
