package io.spacepanda.internal.node;

import io.spacepanda.NodeEventListener;
import io.spacepanda.NodeEventListener.ActorKind;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.NodeMetrics;
import io.spacepanda.PeerId;
import io.spacepanda.spi.StorageException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's gauges and the guarded call into the application's {@link NodeEventListener}.
 *
 * <p>Services call the event methods inline, on their own threads; each updates its counter (an
 * atomic, or the concurrent set of peers) and then calls the listener, catching whatever it throws
 * (logged at WARN at most once a minute). The gauges are read from any thread without locks. The
 * event methods take only primitives and objects the caller already has, so that with the no-op
 * listener an event costs a virtual call and an atomic increment at most. One instance lives as
 * long as its {@link Node}; thread-safe.
 */
final class NodeStats implements NodeMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(NodeStats.class);
  /** Shortest time between two log lines of one drop reason, or of a throwing listener. */
  static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

  /** The single category of a throwing listener, for the rate limiter. */
  private enum ListenerFault { THREW }

  private final NodeEventListener listener;
  private final RateLimitedCount<DropReason> dropLog;
  private final RateLimitedCount<ListenerFault> listenerLog;
  private final Set<PeerId> peers = ConcurrentHashMap.newKeySet();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  /** Copies stored in the outbox, not yet acknowledged or given up. */
  final AtomicLong outboxBacklog = new AtomicLong();
  /** Rows of the held envelopes table. */
  final AtomicLong held = new AtomicLong();
  private volatile Supplier<Map<?, SpaceActor>> spaces = Map::of;
  private volatile LongSupplier syncGaps = () -> 0;

  /**
   * @param listener the application's listener
   * @param nanoTime the ticker of the log rate limits
   */
  NodeStats(NodeEventListener listener, LongSupplier nanoTime) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.dropLog = new RateLimitedCount<>(DropReason.class, LOG_INTERVAL, nanoTime);
    this.listenerLog = new RateLimitedCount<>(ListenerFault.class, LOG_INTERVAL, nanoTime);
  }

  /** Sets where {@link #syncGaps()} reads from, once the runtime has its sync service. */
  void syncGaps(LongSupplier source) {
    syncGaps = Objects.requireNonNull(source, "source");
  }

  /** Sets where {@link #spaces()} counts from, once the runtime has its registry. */
  void spaces(Supplier<Map<?, SpaceActor>> registry) {
    spaces = Objects.requireNonNull(registry, "registry");
  }

  // ---------------------------------------------------------------------------------------------
  // Gauges

  @Override
  public int connectedPeers() {
    return peers.size();
  }

  @Override
  public long outboxBacklog() {
    return Math.max(0, outboxBacklog.get());
  }

  @Override
  public long heldEnvelopes() {
    return Math.max(0, held.get());
  }

  @Override
  public long syncGaps() {
    return syncGaps.getAsLong();
  }

  @Override
  public int spaces() {
    int n = 0;
    for (SpaceActor a : spaces.get().values()) {
      SpaceSnapshot s = a.snapshot();
      if (s != null && s.present()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public long droppedEnvelopes() {
    return dropped.get();
  }

  @Override
  public long messagesSent() {
    return sent.get();
  }

  @Override
  public long messagesReceived() {
    return received.get();
  }

  @Override
  public String toString() {
    return "NodeMetrics[connectedPeers=" + connectedPeers() + ", outboxBacklog=" + outboxBacklog()
        + ", heldEnvelopes=" + heldEnvelopes() + ", spaces=" + spaces() + ", droppedEnvelopes="
        + droppedEnvelopes() + ", messagesSent=" + messagesSent() + ", messagesReceived="
        + messagesReceived() + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  void envelopeReceived(int bytes) {
    try {
      listener.envelopeReceived(bytes);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  /**
   * Counts a dropped envelope, logs it (DEBUG with the detail; INFO at most once a minute per
   * reason with the count) and tells the listener.
   *
   * @param reason the category
   * @param detail a fixed phrase or exception summary for the debug log; never content
   */
  void envelopeDropped(DropReason reason, String detail) {
    dropped.incrementAndGet();
    LOG.debug("dropped an envelope ({}): {}", reason, detail);
    long report = dropLog.count(reason);
    if (report > 0) {
      LOG.info("dropped {} inbound envelope(s) as {} since the last report (at most one line a "
          + "minute per reason)", report, reason);
    }
    try {
      listener.envelopeDropped(reason);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  /** An envelope was newly held; call after the holding step committed. */
  void envelopeHeld(long rowsAdded) {
    held.addAndGet(rowsAdded);
    try {
      listener.envelopeHeld();
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  void messageSent(String channelId, int recipients) {
    sent.incrementAndGet();
    try {
      listener.messageSent(channelId, recipients);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  void messageReceived(String channelId) {
    received.incrementAndGet();
    try {
      listener.messageReceived(channelId);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  /** A copy was acknowledged and left the outbox; after the step that recorded it committed. */
  void copyDelivered(PeerId recipient) {
    outboxBacklog.decrementAndGet();
    try {
      listener.copyDelivered(recipient);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  /** A copy failed; after the step that recorded it committed. */
  void copyFailed(PeerId recipient, int attempts, boolean willRetry) {
    if (!willRetry) {
      outboxBacklog.decrementAndGet();
    }
    try {
      listener.copyFailed(recipient, attempts, willRetry);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  void mailboxRefused(PeerId recipient, boolean full) {
    try {
      listener.mailboxRefused(recipient, full);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  void peerConnected(PeerId peer) {
    peers.add(peer);
    try {
      listener.peerConnected(peer);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  void peerLost(PeerId peer) {
    peers.remove(peer);
    try {
      listener.peerLost(peer);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  void peerThrottled(PeerId peer, long wastedUnits) {
    LOG.info("throttling {}: its envelopes wasted {} work units", peer, wastedUnits);
    try {
      listener.peerThrottled(peer, wastedUnits);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  /** The node stopped: no peer is connected any more. */
  void stopped() {
    peers.clear();
  }

  void stepCommitted(ActorKind kind, long nanos) {
    try {
      listener.stepCommitted(kind, nanos);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  /**
   * Logs a storage failure at WARN with the operation and tells the listener.
   *
   * @param operation a short fixed phrase
   * @param cause the failure
   */
  void storageFailed(String operation, StorageException cause) {
    LOG.warn("storage failed during {}: {}", operation, cause.getMessage());
    try {
      listener.storageFailed(operation, cause);
    } catch (RuntimeException e) {
      listenerThrew(e);
    }
  }

  private void listenerThrew(RuntimeException e) {
    long n = listenerLog.count(ListenerFault.THREW);
    if (n > 0) {
      LOG.warn("the event listener threw {} time(s) since the last report; ignored", n, e);
    }
  }
}
