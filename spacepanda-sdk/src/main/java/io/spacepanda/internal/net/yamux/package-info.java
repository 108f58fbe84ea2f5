/**
 * Yamux 1.0 ({@code /yamux/1.0.0}, hashicorp yamux spec.md) as a Netty handler implementing the
 * {@link io.spacepanda.internal.net.stream.StreamMuxer} seam: frame codec, streams with SYN/ACK,
 * FIN and RST, credit-based flow control with receive-window auto-tuning, keep-alive ping and
 * go-away.
 */
package io.spacepanda.internal.net.yamux;
