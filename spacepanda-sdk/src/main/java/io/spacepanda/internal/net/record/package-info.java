/**
 * Signed envelopes and signed peer records (libp2p/specs RFC 0002 "Signed Envelopes" and RFC 0003
 * "Routing Records"): a peer's addresses signed by its identity key, so that whoever relays them
 * (a DHT node, a relay, identify) cannot forge or alter them.
 */
package io.spacepanda.internal.net.record;
