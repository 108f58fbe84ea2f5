package io.spacepanda.internal.net.yamux;

import io.netty.buffer.ByteBuf;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.io.ByteArrayOutputStream;

/** Stream handler that records what arrives and consumes only when told to. */
final class RecordingHandler implements StreamHandler {

  final ByteArrayOutputStream received = new ByteArrayOutputStream();
  final boolean autoConsume;
  int unconsumed;
  boolean remoteClosed;
  StreamException reset;

  RecordingHandler(boolean autoConsume) {
    this.autoConsume = autoConsume;
  }

  @Override
  public void onData(MuxedStream stream, ByteBuf data) {
    int n = data.readableBytes();
    byte[] bytes = new byte[n];
    data.readBytes(bytes);
    data.release();
    received.writeBytes(bytes);
    if (autoConsume) {
      stream.consumed(n);
    } else {
      unconsumed += n;
    }
  }

  @Override
  public void onRemoteClose(MuxedStream stream) {
    remoteClosed = true;
  }

  @Override
  public void onReset(MuxedStream stream, StreamException cause) {
    reset = cause;
  }

  void consumeAll(MuxedStream stream) {
    int n = unconsumed;
    unconsumed = 0;
    stream.consumed(n);
  }
}
