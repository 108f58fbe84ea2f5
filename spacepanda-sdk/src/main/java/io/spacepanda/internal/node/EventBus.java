package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Id;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's internal events: what one service tells the others without calling into them.
 *
 * <p>Events are published after the step that caused them committed, on the publisher's thread;
 * a subscriber must not block and hands real work to its own lane. Thread-safe. A subscriber that
 * throws is logged and skipped.
 */
final class EventBus {

  private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

  /** An internal event. */
  sealed interface Event permits EpochChanged, GroupJoined, HeldMayOpen, PeerConnected, PeerLost,
      MessageStored {}

  /**
   * A group moved to a new epoch (or was joined), so held envelopes may open now.
   *
   * @param group the group id
   * @param epoch its epoch now
   */
  record EpochChanged(Id group, long epoch) implements Event {}

  /**
   * This node became a member of a group (created, joined or welcomed).
   *
   * @param group the group id
   */
  record GroupJoined(Id group) implements Event {}

  /**
   * A message of a group was processed while envelopes of that group were held because earlier
   * messages of their sender were missing: they may open now.
   *
   * @param group the group id
   */
  record HeldMayOpen(Id group) implements Event {}

  /**
   * The transport connected to a peer.
   *
   * @param peer the peer
   */
  record PeerConnected(PeerId peer) implements Event {}

  /**
   * The transport lost its last connection to a peer.
   *
   * @param peer the peer
   */
  record PeerLost(PeerId peer) implements Event {}

  /**
   * A message of another member was stored.
   *
   * @param channel the channel id
   * @param message the message id
   */
  record MessageStored(Id channel, Id message) implements Event {}

  private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();

  /** Adds a subscriber that sees every later event. */
  void subscribe(Consumer<Event> subscriber) {
    subscribers.add(Objects.requireNonNull(subscriber, "subscriber"));
  }

  /** Hands an event to every subscriber, in subscription order. */
  void publish(Event event) {
    Objects.requireNonNull(event, "event");
    for (Consumer<Event> s : subscribers) {
      try {
        s.accept(event);
      } catch (RuntimeException e) {
        LOG.warn("an internal event subscriber failed", e);
      }
    }
  }
}
