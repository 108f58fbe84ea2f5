package io.spacepanda.internal.net.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.spacepanda.internal.net.relay.RelayException.Status;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamClosedException;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.util.concurrent.CompletableFuture;

/**
 * Unsigned-varint length-prefixed messages on a {@link MuxedStream}, as circuit relay, AutoNAT and
 * DCUtR frame their protobufs; bytes after the last message read stay available as {@link
 * #takeLeftover()} when the stream turns into a relayed connection.
 *
 * <p>At most {@code maxMessageBytes} per message and as many bytes buffered while no read is
 * pending; beyond that the stream is reset and the read fails with {@link RelayException}
 * ({@link Status#MALFORMED_MESSAGE}). Event-loop confined: {@link #read()} must be called on the
 * stream's executor, and its future completes there.
 */
public final class FramedStream implements StreamHandler {

  private final MuxedStream stream;
  private final int maxMessageBytes;
  private ByteBuf cumulation = Unpooled.buffer();
  private CompletableFuture<byte[]> pending;
  private boolean remoteClosed;
  private Throwable failure;

  /**
   * Wraps a negotiated stream and becomes its handler; call on the stream's executor.
   *
   * @param stream the stream
   * @param maxMessageBytes largest message body accepted
   */
  public FramedStream(MuxedStream stream, int maxMessageBytes) {
    this.stream = stream;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Returns the stream.
   *
   * @return the wrapped stream
   */
  public MuxedStream stream() {
    return stream;
  }

  /**
   * Writes one message with its length prefix.
   *
   * @param body the message body
   * @return completes when handed to the connection
   */
  public CompletableFuture<Void> write(byte[] body) {
    ByteBuf out = stream.alloc().buffer(body.length + 5);
    int v = body.length;
    while ((v & ~0x7F) != 0) {
      out.writeByte((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.writeByte(v);
    out.writeBytes(body);
    return stream.write(out);
  }

  /**
   * Reads the next message; one read at a time.
   *
   * @return completes with the body, or fails with {@link RelayException} for a bad or oversized
   *     message, or with the stream's failure; the stream closing first fails it with {@link
   *     StreamClosedException}
   */
  public CompletableFuture<byte[]> read() {
    if (pending != null) {
      throw new IllegalStateException("a read is pending");
    }
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    pending = f;
    deliver();
    return f;
  }

  /**
   * Returns the bytes received after the messages read so far and stops buffering; the caller
   * installs another handler on the stream in the same event-loop task.
   *
   * @return the leftover bytes, possibly empty; the caller releases them
   */
  public ByteBuf takeLeftover() {
    ByteBuf rest = cumulation;
    cumulation = Unpooled.EMPTY_BUFFER;
    return rest;
  }

  /** Returns how many bytes are buffered (for tests). */
  int takeLeftoverSizeForTest() {
    return cumulation.readableBytes();
  }

  /**
   * Returns whether the peer half-closed the stream.
   *
   * @return whether end of data was seen
   */
  public boolean remoteClosed() {
    return remoteClosed;
  }

  @Override
  public void onData(MuxedStream s, ByteBuf data) {
    int n = data.readableBytes();
    try {
      if (failure != null) {
        return;
      }
      if (cumulation.readableBytes() + n > maxMessageBytes + 10) {
        fail(new RelayException(Status.MALFORMED_MESSAGE, "message too large"));
        return;
      }
      cumulation.writeBytes(data);
    } finally {
      data.release();
      stream.consumed(n);
    }
    deliver();
  }

  private void deliver() {
    if (pending == null) {
      return;
    }
    if (failure != null) {
      complete(null, failure);
      return;
    }
    int start = cumulation.readerIndex();
    long len = 0;
    int shift = 0;
    int i = start;
    while (true) {
      if (i >= cumulation.writerIndex()) {
        if (remoteClosed) {
          complete(null, new StreamClosedException("stream closed before a message"));
        }
        return;
      }
      int b = cumulation.getUnsignedByte(i++);
      len |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
      if (shift > 28) {
        fail(new RelayException(Status.MALFORMED_MESSAGE, "malformed length prefix"));
        return;
      }
    }
    if (len > maxMessageBytes) {
      fail(new RelayException(Status.MALFORMED_MESSAGE, "message too large"));
      return;
    }
    if (cumulation.writerIndex() - i < len) {
      if (remoteClosed) {
        complete(null, new StreamClosedException("stream closed inside a message"));
      }
      return;
    }
    byte[] body = new byte[(int) len];
    cumulation.getBytes(i, body);
    cumulation.readerIndex(i + (int) len);
    cumulation.discardReadBytes();
    complete(body, null);
  }

  private void complete(byte[] body, Throwable err) {
    CompletableFuture<byte[]> f = pending;
    pending = null;
    if (err != null) {
      f.completeExceptionally(err);
    } else {
      f.complete(body);
    }
  }

  private void fail(Throwable cause) {
    if (failure == null) {
      failure = cause;
      stream.reset();
    }
    deliver();
  }

  @Override
  public void onRemoteClose(MuxedStream s) {
    remoteClosed = true;
    deliver();
  }

  @Override
  public void onReset(MuxedStream s, StreamException cause) {
    if (failure == null) {
      failure = cause;
    }
    deliver();
  }
}
