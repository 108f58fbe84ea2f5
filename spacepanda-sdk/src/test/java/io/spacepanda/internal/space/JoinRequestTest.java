package io.spacepanda.internal.space;

import static io.spacepanda.internal.space.SpaceFixtures.ALICE;
import static io.spacepanda.internal.space.SpaceFixtures.BOB;
import static io.spacepanda.internal.space.SpaceFixtures.SPACE;
import static io.spacepanda.internal.space.SpaceFixtures.contact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.crypto.SecretBytes;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class JoinRequestTest {

  private static final InviteCode INVITE = InviteCode.issue(SPACE, contact(ALICE),
      Instant.parse("2030-01-01T00:00:00Z"), new SecureRandom());

  private static JoinRequest request() {
    return JoinRequest.forInvite(INVITE, contact(BOB), new byte[] {1, 2, 3},
        List.of(new byte[] {4, 5}));
  }

  @Test
  void decode_encode_roundTrips() throws Exception {
    JoinRequest back = JoinRequest.decode(request().encode());
    assertEquals(request(), back);
    assertEquals(contact(BOB), back.joiner());
    assertArrayEquals(new byte[] {1, 2, 3}, back.spaceKeyPackage());
    assertArrayEquals(new byte[] {4, 5}, back.channelKeyPackages().get(0));
  }

  @Test
  void secretHash_matchesInvitersStoredHash() throws Exception {
    assertArrayEquals(INVITE.secretHash(), JoinRequest.decode(request().encode()).secretHash());
  }

  @Test
  void toString_neverShowsSecret() {
    String hex = HexFormat.of().formatHex(INVITE.secret().exportSecret());
    assertFalse(request().toString().contains(hex));
  }

  @Test
  void of_outOfBounds_fails() {
    SecretBytes secret = INVITE.secret();
    assertThrows(IllegalArgumentException.class,
        () -> JoinRequest.of(SPACE, secret, contact(BOB), new byte[0], List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> JoinRequest.of(SPACE, secret, contact(BOB), new byte[8193], List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> JoinRequest.of(SPACE, secret, contact(BOB), new byte[1],
            Collections.nCopies(8, new byte[1])));
    assertThrows(IllegalArgumentException.class,
        () -> JoinRequest.of(SPACE, SecretBytes.copyOf(new byte[33]), contact(BOB), new byte[1],
            List.of()));
  }

  @Test
  void decode_responseBytesOrTrailingBytes_fail() {
    byte[] response = JoinResponse.refused(SPACE, JoinResponse.Refusal.EXPIRED).encode();
    byte[] trailing = Arrays.copyOf(request().encode(), request().encode().length + 1);
    assertThrows(SpaceDecodeException.class, () -> JoinRequest.decode(response));
    assertThrows(SpaceDecodeException.class, () -> JoinRequest.decode(trailing));
    assertThrows(SpaceDecodeException.class, () -> JoinRequest.decode(new byte[2 << 20]));
  }

  private static final InviteCode SIGNED = InviteCode.signed(SPACE, new Contact(
      InviteCodeTest.key(2).peerId(), new byte[32], List.of()), List.of(contact(BOB)),
      INVITE.secret(), Instant.parse("2030-01-01T00:00:00Z"), InviteCodeTest.key(2));

  @Test
  void signedInvite_requestCarriesItsGrant_asVersionTwo() throws Exception {
    JoinRequest r = JoinRequest.forInvite(SIGNED, contact(BOB), new byte[] {1}, List.of());
    byte[] enc = r.encode();
    assertEquals(SpaceConstants.JOIN_VERSION_GRANT, enc[0]);
    JoinRequest back = JoinRequest.decode(enc);
    assertEquals(r, back);
    assertEquals(SIGNED.grant(), back.grant());
    assertEquals(SpaceConstants.JOIN_VERSION, request().encode()[0], "unsigned: version 1");
    assertTrue(request().grant().isEmpty());
  }

  @Test
  void grantOfAnotherSpaceOrSecret_isRefused() {
    InviteGrant grant = SIGNED.grant().orElseThrow();
    assertThrows(IllegalArgumentException.class, () -> JoinRequest.of(SPACE,
        SecretBytes.copyOf(new byte[16]), contact(BOB), new byte[1], List.of(), grant));
    SpaceId other = SpaceId.of(SpaceFixtures.filled(0x11));
    assertThrows(IllegalArgumentException.class, () -> JoinRequest.of(other, INVITE.secret(),
        contact(BOB), new byte[1], List.of(), grant));
    // The same mismatch on the wire: a version-1 request with a grant appended, then its secret
    // changed, fails typed.
    byte[] plain = JoinRequest.of(SPACE, SecretBytes.copyOf(new byte[16]), contact(BOB),
        new byte[1], List.of()).encode();
    byte[] g = grant.encode();
    byte[] wire = Arrays.copyOf(plain, plain.length + 2 + g.length);
    wire[0] = (byte) SpaceConstants.JOIN_VERSION_GRANT;
    wire[plain.length] = (byte) (g.length >> 8);
    wire[plain.length + 1] = (byte) g.length;
    System.arraycopy(g, 0, wire, plain.length + 2, g.length);
    SpaceDecodeException e = assertThrows(SpaceDecodeException.class,
        () -> JoinRequest.decode(wire));
    assertTrue(e.getMessage().contains("secret"), e.getMessage());
  }

  @Property(tries = 300)
  void decode_encode_roundTripsAny(@ForAll("requests") JoinRequest request) throws Exception {
    JoinRequest back = JoinRequest.decode(request.encode());
    assertEquals(request, back);
    assertArrayEquals(request.encode(), back.encode());
  }

  @Property(tries = 1000)
  void decode_randomBytes_failsTypedOrIsCanonical(@ForAll @Size(max = 300) byte[] bytes) {
    checkStrict(bytes);
    byte[] prefixed = Arrays.copyOf(new byte[] {1, 1}, bytes.length + 2);
    System.arraycopy(bytes, 0, prefixed, 2, bytes.length);
    checkStrict(prefixed);
  }

  @Property(tries = 1000)
  void decode_mutated_failsTypedOrIsCanonical(@ForAll("requests") JoinRequest request,
      @ForAll @IntRange(min = 0, max = 5000) int at, @ForAll byte value,
      @ForAll boolean truncate) {
    byte[] b = request.encode();
    int i = at % b.length;
    if (truncate) {
      b = Arrays.copyOf(b, i);
    } else {
      b[i] = value;
    }
    checkStrict(b);
  }

  private static void checkStrict(byte[] bytes) {
    JoinRequest r;
    try {
      r = JoinRequest.decode(bytes);
    } catch (SpaceDecodeException e) {
      return;
    }
    assertArrayEquals(bytes, r.encode());
  }

  @Provide
  Arbitrary<JoinRequest> requests() {
    return SpaceArbitraries.joinRequests();
  }
}
