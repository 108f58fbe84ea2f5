/**
 * Spaces: the metadata of a space as a conflict-free replicated state, and the invite flow.
 *
 * <p>A space has one control MLS group; its application messages carry {@link
 * io.spacepanda.internal.space.SpaceOp}s (channel created, renamed or deleted, role set, member
 * joined, left or removed, space renamed, contact updated). {@link
 * io.spacepanda.internal.space.SpaceState} merges them: it evaluates the set of operations in the
 * order (Lamport, author PeerId, operation id), checks each against the roles in force at its
 * position ({@link io.spacepanda.Role}), and so converges on every replica that holds the same
 * set; {@link io.spacepanda.internal.space.SpaceView} is an immutable snapshot of the result.
 *
 * <p>Joining: {@link io.spacepanda.internal.space.InviteCode} is the text code an inviter hands
 * out; the joiner sends a {@link io.spacepanda.internal.space.JoinRequest} (secret, contact,
 * KeyPackages) sealed to the inviter's inbox key and gets a {@link
 * io.spacepanda.internal.space.JoinResponse} (Welcomes, metadata log, members) or a refusal.
 *
 * <p>This package knows nothing of MLS, envelopes, transport or storage: KeyPackages and Welcomes
 * are opaque bytes, and the caller checks that an operation's author is the MLS sender that
 * delivered it. All limits are in {@link io.spacepanda.internal.space.SpaceConstants}; every
 * decoder is strict and bounded and reports bad input as {@link
 * io.spacepanda.internal.space.SpaceDecodeException} (or {@link
 * io.spacepanda.InvalidInviteException} for invite codes).
 */
package io.spacepanda.internal.space;
