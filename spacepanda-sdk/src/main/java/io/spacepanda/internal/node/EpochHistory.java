package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The last epochs of one group as one member went through them, and the fork rule (README "Who
 * commits"): the body of the {@link NodeWire#EXT_EPOCHS} sync extension.
 *
 * <p>Each entry names an epoch, its epoch authenticator (RFC 9420 §8.7: equal authenticators mean
 * equal group states), the SHA-256 of the commit that started it and that commit's sender. Two
 * members whose entries for one epoch carry different authenticators are on two branches: the
 * commits that started that epoch differ, both made in the epoch before it, the fork's parent.
 *
 * <p>Wire form (TLS presentation language, RFC 9420 §2.1): {@code struct { uint64 epoch; opaque
 * authenticator<V>; opaque commit_hash<V>; opaque committer<V>; } Entry; Entry entries<V>;} with
 * at most {@link #MAX_ENTRIES} entries in strictly increasing epoch order, and each field at most
 * {@link #MAX_FIELD} bytes. The commit hash and committer are empty for the first epoch a member
 * holds (it created or joined the group there).
 */
final class EpochHistory {

  /** Entries a member keeps and sends: its current epoch and the ones before it. */
  static final int KEEP = 8;
  /** Most entries a decoded extension may hold. */
  static final int MAX_ENTRIES = 32;
  /** Largest field of an entry, in bytes. */
  static final int MAX_FIELD = 128;

  /** One epoch as a member holds it. */
  record Entry(long epoch, byte[] authenticator, byte[] commitHash, byte[] committer) {
    Entry {
      Objects.requireNonNull(authenticator, "authenticator");
      Objects.requireNonNull(commitHash, "commitHash");
      Objects.requireNonNull(committer, "committer");
    }

    /** @return true if the commit that started this epoch is known (not the first one held) */
    boolean hasCommit() {
      return commitHash.length > 0 && committer.length > 0;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e && e.epoch == epoch
          && Arrays.equals(e.authenticator, authenticator)
          && Arrays.equals(e.commitHash, commitHash) && Arrays.equals(e.committer, committer);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(epoch) * 31 + Arrays.hashCode(authenticator);
    }

    @Override
    public String toString() {
      return "Entry[" + epoch + "]";
    }
  }

  private EpochHistory() {}

  /**
   * Encodes entries.
   *
   * @param entries in increasing epoch order, at most {@link #MAX_ENTRIES}
   * @return the extension body
   */
  static byte[] encode(List<Entry> entries) {
    TlsWriter w = new TlsWriter();
    w.vector(entries, (x, e) -> x.u64(e.epoch()).opaque(e.authenticator())
        .opaque(e.commitHash()).opaque(e.committer()));
    return w.toByteArray();
  }

  /**
   * Decodes entries.
   *
   * @param body the extension body
   * @return the entries, at most {@link #MAX_ENTRIES}, in strictly increasing epoch order
   * @throws MlsDecodeException if malformed, too long or out of order
   */
  static List<Entry> decode(byte[] body) throws MlsDecodeException {
    List<Entry> out = TlsReader.decodeExactly(body, r -> r.vector(x -> {
      long epoch = x.u64();
      if (epoch < 0) {
        throw new MlsDecodeException("epoch out of range");
      }
      return new Entry(epoch, x.opaque(MAX_FIELD), x.opaque(MAX_FIELD), x.opaque(MAX_FIELD));
    }));
    if (out.size() > MAX_ENTRIES) {
      throw new MlsDecodeException("too many epoch entries: " + out.size());
    }
    for (int i = 1; i < out.size(); i++) {
      if (out.get(i).epoch() <= out.get(i - 1).epoch()) {
        throw new MlsDecodeException("epoch entries out of order");
      }
    }
    return out;
  }

  /**
   * Two branches of one group: the member's own entry and the other's for the first epoch in
   * which they differ.
   *
   * @param parent the epoch both commits were made in (the last one both hold alike, or unknown)
   * @param mine this member's entry for {@code parent + 1}
   * @param theirs the other member's entry for {@code parent + 1}
   * @param theirEpoch the other member's current epoch (the tip of its branch)
   */
  record Fork(long parent, Entry mine, Entry theirs, long theirEpoch) {

    /** @return true if both commits are known, so that the rule can pick a winner */
    boolean decidable() {
      return mine.hasCommit() && theirs.hasCommit();
    }
  }

  /**
   * Finds the first epoch whose authenticators differ between two members' entries.
   *
   * @param mine this member's entries
   * @param theirs the other member's entries
   * @return the fork, or null if every epoch both hold is the same (or they share none)
   */
  static Fork compare(List<Entry> mine, List<Entry> theirs) {
    if (theirs.isEmpty()) {
      return null;
    }
    Map<Long, Entry> byEpoch = new HashMap<>();
    for (Entry t : theirs) {
      byEpoch.put(t.epoch(), t);
    }
    long theirEpoch = theirs.get(theirs.size() - 1).epoch();
    for (Entry m : mine) {
      Entry t = byEpoch.get(m.epoch());
      if (t != null && !Arrays.equals(t.authenticator(), m.authenticator())) {
        return new Fork(m.epoch() - 1, m, t, theirEpoch);
      }
    }
    return null;
  }

  /**
   * The fork rule: says whether this member's branch wins. Every member computes it alike from
   * the two commits that started the first differing epoch, not from anything that changes later
   * (the branches' lengths grow while they are compared). In order: the commit of the group's
   * creator wins; then the committer first in the hashed order of the parent epoch
   * ({@link CommitPolicy#rank}); then the lower SHA-256 of the commit.
   *
   * @param fork a decidable fork
   * @param groupId the group
   * @param creator the group's creator
   * @return true if this member's branch wins, false if the other's does
   */
  static boolean mineWins(Fork fork, byte[] groupId, PeerId creator) {
    return priority(fork.parent(), groupId, creator, fork.mine(), fork.theirs()) < 0;
  }

  /** Orders two commits of one epoch: negative if a wins. */
  static int priority(long parent, byte[] groupId, PeerId creator, Entry a, Entry b) {
    boolean ca = Arrays.equals(a.committer(), creator.bytes());
    boolean cb = Arrays.equals(b.committer(), creator.bytes());
    if (ca != cb) {
      return ca ? -1 : 1;
    }
    int r = Arrays.compareUnsigned(rank(parent, groupId, a.committer()),
        rank(parent, groupId, b.committer()));
    if (r != 0) {
      return r;
    }
    int h = Arrays.compareUnsigned(a.commitHash(), b.commitHash());
    return h != 0 ? h : Arrays.compareUnsigned(a.authenticator(), b.authenticator());
  }

  private static byte[] rank(long epoch, byte[] groupId, byte[] committer) {
    try {
      return CommitPolicy.rank(epoch, groupId, PeerId.fromBytes(committer));
    } catch (RuntimeException e) {
      // Not a PeerId: ranks after every real committer.
      byte[] last = new byte[32];
      Arrays.fill(last, (byte) 0xFF);
      return last;
    }
  }

  /**
   * Returns entries with one more epoch appended, keeping the last {@link #KEEP}; entries of that
   * epoch or later (a branch left) are replaced.
   *
   * @param entries the entries so far
   * @param next the new epoch's entry
   * @return the new list
   */
  static List<Entry> append(List<Entry> entries, Entry next) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries) {
      if (e.epoch() < next.epoch()) {
        out.add(e);
      }
    }
    out.add(next);
    while (out.size() > KEEP) {
      out.remove(0);
    }
    return out;
  }
}
