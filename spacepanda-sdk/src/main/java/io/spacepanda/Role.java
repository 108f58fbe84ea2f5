package io.spacepanda;

/**
 * The role of a member in a space, which decides what space metadata the member may change.
 *
 * <p>Rights in this version (checked on every replica against the roles in force at the
 * operation's position in the space's metadata order):
 *
 * <ul>
 *   <li>{@link #OWNER}: the space's creator, exactly one, fixed for the life of the space (it can be
 *       neither demoted, removed, nor leave). May do everything below.
 *   <li>{@link #ADMIN}: may admit members, create, rename and delete channels, rename the space,
 *       remove members whose role is {@link #MEMBER}, promote a {@link #MEMBER} to {@link #ADMIN},
 *       and step down to {@link #MEMBER} itself. May not demote or remove another admin.
 *   <li>{@link #MEMBER}: may leave the space and update its own contact details, nothing else.
 * </ul>
 *
 * <p>Nobody can make another member {@link #OWNER}. A member who leaves or is removed and is later
 * admitted again comes back as {@link #MEMBER}.
 */
public enum Role {
  /** The space's creator: every right, fixed for the life of the space. */
  OWNER,
  /** A member trusted to manage channels and ordinary members. */
  ADMIN,
  /** An ordinary member: reads and writes channels, changes no space metadata but its own. */
  MEMBER
}
