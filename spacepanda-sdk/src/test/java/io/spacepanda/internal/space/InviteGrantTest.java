package io.spacepanda.internal.space;

import static io.spacepanda.internal.space.SpaceFixtures.SPACE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.crypto.IdentityKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class InviteGrantTest {

  private static final IdentityKey KEY = InviteCodeTest.key(7);
  private static final Contact INVITER = new Contact(KEY.peerId(), new byte[32],
      List.of("/ip4/10.0.0.7/tcp/4001"));
  private static final byte[] HASH = SpaceOp.sha256(new byte[] {1});

  private static InviteGrant grant() {
    return InviteGrant.sign(SPACE, HASH, 1_900_000_000L, INVITER,
        List.of(SpaceFixtures.contact(SpaceFixtures.BOB)), KEY);
  }

  @Test
  void sign_verifies_andRoundTrips() throws Exception {
    InviteGrant g = grant();
    assertTrue(g.verifies());
    InviteGrant back = InviteGrant.decode(g.encode());
    assertEquals(g, back);
    assertTrue(back.verifies());
    assertArrayEquals(g.encode(), back.encode());
    assertTrue(back.isFor(HASH));
    assertFalse(back.isFor(new byte[32]));
  }

  @Test
  void signature_isOverTheLabelAndTheGrantWithoutItsSignature() {
    InviteGrant g = grant();
    byte[] enc = g.encode();
    byte[] unsigned = Arrays.copyOf(enc, enc.length - IdentityKey.SIGNATURE_LENGTH);
    byte[] label = (InviteGrant.LABEL).getBytes(StandardCharsets.US_ASCII);
    byte[] tbs = Arrays.copyOf(label, label.length + 1 + unsigned.length);
    System.arraycopy(unsigned, 0, tbs, label.length + 1, unsigned.length);
    assertTrue(IdentityKey.verify(KEY.peerId(), tbs, g.signature()));
    // the same bytes without the label do not verify: no cross-use with other signatures
    assertFalse(IdentityKey.verify(KEY.peerId(), unsigned, g.signature()));
  }

  @Test
  void of_outOfBounds_orWrongKey_fails() {
    List<Contact> none = List.of();
    assertThrows(IllegalArgumentException.class,
        () -> InviteGrant.of(SPACE, new byte[31], 1, INVITER, none, new byte[64]));
    assertThrows(IllegalArgumentException.class,
        () -> InviteGrant.of(SPACE, HASH, -1, INVITER, none, new byte[64]));
    assertThrows(IllegalArgumentException.class,
        () -> InviteGrant.of(SPACE, HASH, 1, INVITER, none, new byte[63]));
    assertThrows(IllegalArgumentException.class, () -> InviteGrant.of(SPACE, HASH, 1, INVITER,
        List.of(INVITER), new byte[64]));
    assertThrows(IllegalArgumentException.class,
        () -> InviteGrant.sign(SPACE, HASH, 1, INVITER, none, InviteCodeTest.key(8)));
    assertFalse(InviteGrant.of(SPACE, HASH, 1, INVITER, none, new byte[64]).verifies());
  }

  @Test
  void decode_wrongVersionTrailingOrTooLong_failsTyped() {
    byte[] enc = grant().encode();
    byte[] v3 = enc.clone();
    v3[0] = 3;
    byte[] trailing = Arrays.copyOf(enc, enc.length + 1);
    for (byte[] bad : List.of(v3, trailing, Arrays.copyOf(enc, enc.length - 1), new byte[0],
        new byte[SpaceConstants.MAX_INVITE_GRANT_BYTES + 1])) {
      assertThrows(SpaceDecodeException.class, () -> InviteGrant.decode(bad));
    }
  }

  @Property(tries = 200)
  void decode_encode_roundTripsAny(@ForAll("grants") InviteGrant g) throws Exception {
    InviteGrant back = InviteGrant.decode(g.encode());
    assertEquals(g, back);
    assertArrayEquals(g.encode(), back.encode());
    assertTrue(back.verifies());
  }

  @Property(tries = 1000)
  void decode_randomBytes_failsTypedOrIsCanonical(@ForAll @Size(max = 400) byte[] bytes) {
    checkStrict(bytes, null);
    byte[] prefixed = Arrays.copyOf(new byte[] {4}, bytes.length + 1);
    System.arraycopy(bytes, 0, prefixed, 1, bytes.length);
    checkStrict(prefixed, null);
  }

  @Property(tries = 500)
  void decode_mutated_failsTypedOrNoLongerVerifies(@ForAll("grants") InviteGrant g,
      @ForAll @IntRange(min = 0, max = 5000) int at, @ForAll byte value,
      @ForAll boolean truncate) {
    byte[] b = g.encode();
    int i = at % b.length;
    if (truncate) {
      b = Arrays.copyOf(b, i);
    } else {
      b[i] = value;
    }
    checkStrict(b, g.encode());
  }

  /**
   * Decoding fails typed, or yields a grant whose encoding is the input; a grant that differs
   * from {@code original} never verifies.
   */
  private static void checkStrict(byte[] bytes, byte[] original) {
    InviteGrant g;
    try {
      g = InviteGrant.decode(bytes);
    } catch (SpaceDecodeException e) {
      return;
    }
    assertArrayEquals(bytes, g.encode());
    if (original != null && !Arrays.equals(bytes, original)) {
      assertFalse(g.verifies(), "an altered grant verified");
    }
  }

  @Provide
  Arbitrary<InviteGrant> grants() {
    return SpaceArbitraries.inviteGrants();
  }
}
