package io.spacepanda.internal.node;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.group.KeyPackageBundle;
import io.spacepanda.internal.space.InviteCode;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.SecretBlob;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.StorageTransaction;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stored form of pending joins, so that a join survives a restart of the joining node.
 *
 * <p>Each pending join is one encrypted blob in the store's key-value table of secrets (the same
 * table as group states, under the key {@code "spacepanda/join/"} + space id): the invite code,
 * the private material of the two KeyPackages sent with the request, the deadline and the id of
 * the ids of the request's outbox entries (one per recipient: the inviter, then the code's
 * fallback admins). An index blob lists the space ids of all pending joins. Private format,
 * version 2: {@code u8 version, u64 deadline millis, u8 n, (u16 idLen, id)[n], u32 codeLen, code,
 * u32 len, control bundle, u32 len, channel bundle}; version 1 (read only) has exactly one id
 * without the count. Stateless; every method runs in the caller's transaction or step.
 */
final class PendingJoins {

  private static final Logger LOG = LoggerFactory.getLogger(PendingJoins.class);
  private static final byte VERSION = 2;
  private static final byte VERSION_ONE_REQUEST = 1;
  private static final Id INDEX = Id.of("spacepanda/joins".getBytes(StandardCharsets.US_ASCII));
  private static final byte[] PREFIX = "spacepanda/join/".getBytes(StandardCharsets.US_ASCII);
  /** Largest stored record accepted when reading back. */
  private static final int MAX_RECORD = 1 << 20;

  private PendingJoins() {}

  /**
   * One pending join.
   *
   * @param code the invite
   * @param control the KeyPackage (with private keys) for the space's control group
   * @param channel the KeyPackage for its default channel
   * @param deadline when the join gives up
   * @param requestIds the outbox ids of the join request's copies, one per recipient in the order
   *     of {@link #recipients(InviteCode)}
   */
  record Record(InviteCode code, KeyPackageBundle control, KeyPackageBundle channel,
      Instant deadline, List<Id> requestIds) {
    Record {
      requestIds = List.copyOf(requestIds);
    }
  }

  /** Whom a join request goes to: the inviter, then the code's fallback admins. */
  static List<io.spacepanda.internal.space.Contact> recipients(InviteCode code) {
    List<io.spacepanda.internal.space.Contact> out = new ArrayList<>();
    out.add(code.inviter());
    out.addAll(code.admins());
    return out;
  }

  /** Stores a pending join in the step's transaction. */
  static void store(Step s, Record r) {
    byte[] encoded = encode(r);
    byte[] spaceId = r.code().spaceId().bytes();
    s.write(t -> {
      t.putGroupState(key(spaceId), SecretBlob.copyOf(encoded));
      Set<String> index = readIndex(t);
      index.add(java.util.HexFormat.of().formatHex(spaceId));
      writeIndex(t, index);
    });
  }

  /** Deletes a pending join in the step's transaction. */
  static void delete(Step s, Record r) {
    byte[] spaceId = r.code().spaceId().bytes();
    s.write(t -> {
      t.deleteGroupState(key(spaceId));
      Set<String> index = readIndex(t);
      index.remove(java.util.HexFormat.of().formatHex(spaceId));
      writeIndex(t, index);
    });
  }

  /** Reads every stored pending join; an unreadable one is skipped and logged. */
  static List<Record> loadAll(StorageTransaction t) throws StorageException {
    List<Record> out = new ArrayList<>();
    for (String hex : readIndex(t)) {
      byte[] spaceId = java.util.HexFormat.of().parseHex(hex);
      SecretBlob b = t.groupState(key(spaceId)).orElse(null);
      if (b == null) {
        continue;
      }
      try {
        out.add(decode(b.revealBytes()));
      } catch (MlsDecodeException | RuntimeException e) {
        LOG.warn("skipping an unreadable pending join");
      }
    }
    return out;
  }

  private static Id key(byte[] spaceId) {
    byte[] k = new byte[PREFIX.length + spaceId.length];
    System.arraycopy(PREFIX, 0, k, 0, PREFIX.length);
    System.arraycopy(spaceId, 0, k, PREFIX.length, spaceId.length);
    return Id.of(k);
  }

  private static Set<String> readIndex(StorageTransaction t) throws StorageException {
    Set<String> out = new LinkedHashSet<>();
    SecretBlob b = t.groupState(INDEX).orElse(null);
    if (b != null) {
      for (String line : new String(b.revealBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (!line.isBlank()) {
          out.add(line);
        }
      }
    }
    return out;
  }

  private static void writeIndex(StorageTransaction t, Set<String> index)
      throws StorageException {
    if (index.isEmpty()) {
      t.deleteGroupState(INDEX);
    } else {
      t.putGroupState(INDEX, SecretBlob.copyOf(
          String.join("\n", index).getBytes(StandardCharsets.US_ASCII)));
    }
  }

  static byte[] encode(Record r) {
    byte[] code = r.code().toText().getBytes(StandardCharsets.US_ASCII);
    byte[] control = r.control().toBytes();
    byte[] channel = r.channel().toBytes();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer head = ByteBuffer.allocate(1 + 8 + 1);
    head.put(VERSION).putLong(r.deadline().toEpochMilli()).put((byte) r.requestIds().size());
    out.writeBytes(head.array());
    for (Id requestId : r.requestIds()) {
      byte[] id = requestId.toBytes();
      out.writeBytes(ByteBuffer.allocate(2).putShort((short) id.length).array());
      out.writeBytes(id);
    }
    for (byte[] part : new byte[][] {code, control, channel}) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(part.length).array());
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static Record decode(byte[] bytes) throws MlsDecodeException {
    if (bytes.length > MAX_RECORD) {
      throw new MlsDecodeException("pending join record too large");
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      byte version = b.get();
      if (version != VERSION && version != VERSION_ONE_REQUEST) {
        throw new MlsDecodeException("unknown pending join format");
      }
      Instant deadline = Instant.ofEpochMilli(b.getLong());
      int count = version == VERSION_ONE_REQUEST ? 1 : b.get() & 0xFF;
      List<Id> ids = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] id = new byte[b.getShort() & 0xFFFF];
        b.get(id);
        ids.add(Id.of(id));
      }
      byte[][] parts = new byte[3][];
      for (int i = 0; i < 3; i++) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
          throw new MlsDecodeException("pending join record truncated");
        }
        parts[i] = new byte[n];
        b.get(parts[i]);
      }
      if (b.hasRemaining()) {
        throw new MlsDecodeException("pending join record has trailing bytes");
      }
      return new Record(InviteCode.parse(new String(parts[0], StandardCharsets.US_ASCII)),
          KeyPackageBundle.fromBytes(parts[1]), KeyPackageBundle.fromBytes(parts[2]), deadline,
          ids);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw new MlsDecodeException("malformed pending join record");
    }
  }
}
