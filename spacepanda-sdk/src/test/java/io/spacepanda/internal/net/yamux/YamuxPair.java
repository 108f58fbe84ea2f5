package io.spacepanda.internal.net.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.spacepanda.internal.net.stream.MuxedStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Two Yamux sessions on embedded channels, wired to each other by an explicit {@link #pump()}. */
final class YamuxPair {

  final AtomicLong clock = new AtomicLong(1_000_000_000L);
  final List<MuxedStream> acceptedByDialer = new ArrayList<>();
  final List<MuxedStream> acceptedByListener = new ArrayList<>();
  final YamuxSession dialer;
  final YamuxSession listener;
  final EmbeddedChannel dialerChannel;
  final EmbeddedChannel listenerChannel;

  YamuxPair() {
    this(YamuxConfig.defaults(), YamuxConfig.defaults());
  }

  YamuxPair(YamuxConfig dialerConfig, YamuxConfig listenerConfig) {
    dialer = new YamuxSession(true, acceptedByDialer::add, dialerConfig.withNanoTicker(clock::get));
    listener = new YamuxSession(
        false, acceptedByListener::add, listenerConfig.withNanoTicker(clock::get));
    dialerChannel = new EmbeddedChannel(dialer);
    listenerChannel = new EmbeddedChannel(listener);
    pump();
  }

  /** Moves bytes both ways until neither side has anything left to send. */
  void pump() {
    boolean moved;
    do {
      moved = move(dialerChannel, listenerChannel) | move(listenerChannel, dialerChannel);
    } while (moved);
  }

  /** Takes everything the dialer wrote without delivering it. */
  List<ByteBuf> drainDialerOutput() {
    List<ByteBuf> out = new ArrayList<>();
    Object message;
    while ((message = dialerChannel.readOutbound()) != null) {
      out.add((ByteBuf) message);
    }
    return out;
  }

  private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    Object message;
    while ((message = from.readOutbound()) != null) {
      moved = true;
      if (to.isOpen()) {
        to.writeInbound(message);
      } else {
        ReferenceCountUtil.release(message);
      }
    }
    return moved;
  }

  void close() {
    dialerChannel.finishAndReleaseAll();
    listenerChannel.finishAndReleaseAll();
  }
}
