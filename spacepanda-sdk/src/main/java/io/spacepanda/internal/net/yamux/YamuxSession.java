package io.spacepanda.internal.net.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.spacepanda.internal.net.stream.InboundStreamListener;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.MuxerProtocolException;
import io.spacepanda.internal.net.stream.StreamClosedException;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamMuxer;
import io.spacepanda.internal.net.stream.StreamResetException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Yamux 1.0 session over one secured connection, as the last handler of its Netty pipeline.
 *
 * <p>Design (hashicorp yamux spec.md): inbound bytes are cut into frames by {@link YamuxHeader};
 * data and window-update frames go to their {@link YamuxStream}, ping and go-away are handled here.
 * The dialer opens odd stream ids, the listener even ones. A stream is opened with a window update
 * carrying SYN and accepted with one carrying ACK; new streams beyond {@link
 * YamuxConfig#maxStreams()} or after a go-away are refused with RST. Outbound opens beyond {@link
 * YamuxConfig#maxUnackedStreams()} streams the peer has not acknowledged yet (ten until its first
 * acknowledgement, see {@link YamuxConstants#EARLY_UNACKED_STREAMS}) wait for acknowledgements.
 * Anything that breaks the spec
 * (bad header, unknown stream, window overrun, reused id) is a {@link YamuxProtocolException}: the
 * session sends go-away with the protocol-error code and closes the connection. Answers the peer
 * provokes (ping answers, refusals of streams beyond the limit) are skipped while the channel is
 * not writable, so a peer that does not read cannot grow our outbound buffer. A ping is sent at
 * start to learn the round-trip time auto-tuning needs, then every keep-alive interval; one left
 * unanswered for the ping timeout closes the connection.
 *
 * <p>Threading: all state is confined to the channel's event loop; public methods may be called
 * from any thread and hop there.
 */
public final class YamuxSession extends ByteToMessageDecoder implements StreamMuxer {

  private static final Logger LOG = LoggerFactory.getLogger(YamuxSession.class);
  private static final long MAX_STREAM_ID = 0xFFFF_FFFFL;

  private final boolean initiator;
  private final InboundStreamListener inbound;
  private final YamuxConfig config;
  private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
  private final Map<Long, YamuxStream> streams = new HashMap<>();
  private final ArrayDeque<CompletableFuture<MuxedStream>> pendingOpens = new ArrayDeque<>();

  private ChannelHandlerContext ctx;
  private YamuxHeader pendingHeader;
  private long nextStreamId;
  private long highestRemoteId;
  private int unackedStreams;
  private long windowGrowth; // receive window granted beyond the initial windows; on the event loop
  private boolean peerAcknowledged;
  private boolean started;
  private volatile boolean closed;
  private volatile boolean localGoAway;
  private volatile boolean remoteGoAway;
  private volatile int streamCount;
  private long rttNanos;
  private long nextPingValue = 1;
  private long outstandingPing = -1;
  private long pingSentNanos;
  private CompletableFuture<Duration> pingFuture;
  private ScheduledFuture<?> pingTimeoutTask;
  private ScheduledFuture<?> keepAliveTask;

  /**
   * Creates a session to be added to a secured channel's pipeline.
   *
   * @param initiator whether this side dialed the connection (it then opens odd stream ids)
   * @param inbound receives streams the peer opens
   * @param config limits and timings
   */
  public YamuxSession(boolean initiator, InboundStreamListener inbound, YamuxConfig config) {
    this.initiator = initiator;
    this.inbound = Objects.requireNonNull(inbound, "inbound");
    this.config = Objects.requireNonNull(config, "config");
    this.nextStreamId = initiator ? 1 : 2;
  }

  // ---- StreamMuxer ----

  @Override
  public CompletableFuture<MuxedStream> openStream() {
    CompletableFuture<MuxedStream> result = new CompletableFuture<>();
    runOnLoop(() -> {
      StreamException refusal = openRefusal();
      if (refusal != null) {
        result.completeExceptionally(refusal);
        return;
      }
      if (streams.size() + pendingOpens.size() >= config.maxStreams()) {
        result.completeExceptionally(new StreamException("yamux stream limit reached"));
        return;
      }
      if (unackedStreams >= unackedLimit()) {
        pendingOpens.add(result);
        return;
      }
      open(result);
    }, null, result);
    return result;
  }

  private StreamException openRefusal() {
    if (closed || localGoAway || remoteGoAway) {
      return new StreamClosedException("session no longer opens streams");
    }
    if (nextStreamId > MAX_STREAM_ID) {
      return new StreamClosedException("yamux stream ids exhausted");
    }
    return null;
  }

  private int unackedLimit() {
    return peerAcknowledged
        ? config.maxUnackedStreams()
        : Math.min(config.maxUnackedStreams(), YamuxConstants.EARLY_UNACKED_STREAMS);
  }

  private void open(CompletableFuture<MuxedStream> result) {
    long id = nextStreamId;
    nextStreamId += 2;
    YamuxStream stream = new YamuxStream(this, id, true, nanoTime());
    stream.setAwaitingAck(true);
    unackedStreams++;
    addStream(stream);
    // yamux spec: "Opening a stream" - a window update with SYN and no extra credit.
    writeFrame(YamuxConstants.TYPE_WINDOW_UPDATE, YamuxConstants.FLAG_SYN, id, 0, null);
    flush();
    result.complete(stream);
  }

  /** Opens waiting streams as far as the unacknowledged-stream limit allows, or fails them. */
  private void drainPendingOpens() {
    while (!pendingOpens.isEmpty()) {
      StreamException refusal = openRefusal();
      if (refusal != null) {
        pendingOpens.poll().completeExceptionally(refusal);
        continue;
      }
      if (unackedStreams >= unackedLimit()) {
        return;
      }
      open(pendingOpens.poll());
    }
  }

  private void acknowledged(YamuxStream stream) {
    if (stream.isAwaitingAck()) {
      stream.setAwaitingAck(false);
      unackedStreams--;
      peerAcknowledged = true;
      drainPendingOpens();
    }
  }

  @Override
  public CompletableFuture<Void> goAway() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    runOnLoop(() -> {
      if (closed) {
        result.completeExceptionally(new StreamClosedException("session closed"));
        return;
      }
      if (localGoAway) {
        result.complete(null);
        return;
      }
      localGoAway = true;
      drainPendingOpens();
      ChannelFuture sent = writeFrame(
          YamuxConstants.TYPE_GO_AWAY, 0, 0, YamuxConstants.GO_AWAY_NORMAL, null);
      flush();
      sent.addListener(f -> {
        if (f.isSuccess()) {
          result.complete(null);
        } else {
          result.completeExceptionally(new StreamClosedException("connection closed", f.cause()));
        }
      });
    }, null, result);
    return result;
  }

  @Override
  public void close() {
    runOnLoop(() -> {
      if (closed || ctx == null) {
        return;
      }
      if (!localGoAway) {
        localGoAway = true;
        writeFrame(YamuxConstants.TYPE_GO_AWAY, 0, 0, YamuxConstants.GO_AWAY_NORMAL, null);
      }
      ctx.flush();
      shutDown(new StreamClosedException("session closed locally"));
      closeFuture.complete(null);
      ctx.close();
    });
  }

  @Override
  public int streamCount() {
    return streamCount;
  }

  @Override
  public boolean isOpen() {
    return !closed && !localGoAway && !remoteGoAway;
  }

  @Override
  public CompletableFuture<Void> closeFuture() {
    return closeFuture;
  }

  /**
   * Sends a ping and measures the round trip; one ping is outstanding at a time, so a call while
   * one is in flight returns that ping's future.
   *
   * @return completes with the round-trip time, or fails with {@link StreamClosedException} when
   *     the session closes or the ping times out (which also closes the session)
   */
  public CompletableFuture<Duration> ping() {
    CompletableFuture<Duration> result = new CompletableFuture<>();
    runOnLoop(() -> {
      if (closed) {
        result.completeExceptionally(new StreamClosedException("session closed"));
        return;
      }
      sendPing().whenComplete((rtt, e) -> {
        if (e == null) {
          result.complete(rtt);
        } else {
          result.completeExceptionally(e);
        }
      });
    }, null, result);
    return result;
  }

  /**
   * Returns the last measured round-trip time.
   *
   * @return the round trip, or {@link Duration#ZERO} before the first ping was answered
   */
  public Duration rtt() {
    return Duration.ofNanos(rttNanos);
  }

  // ---- Netty ----

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    this.ctx = context;
    if (context.channel().isActive()) {
      start();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext context) throws Exception {
    start();
    super.channelActive(context);
  }

  private void start() {
    if (started) {
      return;
    }
    started = true;
    sendPing();
    long interval = config.keepAliveInterval().toNanos();
    if (interval > 0) {
      keepAliveTask = ctx.executor().scheduleAtFixedRate(
          this::keepAlive, interval, interval, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
    if (closed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      while (!closed) {
        if (pendingHeader == null) {
          if (in.readableBytes() < YamuxConstants.HEADER_LENGTH) {
            return;
          }
          pendingHeader = YamuxHeader.decode(in, config.maxReceiveWindow());
          checkAllowance(pendingHeader);
        }
        YamuxHeader header = pendingHeader;
        ByteBuf payload = null;
        if (header.type() == YamuxConstants.TYPE_DATA) {
          if (in.readableBytes() < header.length()) {
            return;
          }
          // Copied so that a small payload held by a slow consumer never pins a large cumulation.
          payload = context.alloc().buffer((int) header.length());
          payload.writeBytes(in, (int) header.length());
        }
        pendingHeader = null;
        handleFrame(header, payload);
      }
    } catch (YamuxProtocolException e) {
      in.skipBytes(in.readableBytes());
      failProtocol(e);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) throws Exception {
    if (!closed) {
      shutDown(new StreamClosedException("connection closed"));
      closeFuture.complete(null);
    }
    super.channelInactive(context);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    LOG.debug("yamux connection failed", cause);
    if (!closed) {
      StreamClosedException error = new StreamClosedException("connection failed", cause);
      shutDown(error);
      closeFuture.completeExceptionally(error);
      context.close();
    }
  }

  // ---- frame handling, on the event loop ----

  /** Rejects a data frame larger than its stream's window before its payload is buffered. */
  private void checkAllowance(YamuxHeader header) throws YamuxProtocolException {
    if (header.type() != YamuxConstants.TYPE_DATA) {
      return;
    }
    YamuxStream stream = streams.get(header.streamId());
    long allowance = stream != null
        ? stream.receiveAvailable()
        : header.has(YamuxConstants.FLAG_SYN) ? YamuxConstants.INITIAL_WINDOW
        : config.maxReceiveWindow();
    if (header.length() > allowance) {
      throw new YamuxProtocolException("yamux receive window exceeded");
    }
  }

  private void handleFrame(YamuxHeader header, ByteBuf payload) throws YamuxProtocolException {
    switch (header.type()) {
      case YamuxConstants.TYPE_PING -> handlePing(header);
      case YamuxConstants.TYPE_GO_AWAY -> handleGoAway(header);
      default -> {
        try {
          handleStreamFrame(header, payload);
          payload = null;
        } finally {
          ReferenceCountUtil.release(payload);
        }
      }
    }
  }

  // yamux spec: "Ping" - SYN asks, ACK answers with the same opaque value.
  private void handlePing(YamuxHeader header) {
    if (header.has(YamuxConstants.FLAG_SYN)) {
      // A peer that pings without reading the answers must not grow our outbound buffer.
      if (ctx.channel().isWritable()) {
        writeFrame(YamuxConstants.TYPE_PING, YamuxConstants.FLAG_ACK, 0, header.length(), null);
        flush();
      }
    } else if (header.has(YamuxConstants.FLAG_ACK) && header.length() == outstandingPing) {
      rttNanos = Math.max(1, nanoTime() - pingSentNanos);
      outstandingPing = -1;
      cancel(pingTimeoutTask);
      CompletableFuture<Duration> done = pingFuture;
      pingFuture = null;
      done.complete(Duration.ofNanos(rttNanos));
    }
  }

  // yamux spec: "Go Away" - no new streams; a non-zero code means the peer saw an error.
  private void handleGoAway(YamuxHeader header) {
    remoteGoAway = true;
    drainPendingOpens();
    if (header.length() != YamuxConstants.GO_AWAY_NORMAL) {
      StreamClosedException error = new StreamClosedException("peer went away with an error");
      shutDown(error);
      closeFuture.completeExceptionally(error);
      ctx.close();
    }
  }

  private void handleStreamFrame(YamuxHeader header, ByteBuf payload)
      throws YamuxProtocolException {
    long id = header.streamId();
    YamuxStream stream = streams.get(id);
    if (header.has(YamuxConstants.FLAG_SYN)) {
      if (stream != null) {
        throw new YamuxProtocolException("yamux stream opened twice");
      }
      if (isLocalId(id)) {
        throw new YamuxProtocolException("yamux stream id of the wrong parity");
      }
      if (id <= highestRemoteId) {
        throw new YamuxProtocolException("yamux stream id reused");
      }
      highestRemoteId = id;
      if (localGoAway || remoteGoAway || streams.size() >= config.maxStreams()) {
        // Refused with RST; dropped instead when a peer floods opens without reading.
        if (ctx.channel().isWritable()) {
          sendReset(id);
        }
        ReferenceCountUtil.release(payload);
        return;
      }
      stream = new YamuxStream(this, id, false, nanoTime());
      addStream(stream);
      writeFrame(YamuxConstants.TYPE_WINDOW_UPDATE, YamuxConstants.FLAG_ACK, id, 0, null);
      flush();
      try {
        inbound.onInboundStream(stream);
      } catch (RuntimeException e) {
        LOG.warn("inbound stream listener failed; resetting yamux stream {}", id, e);
        stream.reset();
      }
    } else if (stream == null) {
      boolean known = isLocalId(id) ? id < nextStreamId : id <= highestRemoteId;
      ReferenceCountUtil.release(payload);
      if (!known) {
        throw new YamuxProtocolException("yamux frame for a stream never opened");
      }
      return;
    }
    if (stream.isFinished()) {
      ReferenceCountUtil.release(payload);
      return;
    }
    acknowledged(stream);
    if (header.type() == YamuxConstants.TYPE_WINDOW_UPDATE) {
      stream.onWindowUpdate(header.length());
    } else if (payload != null) {
      stream.onData(payload);
    }
    if (header.has(YamuxConstants.FLAG_RST)) {
      stream.end(new StreamResetException("stream reset by peer"));
    } else if (header.has(YamuxConstants.FLAG_FIN)) {
      stream.onRemoteFin();
    }
  }

  private boolean isLocalId(long id) {
    return (id % 2 == 1) == initiator;
  }

  private CompletableFuture<Duration> sendPing() {
    if (pingFuture != null) {
      return pingFuture;
    }
    pingFuture = new CompletableFuture<>();
    outstandingPing = nextPingValue;
    nextPingValue = nextPingValue == 0xFFFF_FFFFL ? 1 : nextPingValue + 1;
    pingSentNanos = nanoTime();
    long sentValue = outstandingPing;
    writeFrame(YamuxConstants.TYPE_PING, YamuxConstants.FLAG_SYN, 0, sentValue, null);
    flush();
    pingTimeoutTask = ctx.executor().schedule(() -> {
      if (!closed && outstandingPing == sentValue) {
        failClosed(new StreamClosedException("yamux ping timed out"));
      }
    }, config.pingTimeout().toNanos(), TimeUnit.NANOSECONDS);
    return pingFuture;
  }

  private void keepAlive() {
    if (!closed && pingFuture == null) {
      sendPing();
    }
  }

  private void failProtocol(MuxerProtocolException e) {
    if (closed) {
      return;
    }
    LOG.debug("yamux peer broke the protocol: {}", e.getMessage());
    writeFrame(YamuxConstants.TYPE_GO_AWAY, 0, 0, YamuxConstants.GO_AWAY_PROTOCOL_ERROR, null);
    ctx.flush();
    failClosed(e);
  }

  private void failClosed(StreamException e) {
    if (closed) {
      return;
    }
    shutDown(e);
    closeFuture.completeExceptionally(e);
    ctx.close();
  }

  /** Marks the session closed and ends every stream and pending ping with {@code cause}. */
  private void shutDown(StreamException cause) {
    closed = true;
    cancel(keepAliveTask);
    cancel(pingTimeoutTask);
    if (pingFuture != null) {
      CompletableFuture<Duration> pending = pingFuture;
      pingFuture = null;
      pending.completeExceptionally(new StreamClosedException("session closed", cause));
    }
    drainPendingOpens();
    StreamClosedException streamCause = cause instanceof StreamClosedException closedCause
        ? closedCause : new StreamClosedException("connection closed", cause);
    for (YamuxStream stream : new ArrayList<>(streams.values())) {
      stream.end(streamCause);
    }
    if (pendingHeader != null) {
      pendingHeader = null;
    }
  }

  private static void cancel(ScheduledFuture<?> task) {
    if (task != null) {
      task.cancel(false);
    }
  }

  // ---- services for YamuxStream ----

  YamuxConfig config() {
    return config;
  }

  long nanoTime() {
    return config.nanoTicker().getAsLong();
  }

  long rttNanos() {
    return rttNanos;
  }

  EventExecutor executor() {
    return ctx.executor();
  }

  ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  private void addStream(YamuxStream stream) {
    streams.put(stream.id(), stream);
    streamCount = streams.size();
  }

  /**
   * Grants up to {@code wanted} bytes of receive window growth from the connection's budget
   * ({@link YamuxConfig#maxConnectionReceiveWindow()}); on the event loop.
   *
   * @return the bytes granted, possibly 0
   */
  long grantWindowGrowth(long wanted) {
    long granted = Math.max(0, Math.min(wanted, config.maxConnectionReceiveWindow() - windowGrowth));
    windowGrowth += granted;
    return granted;
  }

  /** Returns the window growth currently granted across the connection's streams (for tests). */
  long windowGrowth() {
    return windowGrowth;
  }

  void streamEnded(YamuxStream stream) {
    if (streams.remove(stream.id()) != null) {
      windowGrowth -= stream.receiveWindow() - YamuxConstants.INITIAL_WINDOW;
    }
    streamCount = streams.size();
    if (stream.isAwaitingAck()) {
      stream.setAwaitingAck(false);
      unackedStreams--;
      drainPendingOpens();
    }
  }

  void sendReset(long id) {
    writeFrame(YamuxConstants.TYPE_WINDOW_UPDATE, YamuxConstants.FLAG_RST, id, 0, null);
    flush();
  }

  /** Writes one frame; a data payload's ownership passes to the channel. */
  ChannelFuture writeFrame(int type, int flags, long streamId, long length, ByteBuf payload) {
    ByteBuf header = ctx.alloc().buffer(YamuxConstants.HEADER_LENGTH);
    new YamuxHeader(type, flags, streamId, length).encode(header);
    if (payload == null) {
      return ctx.write(header);
    }
    CompositeByteBuf frame = ctx.alloc().compositeBuffer(2);
    frame.addComponents(true, header, payload);
    return ctx.write(frame);
  }

  void flush() {
    ctx.flush();
  }

  void runOnLoop(Runnable task) {
    runOnLoop(task, null, null);
  }

  /**
   * Runs {@code task} on the event loop; when the session is gone, releases {@code owned} and
   * fails {@code onReject} instead.
   */
  void runOnLoop(Runnable task, ByteBuf owned, CompletableFuture<?> onReject) {
    if (ctx == null) {
      ReferenceCountUtil.release(owned);
      if (onReject != null) {
        onReject.completeExceptionally(new StreamClosedException("session not installed"));
      }
      return;
    }
    EventExecutor executor = ctx.executor();
    if (executor.inEventLoop()) {
      task.run();
      return;
    }
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      ReferenceCountUtil.release(owned);
      if (onReject != null) {
        onReject.completeExceptionally(new StreamClosedException("connection closed", e));
      }
    }
  }
}
