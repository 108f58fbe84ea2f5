package io.spacepanda.internal.net.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Cuts a stream of unsigned-varint length-prefixed messages ({@link EnvelopeStreamCodec}, one
 * message after another) into messages, taking them one at a time so the caller can stop reading.
 *
 * <p>Bounds: a prefix must be minimal and at most {@value EnvelopeProtocolConstants#MAX_PREFIX_BYTES}
 * bytes, a message at most {@code maxMessageBytes}; {@link #add} refuses to hold more than {@code
 * maxBufferedBytes} not yet taken (the caller's muxer window keeps an honest peer below it). The
 * buffer is a heap buffer owned by this decoder; chunks passed to {@link #add} are copied and
 * stay the caller's to release. Not thread-safe: confined to the stream's event loop.
 */
final class StreamFrameDecoder {

  private final int maxMessageBytes;
  private final long maxBufferedBytes;
  private ByteBuf buffer = Unpooled.EMPTY_BUFFER;
  private long nextLength = -1;
  private int nextPrefixBytes;

  /**
   * Creates a decoder.
   *
   * @param maxMessageBytes the largest message accepted, not counting the prefix
   * @param maxBufferedBytes the most bytes held at once, at least one largest frame
   */
  StreamFrameDecoder(int maxMessageBytes, long maxBufferedBytes) {
    if (maxMessageBytes < 0 || maxBufferedBytes < maxMessageBytes + EnvelopeProtocolConstants.MAX_PREFIX_BYTES) {
      throw new IllegalArgumentException("bad limits " + maxMessageBytes + ", " + maxBufferedBytes);
    }
    this.maxMessageBytes = maxMessageBytes;
    this.maxBufferedBytes = maxBufferedBytes;
  }

  /**
   * Appends bytes that arrived; does not release {@code data}.
   *
   * @param data the next bytes of the stream, all read
   * @throws EnvelopeFrameException if more than {@code maxBufferedBytes} would be held
   */
  void add(ByteBuf data) throws EnvelopeFrameException {
    int n = data.readableBytes();
    if (n == 0) {
      return;
    }
    if ((long) buffer.readableBytes() + n > maxBufferedBytes) {
      throw new EnvelopeFrameException("too many bytes buffered on the stream");
    }
    if (buffer == Unpooled.EMPTY_BUFFER) {
      buffer = Unpooled.buffer(Math.max(256, n));
    } else {
      buffer.discardSomeReadBytes();
    }
    buffer.writeBytes(data);
  }

  /**
   * Returns the length the next message announced, reading its prefix if needed.
   *
   * @return the length, or -1 while its prefix is incomplete
   * @throws EnvelopeFrameException if the prefix is malformed or announces more than the limit
   */
  long peekLength() throws EnvelopeFrameException {
    if (nextLength >= 0) {
      return nextLength;
    }
    long value = 0;
    int readable = buffer.readableBytes();
    int at = buffer.readerIndex();
    for (int i = 0; i < EnvelopeProtocolConstants.MAX_PREFIX_BYTES; i++) {
      if (i >= readable) {
        return -1;
      }
      int b = buffer.getUnsignedByte(at + i);
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new EnvelopeFrameException("non-minimal length prefix");
        }
        if (value > maxMessageBytes) {
          throw new EnvelopeFrameException("message exceeds the size limit");
        }
        nextLength = value;
        nextPrefixBytes = i + 1;
        return value;
      }
    }
    throw new EnvelopeFrameException("length prefix too long");
  }

  /**
   * Takes the next whole message off the buffer.
   *
   * @return the message as a new array, or null while it is incomplete
   * @throws EnvelopeFrameException if its prefix is malformed or too large
   */
  byte[] next() throws EnvelopeFrameException {
    long length = peekLength();
    if (length < 0 || buffer.readableBytes() < nextPrefixBytes + length) {
      return null;
    }
    buffer.skipBytes(nextPrefixBytes);
    byte[] message = new byte[(int) length];
    buffer.readBytes(message);
    nextLength = -1;
    nextPrefixBytes = 0;
    return message;
  }

  /**
   * Returns the bytes held.
   *
   * @return buffered bytes not yet taken
   */
  int buffered() {
    return buffer.readableBytes();
  }

  /** Drops what is buffered. */
  void clear() {
    buffer = Unpooled.EMPTY_BUFFER;
    nextLength = -1;
    nextPrefixBytes = 0;
  }
}
