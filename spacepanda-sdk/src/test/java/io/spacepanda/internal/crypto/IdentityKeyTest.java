package io.spacepanda.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class IdentityKeyTest {

  private static final HexFormat HEX = HexFormat.of();

  // libp2p/specs peer-ids/peer-ids.md, "Test vectors": Ed25519 private and public key protobufs.
  private static final String SPEC_PRIVATE =
      "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"
          + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
  private static final String SPEC_PUBLIC_PROTOBUF =
      "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
  // The peer id of that key as rust-libp2p prints it (cross-checked by an independent base58
  // computation of 0x00 0x24 ‖ SPEC_PUBLIC_PROTOBUF).
  private static final String SPEC_PEER_ID = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

  // RFC 8032 §7.1, TEST 1.
  private static final String RFC8032_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  private static final String RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  private static final String RFC8032_SIGNATURE =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
          + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void restore_specPrivateKey_derivesSpecPublicKeyAndPeerId() throws Exception {
    IdentityKey key = IdentityKey.restore(SecretBytes.copyOf(HEX.parseHex(SPEC_PRIVATE)));
    assertEquals(SPEC_PUBLIC_PROTOBUF, "08011220" + HEX.formatHex(key.publicKey()));
    assertEquals(SPEC_PEER_ID, key.peerId().toBase58());
    assertEquals(PeerId.parse(SPEC_PEER_ID), key.peerId());
  }

  @Test
  void exportPrivate_specKey_reproducesSpecEncoding() throws Exception {
    IdentityKey key = IdentityKey.restore(SecretBytes.copyOf(HEX.parseHex(SPEC_PRIVATE)));
    assertArrayEquals(HEX.parseHex(SPEC_PRIVATE), key.exportPrivate().exportSecret());
  }

  @Test
  void sign_rfc8032Vector_givesVectorSignature() throws Exception {
    IdentityKey key = IdentityKey.fromSeed(SecretBytes.copyOf(HEX.parseHex(RFC8032_SEED)));
    assertEquals(RFC8032_PUBLIC, HEX.formatHex(key.publicKey()));
    assertEquals(RFC8032_SIGNATURE, HEX.formatHex(key.sign(new byte[0])));
    assertTrue(IdentityKey.verify(key.publicKey(), new byte[0], HEX.parseHex(RFC8032_SIGNATURE)));
  }

  @Test
  void verify_byPeerId_acceptsOwnSignatureOnly() {
    IdentityKey alice = IdentityKey.generate(RANDOM);
    IdentityKey bob = IdentityKey.generate(RANDOM);
    byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] sig = alice.sign(msg);
    assertTrue(IdentityKey.verify(alice.peerId(), msg, sig));
    assertFalse(IdentityKey.verify(bob.peerId(), msg, sig));
    assertFalse(IdentityKey.verify(alice.peerId(), "hellO".getBytes(StandardCharsets.UTF_8), sig));
    sig[10] ^= 1;
    assertFalse(IdentityKey.verify(alice.peerId(), msg, sig));
  }

  @Test
  void verify_malformedKeyOrSignature_returnsFalse() {
    IdentityKey key = IdentityKey.generate(RANDOM);
    byte[] sig = key.sign(new byte[3]);
    assertFalse(IdentityKey.verify(new byte[31], new byte[3], sig));
    assertFalse(IdentityKey.verify(key.publicKey(), new byte[3], new byte[63]));
    assertFalse(IdentityKey.verify(PeerId.parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"), new byte[3], sig));
  }

  @Test
  void toString_showsPeerIdAndNoPrivateBytes() throws Exception {
    IdentityKey key = IdentityKey.restore(SecretBytes.copyOf(HEX.parseHex(SPEC_PRIVATE)));
    assertEquals("IdentityKey[" + SPEC_PEER_ID + "]", key.toString());
    assertEquals("SecretBytes[68 bytes]", key.exportPrivate().toString());
    assertEquals("SecretBytes[32 bytes]", key.exportSeed().toString());
  }

  @Test
  void restore_mismatchedPublicKey_fails() {
    byte[] raw = HEX.parseHex(SPEC_PRIVATE);
    raw[raw.length - 1] ^= 1;
    assertThrows(KeyFormatException.class, () -> IdentityKey.restore(SecretBytes.copyOf(raw)));
  }

  @Test
  void restore_otherKeyTypeOrLegacyLength_fails() {
    byte[] raw = HEX.parseHex(SPEC_PRIVATE);
    raw[1] = 2;
    assertThrows(KeyFormatException.class, () -> IdentityKey.restore(SecretBytes.copyOf(raw)));
    assertThrows(KeyFormatException.class, () -> IdentityKey.restore(SecretBytes.copyOf(new byte[100])));
    assertThrows(KeyFormatException.class, () -> IdentityKey.fromSeed(SecretBytes.copyOf(new byte[31])));
  }

  @Test
  void exportSeed_fromSeed_roundTrips() throws Exception {
    IdentityKey key = IdentityKey.generate(RANDOM);
    assertEquals(key.peerId(), IdentityKey.fromSeed(key.exportSeed()).peerId());
  }

  @Property(tries = 200)
  void exportPrivate_restore_roundTrips(@ForAll @Size(32) byte[] seed) throws Exception {
    IdentityKey key = IdentityKey.fromSeed(SecretBytes.copyOf(seed));
    IdentityKey restored = IdentityKey.restore(key.exportPrivate());
    assertEquals(key.peerId(), restored.peerId());
    assertEquals(key.exportSeed(), restored.exportSeed());
    assertArrayEquals(key.sign(seed), restored.sign(seed));
  }

  @Property
  void restore_randomBytes_failsTyped(@ForAll @Size(max = 80) byte[] bytes) {
    try {
      IdentityKey.restore(SecretBytes.copyOf(bytes));
    } catch (KeyFormatException expected) {
      // the only allowed failure
    }
  }

  @Property(tries = 200)
  void restore_mutatedValidEncoding_failsTyped(
      @ForAll @Size(32) byte[] seed, @ForAll int position, @ForAll byte xor) throws Exception {
    byte[] raw = IdentityKey.fromSeed(SecretBytes.copyOf(seed)).exportPrivate().exportSecret();
    raw[Math.floorMod(position, raw.length)] ^= xor;
    try {
      IdentityKey.restore(SecretBytes.copyOf(raw));
    } catch (KeyFormatException expected) {
      // the only allowed failure
    }
  }
}
