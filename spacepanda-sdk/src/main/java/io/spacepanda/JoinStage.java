package io.spacepanda;

/**
 * How far a join by invite code has come, as {@link SpacePandaListener#onJoinProgress} reports it.
 *
 * <p>A join is durable: its request and its keys are stored, so it goes on after a restart of the
 * joining node and completes when the inviter is back online before the deadline.
 */
public enum JoinStage {
  /** The join request is stored and queued for the inviter. */
  REQUESTED,
  /** The inviter's node is connected; the request is on its way or was delivered. */
  INVITER_REACHED,
  /** The inviter's answer was applied: this node is a member of the space. */
  JOINED,
  /** The inviter refused the invite (expired, used or unknown). */
  REFUSED,
  /** No answer came before the deadline; the request was withdrawn. */
  TIMED_OUT
}
