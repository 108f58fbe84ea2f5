package io.spacepanda.internal.store;

import io.spacepanda.spi.Id;
import io.spacepanda.spi.KnownPeer;
import io.spacepanda.spi.StorageException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The plaintext of one persisted address-book row (sealed whole at rest, so that nothing about
 * the peer is in clear): {@code u8 version=1 | u16 len, peer | u8 routing | i64 seen ms | u8 n,
 * n × (u16 len, UTF-8 address) | u16 len, signed record}. Decoding is bounded by {@link
 * KnownPeer}'s limits and fails with a {@link StorageException}.
 */
final class KnownPeerCodec {

  private KnownPeerCodec() {}

  static byte[] encode(KnownPeer p) {
    byte[] peer = p.peer().toBytes();
    byte[] record = p.signedRecord();
    List<byte[]> addrs = new ArrayList<>();
    int size = 1 + 2 + peer.length + 1 + 8 + 1 + 2 + record.length;
    for (String a : p.addresses()) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      addrs.add(b);
      size += 2 + b.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put((byte) 1).putShort((short) peer.length).put(peer);
    out.put((byte) (p.routing() ? 1 : 0)).putLong(p.seenAt().toEpochMilli());
    out.put((byte) addrs.size());
    for (byte[] b : addrs) {
      out.putShort((short) b.length).put(b);
    }
    out.putShort((short) record.length).put(record);
    return out.array();
  }

  static KnownPeer decode(byte[] bytes) throws StorageException {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      if (in.get() != 1) {
        throw new StorageException("unknown address-book row version");
      }
      byte[] peer = bytes(in, 64);
      boolean routing = in.get() != 0;
      long seen = in.getLong();
      int n = in.get() & 0xFF;
      if (n > KnownPeer.MAX_ADDRESSES) {
        throw new StorageException("address-book row has too many addresses");
      }
      List<String> addrs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        addrs.add(new String(bytes(in, KnownPeer.MAX_ADDRESS_LENGTH * 4), StandardCharsets.UTF_8));
      }
      byte[] record = bytes(in, KnownPeer.MAX_RECORD_LENGTH);
      if (in.hasRemaining()) {
        throw new StorageException("address-book row has trailing bytes");
      }
      return new KnownPeer(Id.of(peer), addrs, record, routing, Instant.ofEpochMilli(seen));
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new StorageException("malformed address-book row", e);
    }
  }

  private static byte[] bytes(ByteBuffer in, int max) throws StorageException {
    int len = in.getShort() & 0xFFFF;
    if (len > max) {
      throw new StorageException("address-book row field too long");
    }
    byte[] b = new byte[len];
    in.get(b);
    return b;
  }
}
