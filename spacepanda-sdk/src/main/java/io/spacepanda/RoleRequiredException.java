package io.spacepanda;

import java.util.Optional;

/**
 * This node's role in the space does not allow the operation: a {@link Role#MEMBER} inviting,
 * removing someone, creating or renaming a channel or changing a role; an admin removing an admin
 * or the owner; anyone but the owner transferring ownership. See {@link Role} for who may do what.
 *
 * <p>It extends {@link IllegalStateException}, the type such calls failed with before it existed.
 */
public class RoleRequiredException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** This node's role when it asked, or null if it had none. */
  private final Role role;

  /**
   * Creates the exception.
   *
   * @param role this node's role when it asked, or null if it had none
   * @param message what was refused and which role would allow it
   */
  public RoleRequiredException(Role role, String message) {
    super(message);
    this.role = role;
  }

  /**
   * Returns this node's role when the operation was refused.
   *
   * @return the role, or empty if this node had none (no longer a member)
   */
  public Optional<Role> role() {
    return Optional.ofNullable(role);
  }
}
