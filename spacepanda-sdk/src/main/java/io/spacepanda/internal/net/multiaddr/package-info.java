/**
 * Multiaddr text and binary codec for /ip4, /ip6, /dns4, /dns6, /tcp and /p2p (multiformats/multiaddr), with the unsigned varint and base58btc codecs it needs.
 */
package io.spacepanda.internal.net.multiaddr;
