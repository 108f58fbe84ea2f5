package io.spacepanda;

/**
 * Who can still manage a space: what {@link Space#governance()} reports and {@link
 * SpacePandaListener#onGovernanceChanged} announces.
 *
 * <p>Chat never depends on it: in every state members read and write the channels they are in,
 * rotate their keys and leave.
 */
public enum SpaceGovernance {
  /** The space has an owner; the owner and the admins manage it. */
  OWNED,
  /**
   * The owner left; the admins keep every right but ownership (they invite, remove members, create
   * and rename channels, promote members). Nobody can become owner again.
   */
  ADMINS_ONLY,
  /**
   * The owner and every admin left: nobody can invite, remove a member, create or rename a
   * channel or change a role any more, for good. Members still chat, rotate their keys and leave;
   * the commits those need are made by the remaining members in turn (see README, "Who commits").
   * To go on growing, members create a new space.
   */
  UNMANAGED
}
