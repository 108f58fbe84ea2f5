package io.spacepanda.testkit;

import io.spacepanda.PeerId;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportIdentity;
import io.spacepanda.spi.TransportListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Peer ids and transport contexts for tests that need nodes without real identity keys.
 *
 * <p>The ids are well-formed Ed25519 peer ids ({@code 12D3KooW…}) of made-up keys, the same for
 * the same index in every run; their contexts cannot sign, which is enough for transports that do
 * no handshake, such as the simulated network's.
 */
public final class TestPeers {

  private TestPeers() {}

  /**
   * Returns the peer id of the made-up key number {@code index}.
   *
   * @param index any number; equal indices give equal ids
   * @return the peer id
   */
  public static PeerId peer(int index) {
    byte[] key = new byte[PeerId.ED25519_PUBLIC_KEY_LENGTH];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (index >>> (8 * (i % 4)) ^ (i * 31));
    }
    key[0] = (byte) 0xA5;
    return PeerId.fromPublicKey(key);
  }

  /**
   * Returns the peer ids of the made-up keys {@code 0 … count-1}.
   *
   * @param count how many
   * @return the ids, in index order
   */
  public static List<PeerId> peers(int count) {
    List<PeerId> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(peer(i));
    }
    return List.copyOf(out);
  }

  /**
   * Returns a transport context for a peer with no listen or bootstrap addresses and an identity
   * that cannot sign.
   *
   * @param peer the node's peer id
   * @param listener receives the node's inbound envelopes and connection events
   * @return the context
   */
  public static TransportContext context(PeerId peer, TransportListener listener) {
    Objects.requireNonNull(peer, "peer");
    return new TransportContext(peer, new UnsigningIdentity(peer), List.of(), List.of(), listener);
  }

  /** An identity that exposes the public key inlined in the peer id and refuses to sign. */
  private record UnsigningIdentity(PeerId peer) implements TransportIdentity {
    @Override
    public byte[] publicKey() {
      return peer.ed25519PublicKey().orElseThrow();
    }

    @Override
    public byte[] sign(byte[] data) {
      throw new UnsupportedOperationException("test identity of " + peer + " cannot sign");
    }
  }
}
