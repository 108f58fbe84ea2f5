package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.message.Sender;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of {@link Group#process}: an application message, an applied commit or a queued
 * proposal.
 */
public sealed interface ProcessedMessage
    permits ProcessedMessage.ApplicationMessage, ProcessedMessage.CommitApplied,
        ProcessedMessage.ProposalQueued {

  /**
   * Returns the epoch the message was sent in.
   *
   * @return the epoch of the message (for a commit: the epoch it ended)
   */
  long epoch();

  /**
   * A decrypted application message of a current or retained past epoch.
   *
   * <p>The byte arrays are fresh copies the caller may keep.
   *
   * @param epoch the epoch the message was sent in
   * @param senderLeaf the sender's leaf index in that epoch
   * @param credential the sender's credential in that epoch
   * @param data the application data
   * @param authenticatedData the sender's authenticated additional data
   */
  record ApplicationMessage(long epoch, int senderLeaf, Credential credential, byte[] data,
      byte[] authenticatedData) implements ProcessedMessage {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if a component is null
     */
    public ApplicationMessage {
      Objects.requireNonNull(credential, "credential");
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(authenticatedData, "authenticatedData");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ApplicationMessage a && a.epoch == epoch && a.senderLeaf == senderLeaf
          && a.credential.equals(credential) && Arrays.equals(a.data, data)
          && Arrays.equals(a.authenticatedData, authenticatedData);
    }

    @Override
    public int hashCode() {
      return Objects.hash(epoch, senderLeaf, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
      return "ApplicationMessage[epoch=" + epoch + ", senderLeaf=" + senderLeaf + ", length="
          + data.length + "]";
    }
  }

  /**
   * A commit that was verified and applied; the group is now in {@code newEpoch}.
   *
   * @param epoch the epoch the commit ended
   * @param committer the committer's leaf index, or -1 for an external sender or new member
   * @param added members added (with their new leaf indices)
   * @param removed members removed (as they were before the commit)
   * @param updated leaf indices whose leaf node changed through an Update proposal or the path
   * @param selfRemoved whether this member was removed; the group then accepts nothing more
   * @param newEpoch the group's new epoch
   */
  record CommitApplied(long epoch, int committer, List<Member> added, List<Member> removed,
      List<Integer> updated, boolean selfRemoved, long newEpoch) implements ProcessedMessage {

    /**
     * Copies the lists.
     *
     * @throws NullPointerException if a list is null
     */
    public CommitApplied {
      added = List.copyOf(added);
      removed = List.copyOf(removed);
      updated = List.copyOf(updated);
    }
  }

  /**
   * A proposal that was verified and cached for the next commit.
   *
   * @param epoch the epoch of the proposal
   * @param proposal the proposal
   * @param sender who sent it
   * @param reference its ProposalRef (RFC 9420 §5.2), by which a commit may include it
   */
  record ProposalQueued(long epoch, Proposal proposal, Sender sender, byte[] reference)
      implements ProcessedMessage {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if a component is null
     */
    public ProposalQueued {
      Objects.requireNonNull(proposal, "proposal");
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(reference, "reference");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ProposalQueued p && p.epoch == epoch && p.proposal.equals(proposal)
          && p.sender.equals(sender) && Arrays.equals(p.reference, reference);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(reference);
    }

    @Override
    public String toString() {
      return "ProposalQueued[epoch=" + epoch + ", type=" + proposal.type() + ", sender=" + sender
          + "]";
    }
  }
}
