package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.MlsConfig;
import io.spacepanda.internal.space.SpaceDecodeException;
import io.spacepanda.internal.space.SpaceId;
import io.spacepanda.internal.space.SpaceOp;
import io.spacepanda.internal.space.SpaceState;
import io.spacepanda.spi.ChannelRecord;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.SpaceOperation;
import io.spacepanda.spi.SpaceRecord;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StorageTransaction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Typed saving and loading of a space's groups through the Storage SPI.
 *
 * <p>Per group the store keeps: the epoch snapshot ({@link Group#toBytes()}, written when the group
 * changes), a small ratchet state written with each application message (never older than the
 * snapshot: both are written together when the group changes), the sending sequence, and the
 * exporter outputs behind the retained past epochs' envelope keys. Keys are the group id plus a
 * suffix. Stateless; every method runs inside the caller's transaction.
 */
final class GroupStore {

  private static final Logger LOG = LoggerFactory.getLogger(GroupStore.class);
  private static final byte[] META_SUFFIX = "/meta".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RATCHET_SUFFIX = "/ratchet".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ENVELOPE_KEYS_SUFFIX =
      "/envelope-keys".getBytes(StandardCharsets.US_ASCII);

  private GroupStore() {}

  /** A space as stored: its record, metadata, control group and channels. */
  record LoadedSpace(SpaceRecord record, SpaceState meta, GroupChannel control,
      List<GroupChannel> channels) {}

  /** Saves a channel's record and its whole group state. */
  static void saveChannel(StorageTransaction t, GroupChannel gc) throws StorageException {
    t.putChannel(record(gc));
    saveGroup(t, gc);
  }

  /** Saves a channel's record only (after a rename). */
  static void saveRecord(StorageTransaction t, GroupChannel gc) throws StorageException {
    t.putChannel(record(gc));
  }

  private static ChannelRecord record(GroupChannel gc) {
    return new ChannelRecord(gc.id(), gc.spaceId(), gc.name(), gc.kind(),
        NodeContext.peerKey(gc.owner()), gc.createdAt());
  }

  /** Saves the epoch snapshot, the past epochs' envelope keys and the ratchet state together. */
  static void saveGroup(StorageTransaction t, GroupChannel gc) throws StorageException {
    t.putGroupState(gc.id(), SecretBlob.copyOf(gc.group().toBytes()));
    t.putGroupState(suffixed(gc.id(), ENVELOPE_KEYS_SUFFIX),
        SecretBlob.copyOf(gc.encodeKeySecrets()));
    saveRatchet(t, gc);
  }

  /** Saves what an application message changes: the secret trees and the sending sequence. */
  static void saveRatchet(StorageTransaction t, GroupChannel gc) throws StorageException {
    t.putGroupState(suffixed(gc.id(), RATCHET_SUFFIX),
        SecretBlob.copyOf(gc.group().ratchetStateBytes()));
    t.putGroupState(suffixed(gc.id(), META_SUFFIX),
        SecretBlob.copyOf(ByteBuffer.allocate(8).putLong(gc.nextSequence()).array()));
  }

  /** Deletes a group's state (this node left or was removed); the channel record stays. */
  static void deleteGroup(StorageTransaction t, Id groupId) throws StorageException {
    t.deleteGroupState(groupId);
    t.deleteGroupState(suffixed(groupId, RATCHET_SUFFIX));
    t.deleteGroupState(suffixed(groupId, ENVELOPE_KEYS_SUFFIX));
  }

  /**
   * Loads one space, or null if it is unknown or this node no longer holds its control group.
   *
   * @param t a transaction
   * @param record the space's record
   * @param mls the MLS configuration the groups are restored with
   * @param retention the past epochs whose envelope keys are kept
   * @return the space, or null
   * @throws StorageException if the store fails
   * @throws MlsException if a stored group state is unreadable
   */
  static LoadedSpace load(StorageTransaction t, SpaceRecord record, MlsConfig mls, int retention)
      throws StorageException, MlsException {
    List<SpaceOp> ops = new ArrayList<>();
    for (SpaceOperation op : t.spaceOperations(record.spaceId())) {
      try {
        ops.add(SpaceOp.decode(op.payload()));
      } catch (SpaceDecodeException e) {
        LOG.warn("skipping an unreadable space operation");
      }
    }
    SpaceState meta = SpaceState.of(SpaceId.of(record.spaceId().toBytes()),
        PeerId.fromBytes(record.ownerPeerId().toBytes()), ops);
    GroupChannel control = null;
    List<GroupChannel> channels = new ArrayList<>();
    for (ChannelRecord c : t.channels(record.spaceId())) {
      GroupChannel gc = loadGroup(t, c, mls, retention);
      if (gc == null) {
        continue;
      }
      if (gc.isControl()) {
        control = gc;
      } else {
        channels.add(gc);
      }
    }
    return control == null ? null : new LoadedSpace(record, meta, control, channels);
  }

  private static GroupChannel loadGroup(StorageTransaction t, ChannelRecord c, MlsConfig mls,
      int retention) throws StorageException, MlsException {
    SecretBlob st = t.groupState(c.channelId()).orElse(null);
    if (st == null) {
      return null;
    }
    SecretBlob ratchet = t.groupState(suffixed(c.channelId(), RATCHET_SUFFIX)).orElse(null);
    Group g = ratchet == null ? Group.fromBytes(mls, st.revealBytes())
        : Group.fromBytes(mls, st.revealBytes(), ratchet.revealBytes());
    if (!g.isActive()) {
      return null;
    }
    long sequence = t.groupState(suffixed(c.channelId(), META_SUFFIX))
        .map(b -> decodeLong(b.revealBytes())).orElse(0L);
    long lamport = t.maxLamport(c.channelId()).orElse(0L);
    GroupChannel gc = new GroupChannel(c.channelId(), c.spaceId(), c.name(), c.kind(),
        PeerId.fromBytes(c.ownerPeerId().toBytes()), c.createdAt(), g, lamport, sequence);
    SecretBlob pastKeys = t.groupState(suffixed(c.channelId(), ENVELOPE_KEYS_SUFFIX)).orElse(null);
    if (pastKeys != null) {
      try {
        gc.restoreKeySecrets(pastKeys.revealBytes());
      } catch (IllegalArgumentException e) {
        LOG.warn("unreadable envelope keys of past epochs; late messages of those epochs are held");
      }
    }
    gc.refreshKeys(retention);
    return gc;
  }

  private static Id suffixed(Id groupId, byte[] suffix) {
    byte[] a = groupId.toBytes();
    byte[] out = Arrays.copyOf(a, a.length + suffix.length);
    System.arraycopy(suffix, 0, out, a.length, suffix.length);
    return Id.of(out);
  }

  private static long decodeLong(byte[] b) {
    return b.length == 8 ? ByteBuffer.wrap(b).getLong() : 0;
  }
}
