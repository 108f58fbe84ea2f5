package io.spacepanda.internal.net.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.record.SignedEnvelope;
import io.spacepanda.internal.net.relay.CircuitMessages.Hop;
import io.spacepanda.internal.net.relay.CircuitMessages.Limit;
import io.spacepanda.internal.net.relay.CircuitMessages.Peer;
import io.spacepanda.internal.net.relay.CircuitMessages.Reservation;
import io.spacepanda.internal.net.relay.CircuitMessages.Stop;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Circuit relay v2 messages, vouchers and envelopes: known bytes, round trips, bounded decoding. */
class CircuitMessagesTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void reserve_encodesAsTheSpecsProtobuf() throws Exception {
    // HopMessage { type = RESERVE } is field 1, varint 0
    assertEquals("0800", HEX.formatHex(new Hop(CircuitMessages.HOP_RESERVE, null, null, null, 0).encode()));
    // StopMessage { type = STATUS, status = OK (100) }
    assertEquals("08012064", HEX.formatHex(new Stop(CircuitMessages.STOP_STATUS, null, null, 100).encode()));
    Hop status = Hop.decode(HEX.parseHex("0802" + "2205" + "0878" + "108008" + "2864"));
    assertEquals(CircuitMessages.HOP_STATUS, status.type());
    assertEquals(new Limit(120, 1024), status.limit());
    assertEquals(100, status.status());
  }

  @Test
  void missingOrUnknownType_isMalformed() {
    assertEquals(RelayException.Status.MALFORMED_MESSAGE,
        assertThrows(RelayException.class, () -> Hop.decode(new byte[0])).status());
    assertThrows(RelayException.class, () -> Hop.decode(HEX.parseHex("0807")));
    assertThrows(RelayException.class, () -> Stop.decode(HEX.parseHex("0802")));
    // field 2 (peer) as a varint: wrong wire type
    assertThrows(RelayException.class, () -> Hop.decode(HEX.parseHex("08011001")));
    // a peer without id
    assertThrows(RelayException.class, () -> Hop.decode(HEX.parseHex("08011200")));
  }

  @Test
  void oversizedMessage_isRefused() {
    byte[] big = new byte[RelayConstants.MAX_MESSAGE_BYTES + 1];
    assertThrows(RelayException.class, () -> Hop.decode(big));
  }

  @Test
  void tooManyAddresses_areRefused() {
    List<byte[]> addrs = java.util.Collections.nCopies(RelayConstants.MAX_ADDRS + 1, new byte[] {4, 1, 2, 3, 4});
    byte[] wire = new Hop(CircuitMessages.HOP_CONNECT, new Peer(new byte[] {0, 2, 1, 2}, addrs), null, null, 0).encode();
    assertThrows(RelayException.class, () -> Hop.decode(wire));
  }

  @Test
  void voucher_signedByTheRelay_opens_andATamperedOneDoesNot() throws Exception {
    IdentitySigner relay = IdentitySigner.generateEd25519(new SecureRandom());
    byte[] peer = IdentitySigner.generateEd25519(new SecureRandom()).publicKey().peerIdMultihash();
    Voucher v = new Voucher(relay.publicKey().peerIdMultihash(), peer, 1_800_000_000L);
    byte[] signed = v.sign(relay);
    assertEquals(v, Voucher.open(signed));
    SignedEnvelope e = SignedEnvelope.decode(signed);
    assertArrayEquals(new byte[] {0x03, 0x02}, e.payloadType(), "go and js put 0x0302 as two bytes");
    // the expiration's last byte changed under the relay's signature
    byte[] payload = v.encode();
    int at = indexOf(signed, payload) + payload.length - 1;
    byte[] tampered = signed.clone();
    tampered[at] ^= 1;
    assertThrows(RelayException.class, () -> Voucher.open(tampered));
    // signed by someone else than the relay it names
    IdentitySigner other = IdentitySigner.generateEd25519(new SecureRandom());
    assertThrows(RelayException.class, () -> Voucher.open(v.sign(other)));
  }

  private static int indexOf(byte[] in, byte[] part) {
    for (int i = 0; i + part.length <= in.length; i++) {
      if (java.util.Arrays.equals(in, i, i + part.length, part, 0, part.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  @Provide
  Arbitrary<Hop> hops() {
    Arbitrary<byte[]> id = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40);
    Arbitrary<byte[]> addr = Arbitraries.bytes().array(byte[].class).ofMaxSize(60);
    Arbitrary<Peer> peer = Combinators.combine(id, addr.list().ofMaxSize(4)).as(Peer::new);
    Arbitrary<Reservation> res = Combinators.combine(Arbitraries.longs(), addr.list().ofMaxSize(4),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(200)).as(Reservation::new);
    Arbitrary<Limit> limit = Combinators.combine(Arbitraries.longs().between(0, 0xFFFF_FFFFL), Arbitraries.longs())
        .as(Limit::new);
    return Combinators.combine(Arbitraries.integers().between(0, 2), peer.injectNull(0.3), res.injectNull(0.3),
        limit.injectNull(0.3), Arbitraries.of(0, 100, 200, 201, 202, 203, 204, 400, 401)).as(Hop::new);
  }

  @Provide
  Arbitrary<Stop> stops() {
    return hops().map(h -> new Stop(h.type() % 2, h.peer(), h.limit(), h.status()));
  }

  @Property(tries = 300)
  void hop_roundTrips(@ForAll("hops") Hop hop) throws Exception {
    byte[] wire = hop.encode();
    assertArrayEquals(wire, Hop.decode(wire).encode());
  }

  @Property(tries = 300)
  void stop_roundTrips(@ForAll("stops") Stop stop) throws Exception {
    byte[] wire = stop.encode();
    assertArrayEquals(wire, Stop.decode(wire).encode());
  }

  @Property(tries = 100)
  void voucher_roundTrips(@ForAll @Size(min = 1, max = 64) byte[] relay, @ForAll @Size(min = 1, max = 64) byte[] peer,
      @ForAll long expiration) throws Exception {
    Voucher v = new Voucher(relay, peer, expiration);
    assertEquals(v, Voucher.decode(v.encode()));
  }

  @Property(tries = 500)
  void randomBytes_decodeOrFailTyped(@ForAll @Size(max = 600) byte[] noise) {
    decodeAll(noise);
  }

  @Property(tries = 500)
  void mutatedMessages_decodeOrFailTyped(@ForAll("hops") Hop hop, @ForAll @IntRange(min = 0, max = 5000) int position,
      @ForAll byte xor, @ForAll @IntRange(min = 0, max = 3) int cut) {
    byte[] wire = hop.encode();
    wire[position % wire.length] ^= xor;
    decodeAll(java.util.Arrays.copyOf(wire, Math.max(0, wire.length - cut)));
  }

  /** Every decoder either decodes or throws RelayException: nothing else escapes. */
  private static void decodeAll(byte[] bytes) {
    for (ThrowingDecoder d : new ThrowingDecoder[] {Hop::decode, Stop::decode, Voucher::decode, Voucher::open}) {
      try {
        d.decode(bytes);
      } catch (RelayException expected) {
        assertEquals(RelayException.Status.MALFORMED_MESSAGE, expected.status());
      }
    }
  }

  @FunctionalInterface
  interface ThrowingDecoder {
    Object decode(byte[] b) throws RelayException;
  }
}
