package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.internal.space.InviteGrant;
import io.spacepanda.internal.space.JoinRequest;
import io.spacepanda.internal.space.JoinResponse;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.spi.Id;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * How a manager judges the signed part of a version-4 invite code ({@link InviteGrant}) that a
 * joiner sent with its request, for {@link InviteDesk} (issue 11).
 *
 * <p><b>Design.</b> A grant is <em>genuine</em> when it is for this space and for the secret the
 * request carries, and its signature verifies against the key inlined in the signer's PeerId. A
 * genuine grant names the issuer: the node holding the invite's record, who answers at once, so
 * it is left out of the turn order ({@link #issuer}). It is <em>trusted</em> when, besides, the
 * signer is an owner or admin in this node's view of the space's metadata now ({@link #trusted}):
 * then a manager with no record of the invite (its {@code issue_invite} never arrived) decides at
 * its turn on the grant alone ({@link #refusal}). The role is taken now, not at the time of issue:
 * the code carries no trustworthy time of issue, and a demoted or removed admin still holds its
 * key; so demotion, removal or departure revokes the issuer's unused invites, refused with {@link
 * JoinResponse.Refusal#INVITER_NOT_MANAGER}. A grant that is not genuine counts as none.
 *
 * <p>Stateless; each verification costs one Ed25519 verify (RFC 8032 §5.1.7).
 */
final class InviteGrants {

  private InviteGrants() {}

  /**
   * Why a request for an invite without any record here is refused, judged on its grant alone;
   * null if the grant admits it: genuine, its signer an owner or admin now, not expired at
   * {@code now}. A missing grant or one that is not genuine is {@link
   * JoinResponse.Refusal#UNKNOWN}.
   */
  static JoinResponse.Refusal refusal(JoinRequest r, byte[] hash, Id spaceId, SpaceState meta,
      Instant now) {
    InviteGrant g = genuine(r, hash, spaceId);
    if (g == null) {
      return JoinResponse.Refusal.UNKNOWN;
    }
    if (!isManager(meta, g.inviter().peer())) {
      return JoinResponse.Refusal.INVITER_NOT_MANAGER;
    }
    if (g.isExpired(now)) {
      return JoinResponse.Refusal.EXPIRED;
    }
    return null;
  }

  /**
   * The request's grant if it lets a manager decide now without a record of the invite: genuine,
   * and its signer an owner or admin now; else null (then the {@code issue_invite}, or the
   * signer's promotion, may still come by sync).
   */
  static InviteGrant trusted(JoinRequest r, byte[] hash, Id spaceId, SpaceState meta) {
    InviteGrant g = genuine(r, hash, spaceId);
    return g != null && isManager(meta, g.inviter().peer()) ? g : null;
  }

  /**
   * Who issued the invite, as far as this node can tell: the signer of a genuine grant (whatever
   * its role), else the issuer recorded in the space's metadata (this node itself when it
   * published the issue in a signer's stead), else null.
   */
  static PeerId issuer(JoinRequest r, byte[] hash, Id spaceId,
      Optional<SpaceState.Invite> recorded) {
    InviteGrant g = genuine(r, hash, spaceId);
    if (g != null) {
      return g.inviter().peer();
    }
    return recorded.map(SpaceState.Invite::issuer).orElse(null);
  }

  /** Whether the peer is an owner or admin of the space now. */
  static boolean isManager(SpaceState meta, PeerId p) {
    Role role = p == null ? null : meta.view().roleOf(p).orElse(null);
    return role == Role.OWNER || role == Role.ADMIN;
  }

  private static InviteGrant genuine(JoinRequest r, byte[] hash, Id spaceId) {
    InviteGrant g = r.grant().orElse(null);
    if (g == null || !Arrays.equals(g.spaceId().bytes(), spaceId.toBytes()) || !g.isFor(hash)
        || !g.verifies()) {
      return null;
    }
    return g;
  }
}
