/**
 * The libp2p identify protocol ({@code /ipfs/id/1.0.0}, libp2p/specs identify/README.md): the
 * {@link io.spacepanda.internal.net.identify.IdentifyMessage} protobuf, a responder that sends it
 * and closes, and a reader that collects it with bounded memory.
 */
package io.spacepanda.internal.net.identify;
