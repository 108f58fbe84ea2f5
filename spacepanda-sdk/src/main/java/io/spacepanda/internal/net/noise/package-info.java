/**
 * libp2p Noise: Noise_XX_25519_ChaChaPoly_SHA256 with the libp2p handshake payload, early stream muxer negotiation and the framed transport codec.
 */
package io.spacepanda.internal.net.noise;
