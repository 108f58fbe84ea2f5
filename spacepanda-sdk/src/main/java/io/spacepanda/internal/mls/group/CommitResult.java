package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.message.GroupInfo;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Welcome;
import java.util.Objects;

/**
 * What {@link Group#commit(CommitOptions)} produced: the commit to send to the group, the Welcome
 * for new members (or null), the new epoch's signed GroupInfo, and the pending next state.
 *
 * <p>The committer's group stays in the old epoch until {@link Group#mergePendingCommit()}.
 *
 * @param commit the commit message for the current members
 * @param welcomeOrNull the Welcome for added members, or null when nobody is added
 * @param groupInfo the signed GroupInfo of the new epoch
 * @param pendingCommit the next state, adopted by {@link Group#mergePendingCommit()}
 */
public record CommitResult(MlsMessage commit, Welcome welcomeOrNull, GroupInfo groupInfo,
    PendingCommit pendingCommit) {

  /**
   * Checks the components.
   *
   * @throws NullPointerException if a required component is null
   */
  public CommitResult {
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(groupInfo, "groupInfo");
    Objects.requireNonNull(pendingCommit, "pendingCommit");
  }
}
