/**
 * multistream-select 1.0 as a byte-level state machine, driven over a raw Netty channel (MultistreamHandler) or over a muxed stream (StreamNegotiation).
 */
package io.spacepanda.internal.net.multistream;
