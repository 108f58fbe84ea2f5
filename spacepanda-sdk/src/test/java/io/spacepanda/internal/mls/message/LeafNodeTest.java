package io.spacepanda.internal.mls.message;

import static io.spacepanda.internal.mls.message.WireFixtures.concat;
import static io.spacepanda.internal.mls.message.WireFixtures.hex;
import static io.spacepanda.internal.mls.message.WireFixtures.leaf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeafNodeTest {

  /** The encoding without the trailing signature (1-byte length + 2 bytes). */
  private static byte[] unsigned(LeafNode n) {
    byte[] all = n.toBytes();
    return Arrays.copyOf(all, all.length - 3);
  }

  @Test
  void toBeSigned_keyPackageSource_isContentOnly() {
    LeafNode n = leaf(LeafNodeSource.KEY_PACKAGE);
    assertArrayEquals(unsigned(n), n.toBeSigned(hex("0102"), 5));
  }

  @Test
  void toBeSigned_updateAndCommitSources_appendGroupIdAndLeafIndex() {
    for (LeafNodeSource source : List.of(LeafNodeSource.UPDATE, LeafNodeSource.COMMIT)) {
      LeafNode n = leaf(source);
      assertArrayEquals(concat(unsigned(n), hex("020102"), hex("00000005")),
          n.toBeSigned(hex("0102"), 5));
    }
  }

  @Test
  void signature_overToBeSigned_verifiesWithLeafNodeTbsLabel() {
    CipherSuite suite = CipherSuite.byId(1).orElseThrow();
    KeyPair keys = suite.generateSignatureKeyPair(new SecureRandom());
    LeafNode unsignedLeaf = new LeafNode(hex("aa"), keys.publicKey(), Credential.basic(hex("01")),
        WireFixtures.capabilities(), LeafNodeSource.UPDATE, null, null, List.of(), null);
    byte[] tbs = unsignedLeaf.toBeSigned(hex("0102"), 3);
    LeafNode signed = unsignedLeaf.withSignature(suite.signWithLabel(keys.privateKey(),
        "LeafNodeTBS", tbs));
    assertEquals(true, suite.verifyWithLabel(signed.signatureKey(), "LeafNodeTBS",
        signed.toBeSigned(hex("0102"), 3), signed.signature()));
  }

  @Test
  void decode_eachSource_readsOnlyItsOptionalField() throws MlsDecodeException {
    for (LeafNodeSource source : LeafNodeSource.values()) {
      LeafNode n = leaf(source);
      assertEquals(n, TlsReader.decodeExactly(n.toBytes(), LeafNode::decode));
    }
    // key_package carries 16 lifetime bytes, update none, commit a 3-byte parent hash
    assertEquals(leaf(LeafNodeSource.UPDATE).toBytes().length + 16,
        leaf(LeafNodeSource.KEY_PACKAGE).toBytes().length);
    assertEquals(leaf(LeafNodeSource.UPDATE).toBytes().length + 3,
        leaf(LeafNodeSource.COMMIT).toBytes().length);
  }

  @Test
  void decode_unknownSource_isDecodeError() {
    byte[] bytes = leaf(LeafNodeSource.UPDATE).toBytes();
    int sourceAt = unsignedPrefixLength();
    assertEquals(2, bytes[sourceAt]);
    bytes[sourceAt] = 4;
    assertThrows(MlsDecodeException.class, () -> TlsReader.decodeExactly(bytes, LeafNode::decode));
    bytes[sourceAt] = 0;
    assertThrows(MlsDecodeException.class, () -> TlsReader.decodeExactly(bytes, LeafNode::decode));
  }

  private static int unsignedPrefixLength() {
    TlsWriter w = new TlsWriter();
    w.opaque(hex("aa01")).opaque(hex("bb02"));
    Credential.basic(hex("cc03")).encode(w);
    WireFixtures.capabilities().encode(w);
    return w.size();
  }

  @Test
  void decode_oversizedEncryptionKey_isDecodeError() {
    byte[] big = new byte[io.spacepanda.internal.mls.MlsConstants.MAX_PUBLIC_KEY_SIZE + 1];
    byte[] bytes = new TlsWriter().opaque(big).toByteArray();
    assertThrows(MlsDecodeException.class, () -> TlsReader.decodeExactly(bytes, LeafNode::decode));
  }

  @Test
  void constructor_optionalFieldNotMatchingSource_fails() {
    assertThrows(IllegalArgumentException.class, () -> new LeafNode(hex("aa"), hex("bb"),
        Credential.basic(hex("01")), WireFixtures.capabilities(), LeafNodeSource.UPDATE,
        new Lifetime(1, 2), null, List.of(), null));
    assertThrows(IllegalArgumentException.class, () -> new LeafNode(hex("aa"), hex("bb"),
        Credential.basic(hex("01")), WireFixtures.capabilities(), LeafNodeSource.COMMIT,
        null, null, List.of(), null));
  }
}
