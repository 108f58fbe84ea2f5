package io.spacepanda.internal.channel;

import io.spacepanda.PeerId;
import io.spacepanda.internal.envelope.EnvelopeConstants;
import io.spacepanda.internal.envelope.GroupEnvelopeKeys;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.Member;
import io.spacepanda.spi.Id;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One MLS group as the node uses it: a channel, or the control group of a space (then its id is
 * the space id and {@link #isControl()} is true).
 *
 * <p>Holds the group, the envelope keys of the current and retained past epochs (derived from the
 * MLS exporter, README, "How it works": sealed-sender envelopes), the channel's Lamport clock and
 * this node's
 * next sender sequence. Not thread-safe: the node guards every instance with its one lock.
 */
public final class GroupChannel {

  /** The {@code ChannelRecord.kind} of a space's control group. */
  public static final int KIND_CONTROL = 0;

  /** The {@code ChannelRecord.kind} of a text channel. */
  public static final int KIND_TEXT = 1;

  private final Id id;
  /** The id in hex, made once: metrics events name the channel on every message. */
  private volatile String idString;
  private final Id spaceId;
  private String name;
  private final int kind;
  private final PeerId owner;
  private final Instant createdAt;
  private final Group group;
  private long lamport;
  private long nextSequence;
  private final NavigableMap<Long, GroupEnvelopeKeys> keys = new TreeMap<>();
  /** The exporter output each epoch's keys derive from, kept so past epochs survive a restart. */
  private final NavigableMap<Long, byte[]> keySecrets = new TreeMap<>();

  /**
   * Creates the node's view of a group.
   *
   * @param id the channel id, also the MLS group id
   * @param spaceId the space
   * @param name the display name
   * @param kind {@link #KIND_CONTROL} or {@link #KIND_TEXT}
   * @param owner the owner, the single committer
   * @param createdAt when the channel was created or joined, by the local clock
   * @param group the MLS group
   * @param lamport the largest Lamport clock seen so far
   * @param nextSequence this node's next sender sequence
   */
  public GroupChannel(Id id, Id spaceId, String name, int kind, PeerId owner, Instant createdAt,
      Group group, long lamport, long nextSequence) {
    this.id = Objects.requireNonNull(id, "id");
    this.spaceId = Objects.requireNonNull(spaceId, "spaceId");
    this.name = Objects.requireNonNull(name, "name");
    this.kind = kind;
    this.owner = Objects.requireNonNull(owner, "owner");
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    this.group = Objects.requireNonNull(group, "group");
    this.lamport = lamport;
    this.nextSequence = nextSequence;
  }

  /**
   * Returns the channel id in hex, as {@code Channel.id()} shows it; made once and kept.
   *
   * @return the channel id in hex
   */
  public String idString() {
    String s = idString;
    if (s == null) {
      s = id.toString();
      idString = s;
    }
    return s;
  }

  /**
   * Returns the channel id, also the MLS group id.
   *
   * @return the channel id, also the MLS group id
   */
  public Id id() {
    return id;
  }

  /**
   * Returns the space id.
   *
   * @return the space id
   */
  public Id spaceId() {
    return spaceId;
  }

  /**
   * Returns the display name.
   *
   * @return the display name
   */
  public String name() {
    return name;
  }

  /**
   * Changes the display name.
   *
   * @param newName the new display name
   */
  public void rename(String newName) {
    name = Objects.requireNonNull(newName, "newName");
  }

  /**
   * Returns the kind code.
   *
   * @return the kind code
   */
  public int kind() {
    return kind;
  }

  /**
   * Returns whether this is a space's control group.
   *
   * @return whether this is a space's control group
   */
  public boolean isControl() {
    return kind == KIND_CONTROL;
  }

  /**
   * Returns the owner, the single committer.
   *
   * @return the owner, the single committer
   */
  public PeerId owner() {
    return owner;
  }

  /**
   * Returns when the channel was created or joined.
   *
   * @return when the channel was created or joined
   */
  public Instant createdAt() {
    return createdAt;
  }

  /**
   * Returns the MLS group.
   *
   * @return the MLS group
   */
  public Group group() {
    return group;
  }

  /**
   * Returns the largest Lamport clock seen.
   *
   * @return the largest Lamport clock seen
   */
  public long lamport() {
    return lamport;
  }

  /**
   * Moves the Lamport clock forward to at least a seen value.
   *
   * @param seen a clock carried by a message
   */
  public void observeLamport(long seen) {
    lamport = Math.max(lamport, seen);
  }

  /**
   * Takes the clock and sequence of this node's next message.
   *
   * @return {lamport, sequence}
   */
  public long[] nextSend() {
    lamport++;
    return new long[] {lamport, nextSequence++};
  }

  /**
   * Returns this node's next sender sequence.
   *
   * @return this node's next sender sequence
   */
  public long nextSequence() {
    return nextSequence;
  }

  /**
   * Returns the peers in the group's current epoch.
   *
   * @return the members, ordered
   */
  public Set<PeerId> members() {
    Set<PeerId> out = new TreeSet<>();
    if (!group.isActive()) {
      return Collections.unmodifiableSet(out);
    }
    for (Member m : group.members()) {
      out.add(peerOf(m));
    }
    return Collections.unmodifiableSet(out);
  }

  /**
   * Returns the leaf index of a peer in the current epoch.
   *
   * @param peer the peer
   * @return the leaf index, or -1 if the peer is not a member
   */
  public int leafOf(PeerId peer) {
    for (Member m : group.members()) {
      if (peerOf(m).equals(peer)) {
        return m.leafIndex();
      }
    }
    return -1;
  }

  /**
   * Returns the peer of a group member: its BasicCredential identity is its PeerId bytes.
   *
   * @param m the member
   * @return the peer id
   */
  public static PeerId peerOf(Member m) {
    return PeerId.fromBytes(m.credential().identity());
  }

  /**
   * Derives the envelope keys of the current epoch if missing and forgets those older than the
   * retention.
   *
   * @param retention how many past epochs to keep
   * @return the epochs whose keys were forgotten
   */
  public Set<Long> refreshKeys(int retention) {
    long epoch = group.epoch();
    if (group.isActive() && !keys.containsKey(epoch)) {
      byte[] secret = group.exporter(EnvelopeConstants.MLS_EXPORTER_LABEL, new byte[0], 32);
      keys.put(epoch, GroupEnvelopeKeys.derive(secret));
      keySecrets.put(epoch, secret);
    }
    Set<Long> dropped = new TreeSet<>();
    while (!keys.isEmpty() && keys.firstKey() < epoch - retention) {
      long old = keys.pollFirstEntry().getKey();
      dropped.add(old);
      byte[] secret = keySecrets.remove(old);
      if (secret != null) {
        java.util.Arrays.fill(secret, (byte) 0);
      }
    }
    return dropped;
  }

  /** Most epochs {@link #restoreKeySecrets} accepts (the engine's retention limit, plus one). */
  private static final int MAX_STORED_EPOCHS = 65;

  /**
   * Encodes the exporter outputs of the current and retained past epochs, for storage next to the
   * group state (a secret: store it encrypted): a count byte, then per epoch its number (8 bytes)
   * and 32 bytes.
   *
   * @return the encoding
   */
  public byte[] encodeKeySecrets() {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 + keySecrets.size() * 40);
    b.put((byte) keySecrets.size());
    for (Map.Entry<Long, byte[]> e : keySecrets.entrySet()) {
      b.putLong(e.getKey()).put(e.getValue());
    }
    return b.array();
  }

  /**
   * Restores envelope keys of epochs other than the current one from {@link #encodeKeySecrets()},
   * so that late messages of retained past epochs still open after a restart; the current epoch's
   * keys are always derived from the group.
   *
   * @param encoded the stored encoding
   * @throws IllegalArgumentException if the encoding is malformed
   */
  public void restoreKeySecrets(byte[] encoded) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(encoded);
    int n = encoded.length == 0 ? -1 : b.get() & 0xFF;
    if (n < 0 || n > MAX_STORED_EPOCHS || encoded.length != 1 + n * 40) {
      throw new IllegalArgumentException("malformed envelope key secrets");
    }
    for (int i = 0; i < n; i++) {
      long epoch = b.getLong();
      byte[] secret = new byte[32];
      b.get(secret);
      if (epoch < group.epoch() && !keys.containsKey(epoch)) {
        keys.put(epoch, GroupEnvelopeKeys.derive(secret));
        keySecrets.put(epoch, secret);
      }
    }
  }

  /**
   * Returns the envelope keys by epoch, current and retained.
   *
   * @return the envelope keys by epoch, current and retained
   */
  public Map<Long, GroupEnvelopeKeys> keys() {
    return Collections.unmodifiableMap(keys);
  }

  /**
   * Returns the envelope keys of the current epoch.
   *
   * @return the envelope keys of the current epoch
   */
  public GroupEnvelopeKeys currentKeys() {
    return keys.get(group.epoch());
  }

  @Override
  public String toString() {
    return "GroupChannel[" + id + ", " + (isControl() ? "control" : name) + ", epoch="
        + group.epoch() + "]";
  }
}
