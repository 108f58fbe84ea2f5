package io.spacepanda.internal.net.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamClosedException;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import io.spacepanda.internal.net.stream.StreamResetException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Yamux stream: a send queue drained as far as the peer's window allows, and a receive window
 * reopened as the consumer reports consumption, grown when it is consumed within two round trips.
 *
 * <p>All state is confined to the session's event loop; public methods hop there.
 */
final class YamuxStream implements MuxedStream {

  private static final Logger LOG = LoggerFactory.getLogger(YamuxStream.class);
  private static final long MAX_WINDOW = 0xFFFF_FFFFL;

  private final YamuxSession session;
  private final long id;
  private final boolean initiator;
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private final ArrayDeque<PendingWrite> sendQueue = new ArrayDeque<>();
  private final ArrayDeque<ByteBuf> undelivered = new ArrayDeque<>();

  private StreamHandler handler;
  private long sendWindow = YamuxConstants.INITIAL_WINDOW;
  private long queuedBytes;
  private long receiveWindow = YamuxConstants.INITIAL_WINDOW;
  private long receiveAvailable = YamuxConstants.INITIAL_WINDOW;
  private long credit;
  private long lastWindowUpdateNanos;
  private boolean localClosed;
  private boolean finSent;
  private boolean remoteClosed;
  private boolean remoteCloseUndelivered;
  private StreamException endCause;
  private boolean endUndelivered;
  private boolean finished;
  private CompletableFuture<Void> closeWriteFuture;
  private boolean awaitingAck;

  YamuxStream(YamuxSession session, long id, boolean initiator, long nowNanos) {
    this.session = session;
    this.id = id;
    this.initiator = initiator;
    this.lastWindowUpdateNanos = nowNanos;
  }

  @Override
  public long id() {
    return id;
  }

  @Override
  public boolean isInitiator() {
    return initiator;
  }

  @Override
  public void setHandler(StreamHandler newHandler) {
    Objects.requireNonNull(newHandler, "handler");
    session.runOnLoop(() -> {
      handler = newHandler;
      drainUndelivered();
    });
  }

  @Override
  public CompletableFuture<Void> write(ByteBuf data) {
    Objects.requireNonNull(data, "data");
    CompletableFuture<Void> result = new CompletableFuture<>();
    session.runOnLoop(() -> {
      StreamException refusal = writeRefusal(data.readableBytes());
      if (refusal != null) {
        ReferenceCountUtil.release(data);
        result.completeExceptionally(refusal);
        return;
      }
      sendQueue.add(new PendingWrite(data, result));
      queuedBytes += data.readableBytes();
      flushSendQueue();
    }, data, result);
    return result;
  }

  private StreamException writeRefusal(int bytes) {
    if (endCause != null) {
      return endCause instanceof StreamResetException
          ? new StreamResetException("stream was reset")
          : new StreamClosedException("connection closed");
    }
    if (localClosed) {
      return new StreamClosedException("stream closed for writing");
    }
    if (queuedBytes + bytes > session.config().maxQueuedBytes()) {
      return new StreamException("stream send queue full");
    }
    return null;
  }

  @Override
  public CompletableFuture<Void> closeWrite() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    session.runOnLoop(() -> {
      if (closeWriteFuture != null) {
        closeWriteFuture.whenComplete((v, e) -> complete(result, e));
        return;
      }
      closeWriteFuture = result;
      if (endCause != null) {
        result.completeExceptionally(new StreamClosedException("stream already ended", endCause));
        return;
      }
      localClosed = true;
      sendQueue.add(new PendingWrite(null, result));
      flushSendQueue();
    }, null, result);
    return result;
  }

  @Override
  public void reset() {
    session.runOnLoop(() -> {
      if (finished) {
        return;
      }
      session.sendReset(id);
      end(new StreamResetException("stream reset locally"));
    });
  }

  @Override
  public void consumed(int bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes " + bytes);
    }
    session.runOnLoop(() -> {
      if (finished || remoteClosed || bytes == 0) {
        return;
      }
      credit += bytes;
      maybeSendWindowUpdate();
    });
  }

  @Override
  public EventExecutor executor() {
    return session.executor();
  }

  @Override
  public ByteBufAllocator alloc() {
    return session.alloc();
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return closeFuture;
  }

  @Override
  public String toString() {
    return "YamuxStream{id=" + id + ", initiator=" + initiator + "}";
  }

  // ---- event-loop side, called by the session ----

  long receiveAvailable() {
    return receiveAvailable;
  }

  long receiveWindow() {
    return receiveWindow;
  }

  long sendWindow() {
    return sendWindow;
  }

  boolean isFinished() {
    return finished;
  }

  boolean isAwaitingAck() {
    return awaitingAck;
  }

  void setAwaitingAck(boolean value) {
    awaitingAck = value;
  }

  /** Applies a window-update delta from the peer (yamux spec: "Window Update"). */
  void onWindowUpdate(long delta) throws YamuxProtocolException {
    if (sendWindow + delta > MAX_WINDOW) {
      throw new YamuxProtocolException("yamux send window overflow");
    }
    sendWindow += delta;
    flushSendQueue();
  }

  /** Takes a data payload from the peer; the caller checked it against the window. */
  void onData(ByteBuf payload) throws YamuxProtocolException {
    int length = payload.readableBytes();
    if (length > receiveAvailable) {
      payload.release();
      throw new YamuxProtocolException("yamux receive window exceeded");
    }
    if (remoteClosed || finished) {
      payload.release();
      if (!finished) {
        session.sendReset(id);
        end(new StreamResetException("peer wrote after half-closing"));
      }
      return;
    }
    receiveAvailable -= length;
    if (length == 0) {
      payload.release();
      return;
    }
    undelivered.add(payload);
    drainUndelivered();
  }

  /** Marks the peer's side as half-closed (FIN). */
  void onRemoteFin() {
    if (remoteClosed || finished) {
      return;
    }
    remoteClosed = true;
    remoteCloseUndelivered = true;
    drainUndelivered();
    maybeFinish();
  }

  /** Ends the stream without telling the peer, because the peer reset it or the session ended. */
  void end(StreamException cause) {
    if (finished) {
      return;
    }
    finished = true;
    endCause = cause;
    endUndelivered = true;
    for (PendingWrite pending : sendQueue) {
      ReferenceCountUtil.release(pending.data);
      pending.future.completeExceptionally(cause);
    }
    sendQueue.clear();
    queuedBytes = 0;
    session.streamEnded(this);
    closeFuture.completeExceptionally(cause);
    drainUndelivered();
  }

  /** Drains the send queue as far as the send window allows (yamux spec: flow control). */
  void flushSendQueue() {
    boolean wrote = false;
    while (!sendQueue.isEmpty() && !finished) {
      PendingWrite pending = sendQueue.peek();
      if (pending.data == null) {
        sendQueue.poll();
        ChannelFuture sent =
            session.writeFrame(YamuxConstants.TYPE_WINDOW_UPDATE, YamuxConstants.FLAG_FIN, id, 0, null);
        link(sent, pending.future);
        finSent = true;
        wrote = true;
        maybeFinish();
        continue;
      }
      if (!pending.data.isReadable()) {
        sendQueue.poll();
        pending.data.release();
        pending.future.complete(null);
        continue;
      }
      if (sendWindow == 0) {
        break;
      }
      int chunk = (int) Math.min(Math.min(pending.data.readableBytes(), sendWindow),
          session.config().maxSendFrame());
      ByteBuf slice = pending.data.readRetainedSlice(chunk);
      sendWindow -= chunk;
      queuedBytes -= chunk;
      ChannelFuture sent = session.writeFrame(YamuxConstants.TYPE_DATA, 0, id, chunk, slice);
      wrote = true;
      if (!pending.data.isReadable()) {
        sendQueue.poll();
        pending.data.release();
        link(sent, pending.future);
      }
    }
    if (wrote) {
      session.flush();
    }
  }

  private void maybeSendWindowUpdate() {
    if (credit < receiveWindow / 2) {
      return;
    }
    long delta = credit;
    long now = session.nanoTime();
    long rtt = session.rttNanos();
    int max = session.config().maxReceiveWindow();
    // Auto-tuning as go-yamux and rust-yamux do: a window consumed within two round trips is the
    // bottleneck, so double it up to the configured maximum.
    if (rtt > 0 && now - lastWindowUpdateNanos < 2 * rtt && receiveWindow < max) {
      long grow = session.grantWindowGrowth(Math.min(receiveWindow, max - receiveWindow));
      receiveWindow += grow;
      delta += grow;
    }
    lastWindowUpdateNanos = now;
    credit = 0;
    receiveAvailable += delta;
    session.writeFrame(YamuxConstants.TYPE_WINDOW_UPDATE, 0, id, delta, null);
    session.flush();
  }

  private void maybeFinish() {
    if (!finished && finSent && remoteClosed && sendQueue.isEmpty()) {
      finished = true;
      session.streamEnded(this);
      closeFuture.complete(null);
    }
  }

  private void drainUndelivered() {
    if (handler == null) {
      return;
    }
    try {
      while (!undelivered.isEmpty()) {
        if (endUndelivered && endCause != null) {
          undelivered.forEach(ByteBuf::release);
          undelivered.clear();
          break;
        }
        handler.onData(this, undelivered.poll());
      }
      if (remoteCloseUndelivered) {
        remoteCloseUndelivered = false;
        handler.onRemoteClose(this);
      }
      if (endUndelivered) {
        endUndelivered = false;
        handler.onReset(this, endCause);
      }
    } catch (RuntimeException e) {
      LOG.warn("stream handler failed on yamux stream {}; resetting it", id, e);
      if (!finished) {
        session.sendReset(id);
        end(new StreamResetException("stream handler failed"));
      }
    }
  }

  private static void link(ChannelFuture sent, CompletableFuture<Void> target) {
    sent.addListener(f -> {
      if (f.isSuccess()) {
        target.complete(null);
      } else {
        target.completeExceptionally(new StreamClosedException("connection closed", f.cause()));
      }
    });
  }

  private static void complete(CompletableFuture<Void> target, Throwable error) {
    if (error == null) {
      target.complete(null);
    } else {
      target.completeExceptionally(error);
    }
  }

  private record PendingWrite(ByteBuf data, CompletableFuture<Void> future) {}
}
