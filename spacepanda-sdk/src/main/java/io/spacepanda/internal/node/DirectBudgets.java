package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.ProtocolLimits;
import io.spacepanda.internal.net.host.ResourceLimitException;
import io.spacepanda.internal.net.host.ResourceLimits;
import io.spacepanda.internal.net.host.ResourceManager;

/**
 * Resource limits of the node's protocols that travel inside direct envelopes rather than on
 * streams of their own (issue 14): mailbox deposits ({@value #MAILBOX}) and sync summaries,
 * requests and responses ({@value #SYNC}). Each registers its {@link ProtocolLimits} with a
 * {@link ResourceManager} of the node's own (the transport's manager sees only the envelope
 * streams that carry them); a message being handled counts against its connection peer, so one
 * peer's flood of deposits or sync requests is refused once it has its share in flight, while
 * other peers' messages, and the other protocols, go on. A refused message is not acknowledged:
 * an honest sender tries again later.
 *
 * <p>Threading: thread-safe (the manager is).
 */
final class DirectBudgets {

  /** The mailbox protocol's id (see {@link Mailbox}). */
  static final String MAILBOX = "/spacepanda/mailbox/1.0.0";

  /** The sync protocol's id (see {@link ChannelSync}). */
  static final String SYNC = "/spacepanda/sync/1.0.0";

  /**
   * Mailbox: 32 deposits of one peer in flight, 512 of all; a deposit is at most the largest
   * sealed envelope ({@link NodeWire#MAX_MAILBOX_ENVELOPE}) with three ids and framing.
   */
  static final ProtocolLimits MAILBOX_LIMITS = new ProtocolLimits(32, 512, 16L << 20,
      NodeWire.MAX_MAILBOX_ENVELOPE + 4 * NodeWire.MAX_FIELD,
      NodeWire.MAX_MAILBOX_ENVELOPE + 4 * NodeWire.MAX_FIELD);

  /**
   * Sync: 64 messages of one peer in flight (a reconnect sends one summary per shared group), 1,024
   * of all; a message is at most a reassembled direct message ({@link NodeWire#MAX_FRAGMENTS}
   * chunks of {@link NodeWire#MAX_FRAGMENT_CHUNK}), which bounds the largest response ({@link
   * NodeWire#MAX_SYNC_ITEMS} items).
   */
  static final ProtocolLimits SYNC_LIMITS = new ProtocolLimits(64, 1024, 32L << 20,
      (long) NodeWire.MAX_FRAGMENTS * NodeWire.MAX_FRAGMENT_CHUNK,
      NodeWire.MAX_FRAGMENTS * NodeWire.MAX_FRAGMENT_CHUNK);

  private final ResourceManager resources;

  DirectBudgets() {
    this.resources = ResourceManager.create(ResourceLimits.defaults()
        .withMaxMemory(64L << 20)
        .withMemoryPerPeer(SYNC_LIMITS.maxMemoryPerStream() * 2, SYNC_LIMITS.maxMemoryPerStream() * 2)
        .withMaxMemoryPerStream(SYNC_LIMITS.maxMemoryPerStream()));
    resources.setProtocolLimits(MAILBOX, MAILBOX_LIMITS);
    resources.setProtocolLimits(SYNC, SYNC_LIMITS);
  }

  /** Returns the manager (for tests). */
  ResourceManager resources() {
    return resources;
  }

  /**
   * Returns the protocol a node message belongs to, or null for one without limits of its own.
   *
   * @param msg the message
   * @return {@link #MAILBOX}, {@link #SYNC} or null
   */
  static String protocolOf(NodeWire.Msg msg) {
    if (msg instanceof NodeWire.MailboxDeposit || msg instanceof NodeWire.MailboxRefused) {
      return MAILBOX;
    }
    if (msg instanceof NodeWire.SyncSummary || msg instanceof NodeWire.SyncRequest
        || msg instanceof NodeWire.SyncResponse) {
      return SYNC;
    }
    return null;
  }

  /**
   * Admits a node message delivered by a connection peer.
   *
   * @param from the connection peer
   * @param msg the decoded message
   * @return what to close once it is handled, or null for a message of no limited protocol
   * @throws ResourceLimitException if its protocol's limits refuse it
   */
  ResourceManager.MessageScope admit(PeerId from, NodeWire.Msg msg) throws ResourceLimitException {
    String protocol = protocolOf(msg);
    return protocol == null ? null : resources.admitMessage(from, protocol, encodedLength(msg));
  }

  /**
   * Returns the encoded length of a mailbox or sync message, within a few bytes of framing per
   * field, without encoding it again.
   *
   * @param msg the message
   * @return the length in bytes
   */
  static long encodedLength(NodeWire.Msg msg) {
    long n = 16;
    if (msg instanceof NodeWire.MailboxDeposit d) {
      n += d.spaceId().length + d.depositor().length + d.recipient().length + d.envelope().length;
    } else if (msg instanceof NodeWire.MailboxRefused r) {
      n += r.spaceId().length + r.recipient().length + r.envelopeId().length;
    } else if (msg instanceof NodeWire.SyncSummary x) {
      n += x.spaceId().length + x.channelId().length + x.asker().length
          + marks(x.marks()) + extensions(x.extensions());
    } else if (msg instanceof NodeWire.SyncRequest x) {
      n += x.spaceId().length + x.channelId().length + x.asker().length
          + marks(x.marks()) + extensions(x.extensions());
    } else if (msg instanceof NodeWire.SyncResponse x) {
      n += x.spaceId().length + x.channelId().length + x.responder().length;
      for (NodeWire.SyncItem i : x.items()) {
        n += i.sender().length + i.mlsMessage().length + 24;
      }
    }
    return n;
  }

  private static long marks(java.util.List<NodeWire.SyncMark> marks) {
    long n = 0;
    for (NodeWire.SyncMark m : marks) {
      n += m.sender().length + 12;
    }
    return n;
  }

  private static long extensions(java.util.List<NodeWire.SyncExtension> extensions) {
    long n = 0;
    for (NodeWire.SyncExtension e : extensions) {
      n += e.body().length + 6;
    }
    return n;
  }
}
