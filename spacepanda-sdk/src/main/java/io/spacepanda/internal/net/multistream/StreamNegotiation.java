package io.spacepanda.internal.net.multistream;

import io.netty.buffer.ByteBuf;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a {@link MultistreamSelect} negotiation over a {@link MuxedStream}.
 *
 * <p>The returned future completes on the stream's event loop with the agreed protocol and the
 * bytes that followed the negotiation; the caller must install its own {@link StreamHandler}
 * before the future's callbacks return (the stream's handler is still this negotiation's until
 * then, and bytes arriving in between are kept for the next handler). Bytes consumed by the
 * negotiation itself are reported to {@link MuxedStream#consumed(int)}; the leftover bytes are
 * the caller's to report. On failure the stream is reset.
 */
public final class StreamNegotiation implements StreamHandler {

  /** The negotiation's outcome. */
  public static final class Result {
    private final String protocol;
    private final ByteBuf leftover;

    Result(String protocol, ByteBuf leftover) {
      this.protocol = protocol;
      this.leftover = leftover;
    }

    /**
     * Returns the agreed protocol id.
     *
     * @return the protocol
     */
    public String protocol() {
      return protocol;
    }

    /**
     * Returns bytes received after negotiation; the caller owns and must release them.
     *
     * @return the leftover bytes, possibly empty
     */
    public ByteBuf leftover() {
      return leftover;
    }
  }

  private final MuxedStream stream;
  private final MultistreamSelect select;
  private final CompletableFuture<Result> result = new CompletableFuture<>();
  private ByteBuf cumulation;
  private boolean remoteClosed;

  private StreamNegotiation(MuxedStream stream, MultistreamSelect select) {
    this.stream = stream;
    this.select = select;
  }

  /**
   * Starts negotiating on {@code stream}.
   *
   * @param stream a fresh stream
   * @param select a negotiation not yet started
   * @return completes with the outcome, or fails with {@link MultistreamException} or {@link
   *     StreamException}
   */
  public static CompletableFuture<Result> negotiate(MuxedStream stream, MultistreamSelect select) {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(select, "select");
    StreamNegotiation n = new StreamNegotiation(stream, select);
    stream.executor().execute(n::begin);
    return n.result;
  }

  private void begin() {
    cumulation = stream.alloc().buffer();
    ByteBuf out = stream.alloc().buffer();
    select.start(out);
    stream.write(out);
    stream.setHandler(this);
  }

  @Override
  public void onData(MuxedStream s, ByteBuf data) {
    if (result.isDone()) {
      data.release();
      return;
    }
    try {
      cumulation.writeBytes(data);
    } finally {
      data.release();
    }
    int before = cumulation.readableBytes();
    ByteBuf out = stream.alloc().buffer();
    boolean done;
    try {
      done = select.receive(cumulation, out);
    } catch (MultistreamException e) {
      out.release();
      fail(e);
      return;
    }
    int used = before - cumulation.readableBytes();
    if (used > 0) {
      stream.consumed(used);
    }
    if (out.isReadable()) {
      stream.write(out);
    } else {
      out.release();
    }
    if (done) {
      ByteBuf rest = cumulation;
      cumulation = null;
      result.complete(new Result(select.selected(), rest));
      if (remoteClosed) {
        s.reset();
      }
    } else if (remoteClosed) {
      fail(new MultistreamException(MultistreamException.Kind.PROTOCOL_VIOLATION, "stream closed during negotiation"));
    }
  }

  @Override
  public void onRemoteClose(MuxedStream s) {
    remoteClosed = true;
    if (!result.isDone()) {
      fail(new MultistreamException(MultistreamException.Kind.PROTOCOL_VIOLATION, "stream closed during negotiation"));
    }
  }

  @Override
  public void onReset(MuxedStream s, StreamException cause) {
    if (!result.isDone()) {
      release();
      result.completeExceptionally(cause);
    }
  }

  private void fail(Throwable cause) {
    release();
    result.completeExceptionally(cause);
    stream.reset();
  }

  private void release() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }
}
