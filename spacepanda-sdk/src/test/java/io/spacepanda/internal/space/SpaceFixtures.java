package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import java.util.Arrays;
import java.util.List;

/** Deterministic peers, contacts and ids for the space layer's tests. */
final class SpaceFixtures {

  static final SpaceId SPACE = SpaceId.of(filled(0x5a));
  static final PeerId OWNER = peer(1);
  static final PeerId ALICE = peer(2);
  static final PeerId BOB = peer(3);
  static final PeerId CAROL = peer(4);
  static final PeerId MALLORY = peer(5);

  private SpaceFixtures() {}

  /** Returns the PeerId of a made-up Ed25519 key whose bytes are all {@code n}. */
  static PeerId peer(int n) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) n);
    return PeerId.fromPublicKey(key);
  }

  static byte[] filled(int b) {
    byte[] out = new byte[SpaceConstants.ID_LENGTH];
    Arrays.fill(out, (byte) b);
    return out;
  }

  static ChannelId channel(int n) {
    return ChannelId.of(filled(n));
  }

  static Contact contact(PeerId p) {
    byte[] key = new byte[SpaceConstants.INBOX_KEY_LENGTH];
    byte[] id = p.bytes();
    for (int i = 0; i < key.length; i++) {
      key[i] = id[id.length - 1 - i % 8];
    }
    return new Contact(p, key, List.of("/ip4/127.0.0.1/tcp/" + (4000 + (id[id.length - 1] & 0xff))));
  }

  static SpaceOp op(PeerId author, long lamport, SpaceOp.Body body) {
    return SpaceOp.of(SPACE, author, lamport, body);
  }
}
