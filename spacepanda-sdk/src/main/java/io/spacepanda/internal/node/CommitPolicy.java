package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.internal.channel.GroupChannel;

/**
 * The one place that decides who commits a group: every check of "may this node commit here?" and
 * "who should receive a proposal?" goes through it.
 *
 * <p>MLS needs one commit per epoch; without a server the node must agree on who makes it.
 * Today's rule is {@link #ownerOnly()}: the group's creator (the channel or space owner) is its
 * single committer, and the others send proposals. Admin committers and a fallback when the
 * committer is silent replace this implementation, not its callers.
 */
interface CommitPolicy {

  /**
   * Says whether a member may commit the group now.
   *
   * @param group the group
   * @param member the member asking
   * @return true if its commits are to be made and accepted
   */
  boolean mayCommit(GroupChannel group, PeerId member);

  /**
   * Returns the member expected to commit the group's next epoch.
   *
   * @param group the group
   * @return the committer
   */
  PeerId committer(GroupChannel group);

  /**
   * Returns the single-committer rule: the group's owner commits.
   *
   * @return the policy
   */
  static CommitPolicy ownerOnly() {
    return new CommitPolicy() {
      @Override
      public boolean mayCommit(GroupChannel group, PeerId member) {
        return group.owner().equals(member);
      }

      @Override
      public PeerId committer(GroupChannel group) {
        return group.owner();
      }

      @Override
      public String toString() {
        return "CommitPolicy.ownerOnly";
      }
    };
  }
}
