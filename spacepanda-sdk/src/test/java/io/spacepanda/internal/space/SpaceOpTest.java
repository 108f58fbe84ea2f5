package io.spacepanda.internal.space;

import static io.spacepanda.internal.space.SpaceFixtures.ALICE;
import static io.spacepanda.internal.space.SpaceFixtures.OWNER;
import static io.spacepanda.internal.space.SpaceFixtures.SPACE;
import static io.spacepanda.internal.space.SpaceFixtures.channel;
import static io.spacepanda.internal.space.SpaceFixtures.contact;
import static io.spacepanda.internal.space.SpaceFixtures.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.Role;
import io.spacepanda.internal.space.SpaceOp.CreateChannel;
import io.spacepanda.internal.space.SpaceOp.MemberLeft;
import io.spacepanda.internal.space.SpaceOp.RenameChannel;
import io.spacepanda.internal.space.SpaceOp.RenameSpace;
import io.spacepanda.internal.space.SpaceOp.SetRole;
import io.spacepanda.internal.space.SpaceOp.UpdateContact;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SpaceOpTest {

  @Test
  void encode_renameSpace_knownBytes() {
    byte[] encoded = op(OWNER, 1, new RenameSpace("Team")).encode();
    String hex = HexFormat.of().formatHex(encoded);
    assertEquals("0108" + "5a".repeat(16) + "26" + HexFormat.of().formatHex(OWNER.bytes())
        + "0000000000000001" + "04" + "5465616d", hex);
  }

  @Test
  void id_isTruncatedSha256OfEncoding() {
    SpaceOp op = op(OWNER, 1, new RenameSpace("Team"));
    assertArrayEquals(Arrays.copyOf(SpaceOp.sha256(op.encode()), 16), op.id().bytes());
  }

  @Test
  void id_differsWhenAnyPartDiffers() {
    SpaceOp a = op(OWNER, 1, new RenameSpace("Team"));
    assertNotEquals(a.id(), op(OWNER, 2, new RenameSpace("Team")).id());
    assertNotEquals(a.id(), op(ALICE, 1, new RenameSpace("Team")).id());
    assertNotEquals(a.id(), op(OWNER, 1, new RenameSpace("Teams")).id());
    assertNotEquals(a.id(),
        SpaceOp.of(SpaceId.of(SpaceFixtures.filled(7)), OWNER, 1, new RenameSpace("Team")).id());
  }

  @Test
  void order_isLamportThenAuthorThenId() {
    SpaceOp low = op(ALICE, 1, new RenameSpace("b"));
    SpaceOp high = op(OWNER, 2, new RenameSpace("a"));
    assertTrue(low.compareTo(high) < 0);
    SpaceOp byOwner = op(OWNER, 3, new RenameSpace("z"));
    SpaceOp byAlice = op(ALICE, 3, new RenameSpace("a"));
    assertEquals(Integer.signum(OWNER.compareTo(ALICE)), Integer.signum(byOwner.compareTo(byAlice)));
  }

  @Test
  void of_badLamportOrForeignContactUpdate_fails() {
    assertThrows(IllegalArgumentException.class, () -> op(OWNER, 0, new RenameSpace("a")));
    assertThrows(IllegalArgumentException.class,
        () -> op(OWNER, SpaceConstants.MAX_LAMPORT + 1, new RenameSpace("a")));
    assertThrows(IllegalArgumentException.class,
        () -> op(OWNER, 1, new UpdateContact(contact(ALICE))));
  }

  @Test
  void bodies_badNamesKindsAndTags_fail() {
    assertThrows(IllegalArgumentException.class, () -> new RenameSpace(""));
    assertThrows(IllegalArgumentException.class, () -> new RenameSpace("a\nb"));
    assertThrows(IllegalArgumentException.class, () -> new RenameSpace("\ud800"));
    assertThrows(IllegalArgumentException.class, () -> new RenameSpace("é".repeat(51)));
    new RenameSpace("é".repeat(50));
    assertThrows(IllegalArgumentException.class, () -> new CreateChannel(channel(1), "a", 256));
    assertThrows(IllegalArgumentException.class, () -> new MemberLeft(List.of()));
  }

  @Test
  void memberLeft_sortsAndDedupsTags() {
    OpId a = OpId.of(SpaceFixtures.filled(1));
    OpId b = OpId.of(SpaceFixtures.filled(2));
    assertEquals(List.of(a, b), new MemberLeft(List.of(b, a, b)).observedJoins());
  }

  @Test
  void decode_everyBodyType_roundTrips() throws Exception {
    OpId tag = OpId.of(SpaceFixtures.filled(3));
    List<SpaceOp.Body> bodies = List.of(
        new CreateChannel(channel(1), "général", 0),
        new RenameChannel(channel(1), "日本"),
        new SpaceOp.DeleteChannel(channel(1)),
        new SetRole(ALICE, Role.ADMIN),
        new SpaceOp.MemberJoined(contact(ALICE)),
        new MemberLeft(List.of(tag)),
        new SpaceOp.MemberRemoved(ALICE, List.of(tag)),
        new RenameSpace("Team"),
        new UpdateContact(contact(OWNER)),
        new SpaceOp.IssueInvite(new byte[32], SpaceConstants.MAX_EXPIRY_SECONDS),
        new SpaceOp.RedeemInvite(new byte[32], ALICE));
    for (SpaceOp.Body body : bodies) {
      SpaceOp op = op(OWNER, 42, body);
      SpaceOp back = SpaceOp.decode(op.encode());
      assertEquals(op, back);
      assertEquals(body, back.body());
      assertEquals(op.id(), back.id());
    }
  }

  @Test
  void inviteBodies_badIdOrExpiry_failTyped() {
    assertThrows(IllegalArgumentException.class, () -> new SpaceOp.IssueInvite(new byte[31], 1));
    assertThrows(IllegalArgumentException.class, () -> new SpaceOp.IssueInvite(new byte[32], -1));
    assertThrows(IllegalArgumentException.class,
        () -> new SpaceOp.IssueInvite(new byte[32], SpaceConstants.MAX_EXPIRY_SECONDS + 1));
    assertThrows(IllegalArgumentException.class, () -> new SpaceOp.RedeemInvite(new byte[33], ALICE));
    byte[] good = op(OWNER, 1, new SpaceOp.IssueInvite(new byte[32], 5)).encode();
    byte[] farExpiry = good.clone();
    farExpiry[good.length - 8] = (byte) 0x80;
    assertThrows(SpaceDecodeException.class, () -> SpaceOp.decode(farExpiry));
    assertThrows(SpaceDecodeException.class,
        () -> SpaceOp.decode(Arrays.copyOf(good, good.length - 1)));
  }

  @Test
  void decode_malformed_failsTyped() {
    byte[] good = op(OWNER, 1, new RenameSpace("Team")).encode();
    byte[] badVersion = good.clone();
    badVersion[0] = 2;
    byte[] badType = good.clone();
    badType[1] = 10;
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    byte[] zeroLamport = good.clone();
    zeroLamport[2 + 16 + 1 + 38 + 7] = 0;
    byte[] badUtf8 = good.clone();
    badUtf8[good.length - 1] = (byte) 0xff;
    byte[] control = good.clone();
    control[good.length - 1] = 0x07;
    for (byte[] bad : List.of(badVersion, badType, trailing, zeroLamport, badUtf8, control,
        new byte[0], Arrays.copyOf(good, good.length - 1), new byte[5000])) {
      assertThrows(SpaceDecodeException.class, () -> SpaceOp.decode(bad));
    }
  }

  @Test
  void decode_unsortedTags_fails() {
    OpId a = OpId.of(SpaceFixtures.filled(1));
    OpId b = OpId.of(SpaceFixtures.filled(2));
    byte[] encoded = op(OWNER, 1, new MemberLeft(List.of(a, b))).encode();
    int tagsAt = encoded.length - 32;
    byte[] swapped = encoded.clone();
    System.arraycopy(encoded, tagsAt + 16, swapped, tagsAt, 16);
    System.arraycopy(encoded, tagsAt, swapped, tagsAt + 16, 16);
    assertThrows(SpaceDecodeException.class, () -> SpaceOp.decode(swapped));
    byte[] repeated = encoded.clone();
    System.arraycopy(encoded, tagsAt, repeated, tagsAt + 16, 16);
    assertThrows(SpaceDecodeException.class, () -> SpaceOp.decode(repeated));
  }

  @Test
  void decode_nameOf101Bytes_fails() {
    byte[] good = op(OWNER, 1, new RenameSpace("x".repeat(100))).encode();
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    longer[good.length - 101] = 101;
    longer[good.length] = 'x';
    assertThrows(SpaceDecodeException.class, () -> SpaceOp.decode(longer));
    assertEquals("x".repeat(100), new String(Arrays.copyOfRange(good, good.length - 100,
        good.length), StandardCharsets.UTF_8));
  }

  @Property(tries = 300)
  void decode_encode_roundTrips(@ForAll("ops") SpaceOp op) throws Exception {
    SpaceOp back = SpaceOp.decode(op.encode());
    assertEquals(op, back);
    assertEquals(op.body(), back.body());
    assertEquals(op.id(), back.id());
    assertEquals(0, op.compareTo(back));
  }

  @Property(tries = 1000)
  void decode_randomBytes_failsTypedOrReEncodesIdentically(
      @ForAll @Size(max = 200) byte[] bytes) {
    checkStrict(bytes);
  }

  @Property(tries = 1000)
  void decode_mutatedOp_failsTypedOrReEncodesIdentically(@ForAll("ops") SpaceOp op,
      @ForAll @IntRange(min = 0, max = 4095) int at, @ForAll byte value,
      @ForAll @IntRange(min = 0, max = 2) int how) {
    byte[] b = op.encode();
    int i = at % b.length;
    byte[] mutated;
    if (how == 0) {
      mutated = b.clone();
      mutated[i] = value;
    } else if (how == 1) {
      mutated = Arrays.copyOf(b, i);
    } else {
      mutated = new byte[b.length + 1];
      System.arraycopy(b, 0, mutated, 0, i);
      mutated[i] = value;
      System.arraycopy(b, i, mutated, i + 1, b.length - i);
    }
    checkStrict(mutated);
  }

  /** Decoding either fails with the typed exception or yields an op that encodes to the input. */
  private static void checkStrict(byte[] bytes) {
    SpaceOp op;
    try {
      op = SpaceOp.decode(bytes);
    } catch (SpaceDecodeException e) {
      return;
    }
    assertArrayEquals(bytes, op.encode());
  }

  @Provide
  Arbitrary<SpaceOp> ops() {
    return SpaceArbitraries.ops();
  }
}
