package io.spacepanda.internal.net.transport;

import io.spacepanda.internal.net.autonat.AutonatMessage;
import io.spacepanda.internal.net.dcutr.HolePunchMessage;
import io.spacepanda.internal.net.host.ProtocolLimits;
import io.spacepanda.internal.net.host.ResourceManager;
import io.spacepanda.internal.net.kad.KadConfig;
import io.spacepanda.internal.net.kad.KadMessage;
import io.spacepanda.internal.net.mix.Sphinx;
import io.spacepanda.internal.net.relay.RelayConstants;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The resource limits of each protocol the transport's host serves besides the envelope ones
 * (issue 14), so that none of them runs on {@link ProtocolLimits#defaults()}: a flood of one
 * protocol is refused by its own limits while the others go on.
 *
 * <p>How the numbers were chosen. Streams per peer: what an honest peer needs at once, with room
 * for a reconnect; a DHT client runs a few queries in parallel (kad, 16), a relay client holds one
 * reservation and up to {@link RelayConstants#DEFAULT_MAX_CIRCUITS_PER_PEER} circuits (hop, 10), a
 * relay terminates circuits of several sources at us (stop, 16), AutoNAT and DCUtR run one
 * exchange at a time (2), a mix sends one packet per stream (64 in flight). Message bound: the
 * decoder's own bound of the protocol (its javadoc cites the spec), plus its length prefix. Memory
 * per stream: two messages. Protocol-wide memory: 64 streams of it, never more than 8 MiB.
 *
 * <p>The decoders enforce their bounds themselves; the limits registered here add the counts and
 * the memory, and {@link ResourceManager.StreamScope#checkMessage} lets a handler refuse an
 * announced length against the same bound.
 */
public final class ProtocolBudgets {

  /** Length prefix room: an unsigned varint of a 32-bit length. */
  private static final int PREFIX = 5;

  /** Kademlia DHT requests ({@code /ipfs/kad/1.0.0} and the private {@code /spacepanda/kad}). */
  public static final ProtocolLimits KAD = limits(16, 512, KadMessage.MAX_MESSAGE_BYTES + PREFIX);

  /** Circuit relay v2 hop: reservations and circuits asked of this node as a relay. */
  public static final ProtocolLimits RELAY_HOP = limits(
      RelayConstants.DEFAULT_MAX_CIRCUITS_PER_PEER + 2,
      RelayConstants.DEFAULT_MAX_CIRCUITS + RelayConstants.DEFAULT_MAX_RESERVATIONS,
      RelayConstants.MAX_MESSAGE_BYTES + PREFIX);

  /** Circuit relay v2 stop: a relay terminating a relayed connection at this node. */
  public static final ProtocolLimits RELAY_STOP = limits(16, 128,
      RelayConstants.MAX_MESSAGE_BYTES + PREFIX);

  /** AutoNAT v1: dial-back requests. */
  public static final ProtocolLimits AUTONAT = limits(2, 64,
      AutonatMessage.MAX_MESSAGE_BYTES + PREFIX);

  /** DCUtR: hole-punch coordination over a relayed connection. */
  public static final ProtocolLimits DCUTR = limits(2, 64,
      HolePunchMessage.MAX_MESSAGE_BYTES + PREFIX);

  /** Mix: one fixed-size Sphinx packet per stream. */
  public static final ProtocolLimits MIX = limits(64, 1024, Sphinx.PACKET_LENGTH);

  private ProtocolBudgets() {}

  private static ProtocolLimits limits(int perPeer, int total, int message) {
    long perStream = 2L * message;
    return new ProtocolLimits(perPeer, total, Math.min(8L << 20, 64 * perStream), perStream,
        message);
  }

  /**
   * Returns the limits of the envelope-stream protocol ({@code /spacepanda/envelope-stream/1.0.0}):
   * one long-lived stream per peer and direction, 8 per peer to cover reconnects over several
   * connections; up to the transport's window of envelopes held per stream; the largest envelope
   * message as bound. Envelopes may use the whole node-wide budget, with its eviction.
   *
   * @param config the transport's configuration
   * @param perStream the node-wide memory limit of one stream
   * @return the limits
   */
  public static ProtocolLimits envelopeStream(Libp2pTransportConfig config, long perStream) {
    int message = EnvelopeCodec.maxEnvelopeMessageBytes(config.maxEnvelopeBytes())
        + EnvelopeProtocolConstants.MAX_PREFIX_BYTES;
    return new ProtocolLimits(8, Math.max(64, config.maxConnections() * 2), Long.MAX_VALUE,
        perStream, message);
  }

  /**
   * Returns the limits of the protocols served besides the envelope ones, by protocol id.
   *
   * @param kadProtocolId the DHT's protocol id, or null without a DHT
   * @return the limits, in registration order
   */
  public static Map<String, ProtocolLimits> network(String kadProtocolId) {
    Map<String, ProtocolLimits> out = new LinkedHashMap<>();
    out.put(KadConfig.IPFS_PROTOCOL_ID, KAD);
    out.put(KadConfig.DEFAULT_PROTOCOL_ID, KAD);
    if (kadProtocolId != null) {
      out.put(kadProtocolId, KAD);
    }
    out.put(RelayConstants.HOP_PROTOCOL_ID, RELAY_HOP);
    out.put(RelayConstants.STOP_PROTOCOL_ID, RELAY_STOP);
    out.put(AutonatMessage.PROTOCOL_ID, AUTONAT);
    out.put(HolePunchMessage.PROTOCOL_ID, DCUTR);
    out.put(Sphinx.PROTOCOL_ID, MIX);
    return out;
  }

  /**
   * Registers the limits of every protocol of {@link #network} and of the envelope-stream protocol.
   *
   * @param resources the host's resource manager
   * @param config the transport's configuration
   * @param kadProtocolId the DHT's protocol id, or null without a DHT
   */
  public static void register(ResourceManager resources, Libp2pTransportConfig config,
      String kadProtocolId) {
    network(kadProtocolId).forEach(resources::setProtocolLimits);
    resources.setProtocolLimits(EnvelopeProtocolConstants.STREAM_PROTOCOL_ID,
        envelopeStream(config, resources.limits().maxMemoryPerStream()));
  }
}
