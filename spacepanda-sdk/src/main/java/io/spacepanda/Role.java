package io.spacepanda;

/**
 * The role of a member in a space, which decides what space metadata the member may change.
 *
 * <p>Rights in this version (checked on every replica against the roles in force at the
 * operation's position in the space's metadata order):
 *
 * <ul>
 *   <li>{@link #OWNER}: at most one; first the space's creator. It can be neither demoted nor
 *       removed; it may hand the role to another member ({@link Space#transferOwnership}, then it
 *       is an admin) or leave (then the space has no owner for good, see {@link
 *       SpaceGovernance}). May do everything below, and demote or remove admins.
 *   <li>{@link #ADMIN}: may admit members, create, rename and delete channels, rename the space,
 *       remove members whose role is {@link #MEMBER}, promote a {@link #MEMBER} to {@link #ADMIN},
 *       and step down to {@link #MEMBER} itself. May not demote or remove another admin.
 *   <li>{@link #MEMBER}: may leave the space and update its own contact details, nothing else.
 * </ul>
 *
 * <p>Only the owner can make another member {@link #OWNER}, by transferring the role. A member
 * who leaves or is removed and is later admitted again comes back as {@link #MEMBER}.
 *
 * <p>The owner and the admins are also the committers of the space's MLS groups: every member
 * refuses a commit from anyone else (see README, "Who commits").
 */
public enum Role {
  /** The space's owner (first its creator): every right. */
  OWNER,
  /** A member trusted to manage channels and ordinary members. */
  ADMIN,
  /** An ordinary member: reads and writes channels, changes no space metadata but its own. */
  MEMBER
}
