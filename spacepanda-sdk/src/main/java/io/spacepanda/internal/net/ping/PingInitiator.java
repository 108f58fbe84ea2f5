package io.spacepanda.internal.net.ping;

import io.netty.buffer.ByteBuf;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Pings over one stream this side opened: each {@link #ping()} sends 32 fresh random bytes and
 * completes with the round trip once the same bytes come back; pings on one stream run one after
 * the other.
 *
 * <p>Threading: {@link #ping()} and {@link #close()} may be called from any thread; the handler
 * methods run on the stream's event loop. Randomness and the clock are injected.
 */
public final class PingInitiator implements StreamHandler {

  private final Random random;
  private final LongSupplier nanoTicker;
  private MuxedStream stream;
  private byte[] sent;
  private final byte[] received = new byte[PingConstants.PAYLOAD_LENGTH];
  private int receivedLength;
  private long sentAtNanos;
  private CompletableFuture<Duration> pending;
  private StreamException ended;

  /**
   * Creates an initiator.
   *
   * @param random source of the ping payloads (a {@code SecureRandom} in production)
   * @param nanoTicker monotonic clock in nanoseconds
   */
  public PingInitiator(Random random, LongSupplier nanoTicker) {
    this.random = Objects.requireNonNull(random, "random");
    this.nanoTicker = Objects.requireNonNull(nanoTicker, "nanoTicker");
  }

  /**
   * Binds this initiator to {@code stream} and returns it as the stream's handler.
   *
   * @param target a stream negotiated to {@link PingConstants#PROTOCOL_ID}, opened by this side
   * @return this initiator, to install as the stream's handler
   */
  public PingInitiator attach(MuxedStream target) {
    this.stream = Objects.requireNonNull(target, "stream");
    return this;
  }

  /**
   * Sends one ping and waits for its echo.
   *
   * @return completes with the round-trip time, or fails with {@link PingException} when the echo
   *     differs, the stream ends first, or a ping is already in flight
   * @throws IllegalStateException before {@link #attach}
   */
  public CompletableFuture<Duration> ping() {
    if (stream == null) {
      throw new IllegalStateException("not attached to a stream");
    }
    CompletableFuture<Duration> result = new CompletableFuture<>();
    if (stream.executor().inEventLoop()) {
      start(result);
    } else {
      stream.executor().execute(() -> start(result));
    }
    return result;
  }

  private void start(CompletableFuture<Duration> result) {
    if (ended != null) {
      result.completeExceptionally(new PingException("ping stream ended", ended));
      return;
    }
    if (pending != null) {
      result.completeExceptionally(new PingException("a ping is already in flight"));
      return;
    }
    pending = result;
    sent = new byte[PingConstants.PAYLOAD_LENGTH];
    random.nextBytes(sent);
    receivedLength = 0;
    sentAtNanos = nanoTicker.getAsLong();
    stream.write(stream.alloc().buffer(sent.length).writeBytes(sent));
  }

  /**
   * Half-closes the stream; the responder then closes its side too.
   */
  public void close() {
    if (stream != null) {
      stream.closeWrite();
    }
  }

  @Override
  public void onData(MuxedStream from, ByteBuf data) {
    int n = data.readableBytes();
    try {
      while (data.isReadable()) {
        if (pending == null) {
          failAndReset(from, new PingException("unsolicited ping echo"));
          return;
        }
        int take = Math.min(data.readableBytes(), received.length - receivedLength);
        data.readBytes(received, receivedLength, take);
        receivedLength += take;
        if (receivedLength == received.length) {
          CompletableFuture<Duration> done = pending;
          pending = null;
          if (MessageDigest.isEqual(sent, received)) {
            done.complete(Duration.ofNanos(Math.max(1, nanoTicker.getAsLong() - sentAtNanos)));
          } else {
            done.completeExceptionally(new PingException("ping echo differs"));
            from.reset();
            return;
          }
        }
      }
    } finally {
      data.release();
      from.consumed(n);
    }
  }

  private void failAndReset(MuxedStream from, PingException e) {
    ended = e;
    from.reset();
  }

  @Override
  public void onRemoteClose(MuxedStream from) {
    ended = new PingException("peer closed the ping stream");
    if (pending != null) {
      CompletableFuture<Duration> done = pending;
      pending = null;
      done.completeExceptionally(ended);
    }
  }

  @Override
  public void onReset(MuxedStream from, StreamException cause) {
    ended = cause;
    if (pending != null) {
      CompletableFuture<Duration> done = pending;
      pending = null;
      done.completeExceptionally(new PingException("ping stream reset", cause));
    }
  }
}
