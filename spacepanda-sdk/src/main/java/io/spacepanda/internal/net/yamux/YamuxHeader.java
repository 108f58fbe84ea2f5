package io.spacepanda.internal.net.yamux;

import io.netty.buffer.ByteBuf;

/**
 * One decoded Yamux frame header (yamux spec: "Framing"); for data frames the payload of {@code
 * length} bytes follows on the wire.
 *
 * @param type frame type, one of the {@code TYPE_} constants
 * @param flags bit set of {@code FLAG_} constants
 * @param streamId stream id, 0 for session frames (ping, go-away), unsigned 32 bits
 * @param length payload length, window delta, ping value or go-away code, unsigned 32 bits
 */
public record YamuxHeader(int type, int flags, long streamId, long length) {

  private static final long MAX_U32 = 0xFFFF_FFFFL;

  /**
   * Creates a header, checking every field fits its wire width.
   *
   * @throws IllegalArgumentException when a field is out of range
   */
  public YamuxHeader {
    if (type < 0 || type > YamuxConstants.TYPE_GO_AWAY) {
      throw new IllegalArgumentException("type " + type);
    }
    if ((flags & ~YamuxConstants.KNOWN_FLAGS) != 0) {
      throw new IllegalArgumentException("flags " + flags);
    }
    if (streamId < 0 || streamId > MAX_U32) {
      throw new IllegalArgumentException("streamId " + streamId);
    }
    if (length < 0 || length > MAX_U32) {
      throw new IllegalArgumentException("length " + length);
    }
  }

  /**
   * Returns whether every bit of {@code flag} is set.
   *
   * @param flag one or more {@code FLAG_} bits
   * @return {@code true} when all are set
   */
  public boolean has(int flag) {
    return (flags & flag) == flag;
  }

  /**
   * Writes the 12 header bytes to {@code out}, big-endian (yamux spec: "Framing").
   *
   * @param out the buffer to append to
   */
  public void encode(ByteBuf out) {
    out.writeByte(YamuxConstants.VERSION);
    out.writeByte(type);
    out.writeShort(flags);
    out.writeInt((int) streamId);
    out.writeInt((int) length);
  }

  /**
   * Reads and validates one header from {@code in}, which must hold at least 12 readable bytes.
   *
   * <p>Checks the version, type and flags, that session frames use stream 0 and stream frames do
   * not, and that a data frame's length stays within {@code maxDataLength}; reads exactly 12 bytes
   * when it succeeds.
   *
   * @param in the buffer to read from
   * @param maxDataLength largest data payload accepted
   * @return the header
   * @throws YamuxProtocolException when the header breaks the spec or the limit
   */
  public static YamuxHeader decode(ByteBuf in, long maxDataLength) throws YamuxProtocolException {
    int version = in.readUnsignedByte();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedShort();
    long streamId = in.readUnsignedInt();
    long length = in.readUnsignedInt();
    if (version != YamuxConstants.VERSION) {
      throw new YamuxProtocolException("unsupported yamux version");
    }
    if (type > YamuxConstants.TYPE_GO_AWAY) {
      throw new YamuxProtocolException("unknown yamux frame type");
    }
    if ((flags & ~YamuxConstants.KNOWN_FLAGS) != 0) {
      throw new YamuxProtocolException("unknown yamux flags");
    }
    boolean sessionFrame =
        type == YamuxConstants.TYPE_PING || type == YamuxConstants.TYPE_GO_AWAY;
    if (sessionFrame != (streamId == 0)) {
      throw new YamuxProtocolException("yamux frame on wrong stream id");
    }
    if (type == YamuxConstants.TYPE_DATA && length > maxDataLength) {
      throw new YamuxProtocolException("yamux data frame too large");
    }
    return new YamuxHeader(type, flags, streamId, length);
  }
}
