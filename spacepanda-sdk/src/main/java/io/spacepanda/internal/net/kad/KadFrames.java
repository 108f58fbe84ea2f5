package io.spacepanda.internal.net.kad;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a kad stream into its messages (kad-dht spec, "RPC messages": each message is prefixed
 * by its length as an unsigned varint). Announced lengths above {@link KadMessage#MAX_MESSAGE_BYTES}
 * fail at once; memory held is at most one message plus a prefix. Not thread-safe: confined to the
 * stream's event loop.
 */
final class KadFrames {

  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private int prefixShift;
  private long prefixValue;
  private long length = -1;

  /**
   * Consumes {@code data} (not released here).
   *
   * @param data bytes that arrived
   * @return the messages completed by them, possibly none
   * @throws KadException when a prefix is malformed or too large
   */
  List<byte[]> offer(ByteBuf data) throws KadException {
    List<byte[]> out = new ArrayList<>();
    while (data.isReadable()) {
      if (length < 0) {
        int b = data.readUnsignedByte();
        if (prefixShift > 28) {
          throw new KadException("kad length prefix too long");
        }
        prefixValue |= (long) (b & 0x7F) << prefixShift;
        prefixShift += 7;
        if ((b & 0x80) != 0) {
          continue;
        }
        if (prefixValue > KadMessage.MAX_MESSAGE_BYTES) {
          throw new KadException("kad message announces more than " + KadMessage.MAX_MESSAGE_BYTES + " bytes");
        }
        length = prefixValue;
        prefixValue = 0;
        prefixShift = 0;
      }
      int n = (int) Math.min(data.readableBytes(), length - pending.size());
      byte[] chunk = new byte[n];
      data.readBytes(chunk);
      pending.writeBytes(chunk);
      if (pending.size() == length) {
        out.add(pending.toByteArray());
        pending.reset();
        length = -1;
      }
    }
    return out;
  }

  /** Returns whether a message is partly received. */
  boolean midMessage() {
    return length >= 0 || prefixShift > 0;
  }

  static void writeFrame(ByteBuf out, byte[] body) {
    long v = body.length;
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
    out.writeBytes(body);
  }
}
