package io.spacepanda.internal.net.transport;

import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.keys.Libp2pPublicKey;
import io.spacepanda.spi.TransportIdentity;

/** Presents the node's {@link TransportIdentity} as the host's {@link IdentitySigner}. */
final class TransportIdentitySigner implements IdentitySigner {

  private final TransportIdentity identity;
  private final Libp2pPublicKey publicKey;

  TransportIdentitySigner(TransportIdentity identity) {
    this.identity = identity;
    this.publicKey = Libp2pPublicKey.ed25519(identity.publicKey());
  }

  @Override
  public Libp2pPublicKey publicKey() {
    return publicKey;
  }

  @Override
  public byte[] sign(byte[] message) {
    return identity.sign(message);
  }

  @Override
  public String toString() {
    return "IdentitySigner{ED25519}";
  }
}
