/**
 * The libp2p transport: SpacePanda envelopes over {@code /spacepanda/envelope/1.0.0} streams of a
 * libp2p {@code Host}, behind the {@link io.spacepanda.spi.Transport} SPI.
 */
package io.spacepanda.internal.net.transport;
