package io.spacepanda.internal.net.stream;

import io.netty.channel.Channel;

/**
 * Installs a {@link StreamMuxer} on a secured Netty channel; the host keeps one per muxer protocol.
 *
 * <p>The channel's pipeline must carry plaintext {@code ByteBuf}s at its tail (the security
 * handler sits before it). Call {@link #install} on the channel's event loop, in the same task
 * that finishes the security handshake, so that no decrypted byte passes the tail before the muxer
 * is there.
 */
public interface StreamMuxerFactory {

  /**
   * Returns the multistream-select protocol id of this muxer.
   *
   * @return for example {@code /yamux/1.0.0}
   */
  String protocolId();

  /**
   * Adds the muxer to the tail of {@code channel}'s pipeline and returns it.
   *
   * @param channel the secured connection, carrying plaintext bytes
   * @param initiator whether this side dialed the connection (Yamux: the dialer opens odd stream ids)
   * @param inbound receives streams the remote peer opens
   * @return the installed muxer, open
   */
  StreamMuxer install(Channel channel, boolean initiator, InboundStreamListener inbound);
}
