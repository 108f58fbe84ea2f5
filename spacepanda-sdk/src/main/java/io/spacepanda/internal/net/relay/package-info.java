/**
 * Circuit relay v2 (libp2p/specs relay/circuit-v2.md): the hop service that lets a public node
 * relay connections for peers holding a reservation, the client that reserves slots, accepts
 * relayed connections on the stop protocol and dials {@code /p2p-circuit} addresses, and the
 * Netty channel that carries a Noise and Yamux connection over a relayed stream.
 */
package io.spacepanda.internal.net.relay;
