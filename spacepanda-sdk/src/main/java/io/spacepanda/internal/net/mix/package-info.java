/**
 * Mix routing (issue 16): Sphinx packets of one constant size through three mix nodes with
 * exponential per-hop delays, replay protection per mix key, key rotation, single-use reply blocks
 * for acknowledgements, and Loopix-style cover traffic.
 *
 * <p>The packet format follows the libp2p mix specification ({@code /mix/1.0.0}, vac RFC
 * "LIBP2P-MIX", §3 primitives and §4 packet format) where it defines one: κ = 16, r = 5, t = 3,
 * X25519, SHA-256, AES-128-CTR, HMAC-SHA-256 truncated to 16 bytes, a 2413-byte packet. Where this
 * package departs from it (the size of β, the routing flags, the payload MAC) is said on {@link
 * io.spacepanda.internal.net.mix.Sphinx}. Everything here is independent of the node; {@link
 * io.spacepanda.internal.net.mix.MixDirectory} is the seam through which the node (space members,
 * configured mix nodes, later the DHT) supplies mix nodes.
 */
package io.spacepanda.internal.net.mix;
