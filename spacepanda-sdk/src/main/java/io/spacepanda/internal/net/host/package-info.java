/**
 * The libp2p host: connection upgrade (multistream, Noise, muxer), protocol handler registry, per-stream negotiation and connection management.
 */
package io.spacepanda.internal.net.host;
