package io.spacepanda.internal.net.transport;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Reassembles exactly one unsigned-varint length-prefixed message from the chunks a stream
 * delivers, refusing it as soon as its announced length exceeds the limit.
 *
 * <p>The prefix must be minimal (multiformats unsigned-varint); the message buffer grows with
 * the bytes that actually arrived, so a peer announcing a large message without sending it holds
 * little memory. Bytes after the message are an error: each envelope stream carries one message
 * per direction. Not thread-safe: confined to the stream's event loop.
 */
final class FrameReader {

  private static final int INITIAL_CAPACITY = 256;

  private final int maxMessageBytes;
  private int prefixBytes;
  private long prefixValue;
  private long length = -1;
  private byte[] buffer;
  private int filled;
  private boolean complete;

  /**
   * Creates a reader.
   *
   * @param maxMessageBytes the largest message accepted, not counting the prefix
   */
  FrameReader(int maxMessageBytes) {
    if (maxMessageBytes < 0) {
      throw new IllegalArgumentException("maxMessageBytes must not be negative: " + maxMessageBytes);
    }
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Consumes {@code data} (not released here) and returns the message once complete.
   *
   * @param data the next bytes of the stream; all are read
   * @return the message, or null while more bytes are needed
   * @throws EnvelopeFrameException if the prefix is malformed, announces more than the limit, or
   *     bytes follow the message
   */
  byte[] offer(ByteBuf data) throws EnvelopeFrameException {
    while (data.isReadable()) {
      if (complete) {
        throw new EnvelopeFrameException("bytes after the message");
      }
      if (length < 0) {
        readPrefixByte(data.readUnsignedByte());
        continue;
      }
      int n = (int) Math.min(data.readableBytes(), length - filled);
      ensureCapacity(filled + n);
      data.readBytes(buffer, filled, n);
      filled += n;
      if (filled == length) {
        complete = true;
      }
    }
    if (complete) {
      return buffer.length == filled ? buffer : Arrays.copyOf(buffer, filled);
    }
    return null;
  }

  /**
   * Returns the message length the prefix announced.
   *
   * @return the length, or -1 while the prefix is incomplete
   */
  long announcedLength() {
    return length;
  }

  /**
   * Returns whether a whole message was read.
   *
   * @return {@code true} once {@link #offer} returned the message
   */
  boolean isComplete() {
    return complete;
  }

  /** Returns the bytes this reader has allocated for the message (for tests). */
  int bufferCapacity() {
    return buffer == null ? 0 : buffer.length;
  }

  private void readPrefixByte(int b) throws EnvelopeFrameException {
    // multiformats unsigned-varint: 7 bits per byte, least significant group first, minimal.
    prefixValue |= (long) (b & 0x7F) << (7 * prefixBytes);
    prefixBytes++;
    if ((b & 0x80) != 0) {
      if (prefixBytes >= EnvelopeProtocolConstants.MAX_PREFIX_BYTES) {
        throw new EnvelopeFrameException("length prefix too long");
      }
      return;
    }
    if (b == 0 && prefixBytes > 1) {
      throw new EnvelopeFrameException("non-minimal length prefix");
    }
    if (prefixValue > maxMessageBytes) {
      throw new EnvelopeFrameException("message exceeds the size limit");
    }
    length = prefixValue;
    if (length == 0) {
      buffer = new byte[0];
      complete = true;
    }
  }

  private void ensureCapacity(int needed) {
    if (buffer == null) {
      buffer = new byte[(int) Math.min(length, Math.max(INITIAL_CAPACITY, needed))];
    } else if (buffer.length < needed) {
      long grown = Math.max((long) buffer.length * 2, needed);
      buffer = Arrays.copyOf(buffer, (int) Math.min(grown, length));
    }
  }
}
