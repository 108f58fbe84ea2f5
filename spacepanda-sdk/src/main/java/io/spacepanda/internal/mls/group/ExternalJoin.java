package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.message.MlsMessage;
import java.util.Objects;

/**
 * The result of {@link Group#joinByExternalCommit}: the external commit to send to the group and
 * the joiner's group in the epoch that commit starts.
 *
 * <p>Use the group only once the commit is accepted by the group's delivery order; if another
 * commit wins, drop both and try again with a fresh GroupInfo.
 *
 * @param commit the external commit (a PublicMessage from a new_member_commit sender)
 * @param group the joiner's group in the new epoch
 */
public record ExternalJoin(MlsMessage commit, Group group) {

  /**
   * Checks the components.
   *
   * @throws NullPointerException if a component is null
   */
  public ExternalJoin {
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(group, "group");
  }
}
