/**
 * SpacePanda: serverless, end-to-end encrypted group chat (MLS, RFC 9420) over libp2p.
 *
 * <p>An application uses {@link io.spacepanda} (the API: {@link io.spacepanda.SpacePanda},
 * spaces, channels, messages, listeners, {@link io.spacepanda.Storages}); a plug-in implements
 * {@link io.spacepanda.spi} (storage, transport, scheduler). Everything under {@code
 * io.spacepanda.internal} is not exported and may change in any release.
 *
 * <p>No type of a dependency appears in the exported API, so this module requires none of them
 * transitively.
 */
@SuppressWarnings("requires-automatic") // tink, netty and protobuf are automatic modules
module io.spacepanda {
  exports io.spacepanda;
  exports io.spacepanda.spi;

  requires java.sql;
  requires org.bouncycastle.provider;
  requires org.slf4j;
  requires org.xerial.sqlitejdbc;
  requires com.github.benmanes.caffeine;
  requires com.google.crypto.tink;
  requires com.google.protobuf;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  // Not used by this module: Netty (an automatic module) finds sun.misc.Unsafe here for direct
  // buffers and their cleaner; without it in the module graph Netty falls back to heap buffers.
  requires jdk.unsupported;
  // Optional: only SpacePandaMeterBinder uses Micrometer; the module resolves without it.
  requires static micrometer.core;
}
