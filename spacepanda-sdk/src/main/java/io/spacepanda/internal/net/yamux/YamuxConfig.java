package io.spacepanda.internal.net.yamux;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Limits and timings of a Yamux session; {@link #defaults()} gives the values libp2p peers expect.
 *
 * @param maxReceiveWindow largest receive window per stream auto-tuning may reach, at least 256 KiB
 * @param maxStreams largest number of live streams per connection, both directions together
 * @param maxUnackedStreams largest number of outbound streams not yet acknowledged by the peer
 * @param maxSendFrame largest data payload put into one outgoing frame
 * @param maxQueuedBytes bound of bytes per stream queued while waiting for send window
 * @param keepAliveInterval time between keep-alive pings, {@link Duration#ZERO} for none
 * @param pingTimeout time a ping may stay unanswered before the connection is closed
 * @param nanoTicker monotonic clock in nanoseconds, for round-trip times and auto-tuning
 * @param maxConnectionReceiveWindow largest sum of window growth auto-tuning grants across all
 *     streams of one connection, beyond each stream's initial 256 KiB; at least {@code
 *     maxReceiveWindow}, so one stream can reach its maximum but a few streams cannot take a
 *     connection's whole budget
 */
public record YamuxConfig(
    int maxReceiveWindow,
    int maxStreams,
    int maxUnackedStreams,
    int maxSendFrame,
    int maxQueuedBytes,
    Duration keepAliveInterval,
    Duration pingTimeout,
    LongSupplier nanoTicker,
    long maxConnectionReceiveWindow) {

  /**
   * Creates a configuration, checking every bound.
   *
   * @throws IllegalArgumentException naming the first value out of range
   */
  public YamuxConfig {
    Objects.requireNonNull(keepAliveInterval, "keepAliveInterval");
    Objects.requireNonNull(pingTimeout, "pingTimeout");
    Objects.requireNonNull(nanoTicker, "nanoTicker");
    if (maxReceiveWindow < YamuxConstants.INITIAL_WINDOW) {
      throw new IllegalArgumentException("maxReceiveWindow " + maxReceiveWindow);
    }
    if (maxConnectionReceiveWindow < maxReceiveWindow) {
      throw new IllegalArgumentException("maxConnectionReceiveWindow " + maxConnectionReceiveWindow
          + " below maxReceiveWindow " + maxReceiveWindow);
    }
    if (maxStreams < 1) {
      throw new IllegalArgumentException("maxStreams " + maxStreams);
    }
    if (maxUnackedStreams < 1) {
      throw new IllegalArgumentException("maxUnackedStreams " + maxUnackedStreams);
    }
    if (maxSendFrame < 1) {
      throw new IllegalArgumentException("maxSendFrame " + maxSendFrame);
    }
    if (maxQueuedBytes < 1) {
      throw new IllegalArgumentException("maxQueuedBytes " + maxQueuedBytes);
    }
    if (keepAliveInterval.isNegative()) {
      throw new IllegalArgumentException("keepAliveInterval " + keepAliveInterval);
    }
    if (pingTimeout.isNegative() || pingTimeout.isZero()) {
      throw new IllegalArgumentException("pingTimeout " + pingTimeout);
    }
  }

  /**
   * Returns the default configuration: 16 MiB max window per stream, 32 MiB of window growth per
   * connection, 512 streams, 256 unacknowledged
   * opens, 64 KiB frames, 4 MiB send
   * queue per stream, a ping every 30 s answered within 20 s, {@link System#nanoTime()}.
   *
   * @return the defaults
   */
  public static YamuxConfig defaults() {
    return new YamuxConfig(
        YamuxConstants.DEFAULT_MAX_RECEIVE_WINDOW,
        YamuxConstants.DEFAULT_MAX_STREAMS,
        YamuxConstants.DEFAULT_MAX_UNACKED_STREAMS,
        YamuxConstants.DEFAULT_MAX_SEND_FRAME,
        YamuxConstants.DEFAULT_MAX_QUEUED_BYTES,
        Duration.ofSeconds(YamuxConstants.DEFAULT_KEEP_ALIVE_SECONDS),
        Duration.ofSeconds(YamuxConstants.DEFAULT_PING_TIMEOUT_SECONDS),
        System::nanoTime,
        YamuxConstants.DEFAULT_MAX_CONNECTION_RECEIVE_WINDOW);
  }

  /**
   * Returns a copy with another stream limit.
   *
   * @param value the new limit of live streams
   * @return the copy
   */
  public YamuxConfig withMaxStreams(int value) {
    return new YamuxConfig(maxReceiveWindow, value, maxUnackedStreams, maxSendFrame,
        maxQueuedBytes, keepAliveInterval, pingTimeout, nanoTicker,
        Math.max(maxConnectionReceiveWindow, maxReceiveWindow));
  }

  /**
   * Returns a copy with another limit of unacknowledged outbound streams.
   *
   * @param value the new limit
   * @return the copy
   */
  public YamuxConfig withMaxUnackedStreams(int value) {
    return new YamuxConfig(maxReceiveWindow, maxStreams, value, maxSendFrame, maxQueuedBytes,
        keepAliveInterval, pingTimeout, nanoTicker,
        Math.max(maxConnectionReceiveWindow, maxReceiveWindow));
  }

  /**
   * Returns a copy with another maximum receive window.
   *
   * @param value the new bound for auto-tuning
   * @return the copy
   */
  public YamuxConfig withMaxReceiveWindow(int value) {
    return new YamuxConfig(value, maxStreams, maxUnackedStreams, maxSendFrame, maxQueuedBytes,
        keepAliveInterval, pingTimeout, nanoTicker,
        Math.max(maxConnectionReceiveWindow, maxReceiveWindow));
  }

  /**
   * Returns a copy with another send-queue bound per stream.
   *
   * @param value the new bound in bytes
   * @return the copy
   */
  public YamuxConfig withMaxQueuedBytes(int value) {
    return new YamuxConfig(maxReceiveWindow, maxStreams, maxUnackedStreams, maxSendFrame, value,
        keepAliveInterval, pingTimeout, nanoTicker,
        Math.max(maxConnectionReceiveWindow, maxReceiveWindow));
  }

  /**
   * Returns a copy with other keep-alive timings.
   *
   * @param interval time between pings, {@link Duration#ZERO} for none
   * @param timeout time a ping may stay unanswered
   * @return the copy
   */
  public YamuxConfig withKeepAlive(Duration interval, Duration timeout) {
    return new YamuxConfig(maxReceiveWindow, maxStreams, maxUnackedStreams, maxSendFrame,
        maxQueuedBytes, interval, timeout, nanoTicker, maxConnectionReceiveWindow);
  }

  /**
   * Returns a copy with another clock.
   *
   * @param ticker monotonic nanoseconds
   * @return the copy
   */
  public YamuxConfig withNanoTicker(LongSupplier ticker) {
    return new YamuxConfig(maxReceiveWindow, maxStreams, maxUnackedStreams, maxSendFrame,
        maxQueuedBytes, keepAliveInterval, pingTimeout, ticker, maxConnectionReceiveWindow);
  }

  /**
   * Returns a copy with another bound on window growth per connection.
   *
   * @param value bytes, at least {@code maxReceiveWindow}
   * @return the copy
   */
  public YamuxConfig withMaxConnectionReceiveWindow(long value) {
    return new YamuxConfig(maxReceiveWindow, maxStreams, maxUnackedStreams, maxSendFrame,
        maxQueuedBytes, keepAliveInterval, pingTimeout, nanoTicker, value);
  }
}
