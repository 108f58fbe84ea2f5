package io.spacepanda.internal.mls.group;

/**
 * The state a commit made by this member leads to, held until {@link Group#mergePendingCommit()}
 * adopts it or {@link Group#discardPendingCommit()} drops it.
 *
 * <p>Opaque to callers: it only says which epoch it leads to and what it changes. {@link
 * #toString()} shows no secret.
 */
public final class PendingCommit {

  final EpochState next;
  final ProcessedMessage.CommitApplied summary;
  final long fromEpoch;

  PendingCommit(EpochState next, ProcessedMessage.CommitApplied summary, long fromEpoch) {
    this.next = next;
    this.summary = summary;
    this.fromEpoch = fromEpoch;
  }

  /**
   * Returns the epoch the group enters when this commit is merged.
   *
   * @return the new epoch
   */
  public long newEpoch() {
    return next.epoch();
  }

  /**
   * Returns what this commit changes (added, removed and updated members).
   *
   * @return the summary, as receivers will see it
   */
  public ProcessedMessage.CommitApplied summary() {
    return summary;
  }

  @Override
  public String toString() {
    return "PendingCommit[" + fromEpoch + " -> " + newEpoch() + "]";
  }
}
