package io.spacepanda.internal.net.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Signed envelopes and peer records (libp2p/specs RFC 0002, RFC 0003): round trips, the checks
 * {@link PeerRecord#verify} makes, limits, and random or mutated bytes failing only with {@link
 * RecordException}.
 */
class PeerRecordTest {

  static IdentitySigner signer(int seed) {
    byte[] s = new byte[32];
    s[0] = (byte) seed;
    s[1] = (byte) (seed >> 8);
    s[31] = 7;
    return IdentitySigner.ed25519(s);
  }

  static PeerId peerOf(IdentitySigner s) {
    return PeerId.fromBytes(s.publicKey().peerIdMultihash());
  }

  static List<Multiaddr> addrs(int n, int seed) {
    List<Multiaddr> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      try {
        out.add(Multiaddr.tcp(InetAddress.getByAddress(new byte[] {10, (byte) seed, 0, (byte) i}), 1000 + i));
      } catch (java.net.UnknownHostException e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }

  @Test
  void signedBytes_followRfc0002Layout() {
    byte[] b = SignedEnvelope.signedBytes("ab", new byte[] {3, 1}, new byte[] {9});
    assertEquals("02616202030101" + "09", HexFormat.of().formatHex(b));
  }

  @Test
  void signAndVerify_roundTrips() throws Exception {
    IdentitySigner s = signer(1);
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L, 123_456_000), ZoneOffset.UTC);
    PeerRecord r = PeerRecord.now(peerOf(s), addrs(3, 1), clock);
    assertEquals(1_700_000_000_123_456L, r.seq());
    PeerRecord back = PeerRecord.verify(r.sign(s));
    assertEquals(r, back);
  }

  @Test
  void verify_otherDomainSignature_fails() {
    IdentitySigner s = signer(2);
    PeerRecord r = new PeerRecord(peerOf(s), 5, addrs(1, 2));
    byte[] wrongDomain = SignedEnvelope.seal(s, "libp2p-other", PeerRecord.payloadType(), r.encode()).encode();
    assertThrows(RecordException.class, () -> PeerRecord.verify(wrongDomain));
  }

  @Test
  void verify_recordOfAnotherPeer_fails() {
    IdentitySigner s = signer(3);
    PeerRecord r = new PeerRecord(peerOf(signer(4)), 5, addrs(1, 3));
    byte[] forged = SignedEnvelope.seal(s, PeerRecord.DOMAIN, PeerRecord.payloadType(), r.encode()).encode();
    RecordException e = assertThrows(RecordException.class, () -> PeerRecord.verify(forged));
    assertEquals("peer record names another peer than its signer", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> r.sign(s));
  }

  @Test
  void verify_otherPayloadType_fails() {
    IdentitySigner s = signer(5);
    PeerRecord r = new PeerRecord(peerOf(s), 1, addrs(1, 5));
    byte[] other = SignedEnvelope.seal(s, PeerRecord.DOMAIN, new byte[] {3, 2}, r.encode()).encode();
    assertThrows(RecordException.class, () -> PeerRecord.verify(other));
  }

  @Test
  void tooManyAddresses_refusedOnBothSides() {
    IdentitySigner s = signer(6);
    assertThrows(IllegalArgumentException.class,
        () -> new PeerRecord(peerOf(s), 1, addrs(PeerRecord.MAX_ADDRESSES + 1, 6)));
    // Hand-built payload with one address too many.
    byte[] one = new PeerRecord(peerOf(s), 0, addrs(1, 6)).encode();
    byte[] idField = new PeerRecord(peerOf(s), 0, List.of()).encode();
    int addrLen = one.length - idField.length;
    byte[] many = new byte[idField.length + addrLen * (PeerRecord.MAX_ADDRESSES + 1)];
    System.arraycopy(idField, 0, many, 0, idField.length);
    for (int i = 0; i <= PeerRecord.MAX_ADDRESSES; i++) {
      System.arraycopy(one, idField.length, many, idField.length + i * addrLen, addrLen);
    }
    assertThrows(RecordException.class, () -> PeerRecord.decode(many));
  }

  @Test
  void oversizedEnvelope_refusedBeforeParsing() {
    assertThrows(RecordException.class,
        () -> SignedEnvelope.decode(new byte[SignedEnvelope.MAX_ENVELOPE_BYTES + 1]));
  }

  @Property(tries = 60)
  void roundTrip_anyRecord(@ForAll @IntRange(min = 0, max = 1000) int seed,
      @ForAll @IntRange(min = 0, max = 32) int n, @ForAll long seq) throws Exception {
    IdentitySigner s = signer(seed);
    PeerRecord r = new PeerRecord(peerOf(s), seq, addrs(n, seed));
    assertEquals(r, PeerRecord.decode(r.encode()));
    assertEquals(r, PeerRecord.verify(r.sign(s)));
  }

  @Property(tries = 500)
  void randomBytes_failTypedOrDecode(@ForAll @Size(max = 600) byte[] bytes) {
    try {
      PeerRecord.verify(bytes);
      fail("random bytes verified");
    } catch (RecordException expected) {
      // typed
    }
    try {
      PeerRecord.decode(bytes);
    } catch (RecordException expected) {
      // typed
    }
  }

  @Property(tries = 500)
  void mutatedEnvelope_neverVerifiesAltered(@ForAll @IntRange(min = 0, max = 10_000) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor, @ForAll @IntRange(min = 0, max = 3) int extra) {
    IdentitySigner s = signer(9);
    PeerRecord r = new PeerRecord(peerOf(s), 42, addrs(2, 9));
    byte[] good = r.sign(s);
    byte[] bad = java.util.Arrays.copyOf(good, good.length + extra);
    bad[position % good.length] ^= (byte) xor;
    try {
      PeerRecord back = PeerRecord.verify(bad);
      // A mutation that still verifies may only touch unsigned framing, never the content.
      assertEquals(r, back);
    } catch (RecordException expected) {
      // typed
    }
  }

  @Test
  void envelope_encodeDecode_keepsFields() throws Exception {
    IdentitySigner s = signer(10);
    SignedEnvelope e = SignedEnvelope.seal(s, "d", new byte[] {1}, new byte[] {4, 5});
    SignedEnvelope back = SignedEnvelope.open(e.encode(), "d", new byte[] {1});
    assertArrayEquals(new byte[] {4, 5}, back.payload());
    assertArrayEquals(e.signature(), back.signature());
  }
}
