package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.crypto.KeyFormatException;
import io.spacepanda.internal.crypto.SecretBytes;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.InviteCode;
import io.spacepanda.internal.space.InviteGrant;
import io.spacepanda.internal.space.JoinRequest;
import io.spacepanda.internal.space.JoinResponse.Refusal;
import io.spacepanda.internal.space.SpaceId;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.spi.Id;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a fallback admin judges a join request for an invite it has no record of, on the signed
 * grant alone ({@link InviteGrants.refusal}): the signer's role is taken now.
 */
class InviteGrantsTest {

  private static final SpaceId SPACE = SpaceId.of(filled(0x5a));
  private static final Id SPACE_ID = Id.of(filled(0x5a));
  private static final Instant NOW = Instant.parse("2027-01-01T00:00:00Z");
  private static final Instant EXPIRY = NOW.plusSeconds(3600);
  private static final IdentityKey OWNER = key(1);
  private static final IdentityKey ADMIN = key(2);
  private static final IdentityKey MEMBER = key(3);
  private static final IdentityKey STRANGER = key(4);
  private static final Contact JOINER = contact(key(9).peerId());

  private static byte[] filled(int b) {
    byte[] out = new byte[16];
    Arrays.fill(out, (byte) b);
    return out;
  }

  private static IdentityKey key(int n) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) n);
    try {
      return IdentityKey.fromSeed(SecretBytes.copyOf(seed));
    } catch (KeyFormatException e) {
      throw new AssertionError(e);
    }
  }

  private static Contact contact(PeerId p) {
    return new Contact(p, new byte[32], List.of());
  }

  /** Alice owns the space, Bob is an admin, Carol a member; then the extra operations. */
  private static SpaceState state(SpaceOp.Body... more) {
    PeerId owner = OWNER.peerId();
    SpaceState s = new SpaceState(SPACE, owner);
    s.apply(s.newOp(owner, new SpaceOp.MemberJoined(contact(ADMIN.peerId()))));
    s.apply(s.newOp(owner, new SpaceOp.SetRole(ADMIN.peerId(), Role.ADMIN)));
    s.apply(s.newOp(owner, new SpaceOp.MemberJoined(contact(MEMBER.peerId()))));
    for (SpaceOp.Body b : more) {
      s.apply(s.newOp(owner, b));
    }
    return s;
  }

  private static InviteCode code(IdentityKey signer, Instant expiry) {
    PeerId fallback = signer == ADMIN ? OWNER.peerId() : ADMIN.peerId();
    return InviteCode.signed(SPACE, contact(signer.peerId()), List.of(contact(fallback)),
        SecretBytes.copyOf(filled(7)), expiry, signer);
  }

  private static JoinRequest request(InviteCode code) {
    return JoinRequest.forInvite(code, JOINER, new byte[] {1}, List.of(new byte[] {2}));
  }

  private static Refusal judge(InviteCode code, SpaceState meta) {
    JoinRequest r = request(code);
    return InviteGrants.refusal(r, r.secretHash(), SPACE_ID, meta, NOW);
  }

  @Test
  void signedByTheOwnerOrAnAdmin_isAdmitted() {
    assertNull(judge(code(OWNER, EXPIRY), state()));
    assertNull(judge(code(ADMIN, EXPIRY), state()));
  }

  @Test
  void signedByAMemberOrAStranger_isRefused() {
    assertEquals(Refusal.INVITER_NOT_MANAGER, judge(code(MEMBER, EXPIRY), state()));
    assertEquals(Refusal.INVITER_NOT_MANAGER, judge(code(STRANGER, EXPIRY), state()));
  }

  @Test
  void signerDemotedOrRemovedSince_isRefused() {
    assertEquals(Refusal.INVITER_NOT_MANAGER, judge(code(ADMIN, EXPIRY),
        state(new SpaceOp.SetRole(ADMIN.peerId(), Role.MEMBER))));
    SpaceState s = state();
    SpaceOp removal = s.newOp(OWNER.peerId(), s.removalOf(ADMIN.peerId()).orElseThrow());
    s.apply(removal);
    assertEquals(Refusal.INVITER_NOT_MANAGER, judge(code(ADMIN, EXPIRY), s));
  }

  @Test
  void expired_isRefused() {
    assertEquals(Refusal.EXPIRED, judge(code(OWNER, NOW), state()));
    assertNull(judge(code(OWNER, NOW.plusSeconds(1)), state()));
  }

  @Test
  void noGrant_badSignature_orAnotherSpace_isUnknown() {
    InviteCode signed = code(OWNER, EXPIRY);
    InviteCode unsigned = InviteCode.of(SPACE, signed.inviter(), signed.admins(), signed.secret(),
        EXPIRY);
    assertEquals(Refusal.UNKNOWN, judge(unsigned, state()));
    // A request whose grant was altered after the joiner parsed the code (the expiry pushed on).
    InviteGrant g = signed.grant().orElseThrow();
    InviteGrant altered = InviteGrant.of(SPACE, g.secretHash(), g.expiresAtSeconds() + 86_400,
        g.inviter(), g.admins(), g.signature());
    JoinRequest r = JoinRequest.of(SPACE, signed.secret(), JOINER, new byte[] {1},
        List.of(new byte[] {2}), altered);
    assertEquals(Refusal.UNKNOWN,
        InviteGrants.refusal(r, r.secretHash(), SPACE_ID, state(), NOW));
    // A genuine grant of another space of the same owner.
    SpaceId other = SpaceId.of(filled(0x11));
    InviteCode elsewhere = InviteCode.signed(other, signed.inviter(), signed.admins(),
        signed.secret(), EXPIRY, OWNER);
    JoinRequest r2 = request(elsewhere);
    assertEquals(Refusal.UNKNOWN,
        InviteGrants.refusal(r2, r2.secretHash(), SPACE_ID, state(), NOW));
  }
}
