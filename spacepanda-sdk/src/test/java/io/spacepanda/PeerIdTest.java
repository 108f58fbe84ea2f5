package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class PeerIdTest {

  private static final HexFormat HEX = HexFormat.of();

  // libp2p/specs tls/tls.md, test vector 1: the certificate's key extension holds the PublicKey
  // protobuf 08011220a77f1d92… and authenticates this peer id.
  private static final String TLS_VECTOR_KEY =
      "a77f1d92fedb59dddaea5a1c4abd1ac2fbde7d7b879ed364501809923d7c11b9";
  private static final String TLS_VECTOR_PEER_ID = "12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv";

  // libp2p/specs peer-ids/peer-ids.md, "String representation" examples: one SHA2-256 peer id in
  // both text forms.
  private static final String SPEC_CID = "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe";
  private static final String SPEC_QM = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";

  @Test
  void fromPublicKey_tlsSpecVector_givesSpecPeerId() {
    PeerId id = PeerId.fromPublicKey(HEX.parseHex(TLS_VECTOR_KEY));
    assertEquals(TLS_VECTOR_PEER_ID, id.toBase58());
    assertEquals(TLS_VECTOR_PEER_ID, id.toString());
    assertArrayEquals(HEX.parseHex("002408011220" + TLS_VECTOR_KEY), id.bytes());
  }

  @Test
  void parse_tlsSpecVector_returnsItsPublicKey() {
    PeerId id = PeerId.parse(TLS_VECTOR_PEER_ID);
    assertArrayEquals(HEX.parseHex(TLS_VECTOR_KEY), id.ed25519PublicKey().orElseThrow());
  }

  @Test
  void parse_specCidAndBase58Forms_giveSamePeerId() {
    PeerId fromCid = PeerId.parse(SPEC_CID);
    PeerId fromBase58 = PeerId.parse(SPEC_QM);
    assertEquals(fromBase58, fromCid);
    assertEquals(SPEC_QM, fromCid.toBase58());
    assertEquals(SPEC_CID, fromBase58.toCid());
    assertTrue(fromCid.ed25519PublicKey().isEmpty());
  }

  @Test
  void parse_base58CidForm_accepted() {
    PeerId id = PeerId.parse(TLS_VECTOR_PEER_ID);
    byte[] cid = new byte[id.bytes().length + 2];
    cid[0] = 1;
    cid[1] = 0x72;
    System.arraycopy(id.bytes(), 0, cid, 2, id.bytes().length);
    assertEquals(id, PeerId.parse("z" + io.spacepanda.internal.crypto.Base58.encode(cid)));
  }

  @Test
  void parse_badInputs_failWithInvalidPeerId() {
    String[] bad = {
      "",
      "12D3KooW",
      TLS_VECTOR_PEER_ID + "1",
      TLS_VECTOR_PEER_ID.substring(0, TLS_VECTOR_PEER_ID.length() - 1),
      TLS_VECTOR_PEER_ID.replace('M', '0'),
      TLS_VECTOR_PEER_ID.replace('M', 'l'),
      "Qm" + "1".repeat(44),
      "x" + TLS_VECTOR_PEER_ID,
      SPEC_CID.toUpperCase(),
      SPEC_CID.replace("bafz", "bafy"),
      SPEC_CID + "a",
      "b",
      "z",
      "1".repeat(200),
    };
    for (String s : bad) {
      InvalidPeerIdException e = assertThrows(InvalidPeerIdException.class, () -> PeerId.parse(s), s);
      assertTrue(e.getMessage().startsWith("invalid peer id"), e.getMessage());
    }
  }

  @Test
  void fromPublicKey_wrongLength_fails() {
    assertThrows(InvalidPeerIdException.class, () -> PeerId.fromPublicKey(new byte[31]));
    assertThrows(InvalidPeerIdException.class, () -> PeerId.fromPublicKey(new byte[33]));
  }

  @Test
  void fromBytes_badMultihashes_fail() {
    byte[][] bad = {
      {},
      {0x00},
      {0x00, 0x00},
      {0x00, 0x02, 0x01},
      {0x00, 43},
      {0x12, 0x20, 1, 2, 3},
      {0x13, 0x01, 0x01},
    };
    for (byte[] b : bad) {
      assertThrows(InvalidPeerIdException.class, () -> PeerId.fromBytes(b), HEX.formatHex(b));
    }
  }

  @Test
  void bytes_returnsCopy() {
    PeerId id = PeerId.parse(TLS_VECTOR_PEER_ID);
    id.bytes()[3] ^= 1;
    assertEquals(TLS_VECTOR_PEER_ID, id.toBase58());
  }

  @Test
  void equalsAndOrder_followBytes() {
    PeerId a = PeerId.fromPublicKey(new byte[32]);
    byte[] k = new byte[32];
    k[31] = (byte) 0xff;
    PeerId b = PeerId.fromPublicKey(k);
    assertEquals(a, PeerId.parse(a.toString()));
    assertEquals(a.hashCode(), PeerId.parse(a.toString()).hashCode());
    assertNotEquals(a, b);
    assertTrue(a.compareTo(b) < 0);
    assertTrue(b.compareTo(a) > 0);
  }

  @Property
  void ed25519Ids_roundTripThroughBothTextForms(@ForAll @Size(32) byte[] key) {
    PeerId id = PeerId.fromPublicKey(key);
    assertTrue(id.toBase58().startsWith("12D3KooW"));
    assertTrue(id.toCid().startsWith("bafz"));
    assertEquals(id, PeerId.parse(id.toBase58()));
    assertEquals(id, PeerId.parse(id.toCid()));
    assertEquals(id, PeerId.fromBytes(id.bytes()));
    assertArrayEquals(key, id.ed25519PublicKey().orElseThrow());
  }

  @Property
  void identityMultihashes_roundTrip(@ForAll @Size(min = 1, max = 42) byte[] digest) {
    byte[] mh = new byte[digest.length + 2];
    mh[1] = (byte) digest.length;
    System.arraycopy(digest, 0, mh, 2, digest.length);
    PeerId id = PeerId.fromBytes(mh);
    assertEquals(id, PeerId.parse(id.toBase58()));
    assertEquals(id, PeerId.parse(id.toCid()));
  }

  @Property
  void parse_randomText_returnsOrFailsTyped(@ForAll @StringLength(max = 80) String text) {
    try {
      PeerId id = PeerId.parse(text);
      assertEquals(id, PeerId.parse(id.toBase58()));
    } catch (InvalidPeerIdException expected) {
      // the only allowed failure
    }
  }

  @Property
  void parse_mutatedValidText_returnsOrFailsTyped(
      @ForAll @Size(32) byte[] key, @ForAll int position, @ForAll char replacement) {
    String text = PeerId.fromPublicKey(key).toBase58();
    int i = Math.floorMod(position, text.length());
    String mutated = text.substring(0, i) + replacement + text.substring(i + 1);
    try {
      PeerId.parse(mutated);
    } catch (InvalidPeerIdException expected) {
      // the only allowed failure
    }
  }

  @Property
  void fromBytes_randomBytes_returnsOrFailsTyped(@ForAll @Size(max = 50) byte[] bytes) {
    try {
      assertArrayEquals(bytes, PeerId.fromBytes(bytes).bytes());
    } catch (InvalidPeerIdException expected) {
      // the only allowed failure
    }
  }
}
