package io.spacepanda;

import io.spacepanda.spi.StorageException;

/**
 * Receives the node's operational events, for metrics and tracing, in the style of OkHttp's
 * {@code EventListener}; every method is a no-op by default, so an implementation overrides only
 * what it counts.
 *
 * <p>Threading: methods are called on the node's own threads (transport threads, worker threads
 * running a space's or the outbox's steps), possibly on several at once, and never while the
 * node holds a lock. An implementation must be thread-safe and fast, and must not block or throw:
 * it runs inline with envelope handling. A method that throws is caught, logged at most once a
 * minute at WARN, and ignored; the node goes on. The events carry counts, sizes, ids and
 * categories only, never message content or keys.
 *
 * <p>This is not {@link SpacePandaListener}: that one tells the application what happened in its
 * spaces (messages, members), after commit, on one ordered executor; this one tells an operator how
 * the node is doing. Set it with {@link SpacePanda.Builder#eventListener}; {@link
 * SpacePandaMeterBinder#eventListener()} is one that feeds Micrometer.
 */
public interface NodeEventListener {

  /**
   * Returns the listener that ignores every event, the default.
   *
   * @return the no-op listener
   */
  static NodeEventListener none() {
    return NoEvents.INSTANCE;
  }

  /** Why an inbound envelope was dropped, as a small fixed set of categories. */
  enum DropReason {
    /** It does not parse: bad framing, not a group message, an unreadable payload. */
    MALFORMED,
    /** It failed decryption or authentication (direct envelope, MLS signature or membership). */
    UNDECRYPTABLE,
    /** It was handled before. */
    DUPLICATE,
    /** It belongs to an epoch whose keys are no longer kept. */
    PAST_EPOCH,
    /** It is well-formed but nothing expects it: an unknown space, channel or group, an answer
     * to no request. */
    UNEXPECTED,
    /** Its sender may not do what it asks: a non-member, an operation signed by someone else. */
    REFUSED,
    /** Handling it failed in a way the node did not expect; also logged at WARN. */
    ERROR,
    /**
     * Its connection peer is throttled for the work its earlier envelopes wasted (see {@link
     * #peerThrottled}); it was refused unacknowledged, so an honest sender sends it again later.
     */
    THROTTLED
  }

  /** Which kind of actor ran a step. */
  enum ActorKind {
    /** A space: its control group and channels. */
    SPACE,
    /** The node-wide lane: creating and joining spaces, direct messages, held envelopes. */
    NODE,
    /** The outbox: acknowledgements, retries and delivery progress. */
    OUTBOX
  }

  /**
   * An envelope arrived from the transport, before it is classified.
   *
   * @param bytes its size in bytes
   */
  default void envelopeReceived(int bytes) {}

  /**
   * An inbound envelope was dropped; {@link SpacePanda#droppedEnvelopes()} counts these.
   *
   * @param reason why
   */
  default void envelopeDropped(DropReason reason) {}

  /**
   * An inbound envelope was kept to try again later (a message of an epoch or channel this node
   * does not have yet); {@link NodeMetrics#heldEnvelopes()} counts what is kept.
   */
  default void envelopeHeld() {}

  /**
   * This node sent a channel message; its copies are in the outbox, durably.
   *
   * @param channelId the channel's id, as {@link Channel#id()} shows it
   * @param recipients the other members the message goes to (0 when alone in the channel)
   */
  default void messageSent(String channelId, int recipients) {}

  /**
   * A channel message of another member was stored, durably.
   *
   * @param channelId the channel's id, as {@link Channel#id()} shows it
   */
  default void messageReceived(String channelId) {}

  /**
   * The transport acknowledged one copy of an envelope to one recipient; it left the outbox.
   *
   * @param recipient the recipient
   */
  default void copyDelivered(PeerId recipient) {}

  /**
   * Sending one copy of an envelope to one recipient failed.
   *
   * @param recipient the recipient
   * @param attempts attempts made so far, at least 1
   * @param willRetry true if the outbox tries again after a backoff; false if it gave up (the
   *     copy left the outbox and its message is marked failed)
   */
  default void copyFailed(PeerId recipient, int attempts, boolean willRetry) {}

  /**
   * A member that was asked to keep a copy for an unreachable recipient (a mailbox) refused it:
   * the recipient's mailbox there is full, or that member keeps no mailboxes. Nothing is lost: this
   * node keeps its own copy and retries it until its delivery horizon.
   *
   * @param recipient the unreachable recipient
   * @param full true if the mailbox was full, false if the holder keeps no mailboxes
   */
  default void mailboxRefused(PeerId recipient, boolean full) {}

  /**
   * The transport connected to a peer.
   *
   * @param peer the peer
   */
  default void peerConnected(PeerId peer) {}

  /**
   * The transport lost its last connection to a peer.
   *
   * @param peer the peer
   */
  default void peerLost(PeerId peer) {}

  /**
   * An actor step committed: its work and its single storage transaction are done.
   *
   * @param kind the actor that ran it
   * @param nanos how long the step took, its work and its transaction, in nanoseconds
   */
  default void stepCommitted(ActorKind kind, long nanos) {}

  /**
   * The store failed; the step or read that met it did nothing, and the operation is retried or
   * reported to the caller.
   *
   * @param operation what the node was doing, a short fixed phrase such as {@code "space step"}
   * @param cause the failure
   */
  default void storageFailed(String operation, StorageException cause) {}

  /**
   * A connection peer's envelopes wasted more work (key derivations for skipped generations,
   * HPKE opens, lookups of envelopes that were then dropped) than the node grants one peer, so its
   * envelopes are refused until the debt decays; fires once each time a peer becomes throttled.
   *
   * @param peer the connection peer
   * @param wastedUnits its debt in work units (one unit is about one key derivation)
   */
  default void peerThrottled(PeerId peer, long wastedUnits) {}
}

