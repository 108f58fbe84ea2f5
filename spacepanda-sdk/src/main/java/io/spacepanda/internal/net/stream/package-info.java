/**
 * The seam between a stream multiplexer (Yamux) and the libp2p host: {@link
 * io.spacepanda.internal.net.stream.StreamMuxer} opens and accepts {@link
 * io.spacepanda.internal.net.stream.MuxedStream}s over one secured connection, and {@link
 * io.spacepanda.internal.net.stream.StreamMuxerFactory} installs a muxer on a secured Netty
 * channel.
 *
 * <p>Threading contract shared by every type here: all callbacks ({@link
 * io.spacepanda.internal.net.stream.StreamHandler}, {@link
 * io.spacepanda.internal.net.stream.InboundStreamListener}) run on the connection's Netty event
 * loop, in order, and must not block; the methods of the muxer and of its streams may be called
 * from any thread and hop to that event loop.
 */
package io.spacepanda.internal.net.stream;
