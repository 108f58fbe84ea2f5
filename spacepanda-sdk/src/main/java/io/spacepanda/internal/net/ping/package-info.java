/**
 * The libp2p ping protocol ({@code /ipfs/ping/1.0.0}, libp2p/specs ping/ping.md): 32 random bytes
 * echoed back; the initiator measures the round trip.
 */
package io.spacepanda.internal.net.ping;
