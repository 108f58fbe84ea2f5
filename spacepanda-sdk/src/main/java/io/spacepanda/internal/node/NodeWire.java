package io.spacepanda.internal.node;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The node's own messages: what travels inside direct envelopes (join requests and answers,
 * whose bodies the space layer encodes, and channel-join requests, invites and Welcomes).
 *
 * <p>Space metadata travels separately, as {@code SpaceOp}s in the control group.
 *
 * <p>Wire form: TLS presentation language (RFC 9420 §2.1) with a leading {@code u8} kind. Every
 * variable field is bounded ({@link #MAX_FIELD}, {@link #MAX_WELCOME}, {@link #MAX_LIST}); any
 * malformed input ends in {@link MlsDecodeException}, never another exception.
 */
public final class NodeWire {

  /** Largest id, key, name, address or secret field, in bytes. */
  public static final int MAX_FIELD = 1024;

  /** Largest KeyPackage or Welcome, in bytes. */
  public static final int MAX_WELCOME = 512 * 1024;

  /** Largest number of entries in a list (addresses, channels, members). */
  public static final int MAX_LIST = 4096;

  /** Most fragments one message is split into. */
  public static final int MAX_FRAGMENTS = 64;

  /** Largest fragment chunk, in bytes. */
  public static final int MAX_FRAGMENT_CHUNK = 64 * 1024;

  /** Length of a fragmented message's random id, in bytes. */
  public static final int FRAGMENT_ID_LENGTH = 16;

  static final int JOIN_REQUEST = 1;
  static final int JOIN_RESPONSE = 2;
  static final int CHANNEL_JOIN_REQUEST = 4;
  static final int CHANNEL_WELCOME = 5;
  static final int CHANNEL_INVITE = 6;
  static final int MEMBER_INFO = 10;
  static final int FRAGMENT = 11;

  private NodeWire() {}

  /** A node message. */
  public sealed interface Msg permits Join, ChannelJoinRequest, ChannelWelcome, ChannelInvite,
      MemberInfo, Fragment {

    /**
     * Encodes the message with its kind.
     *
     * @return the encoding
     */
    byte[] toBytes();
  }

  /**
   * A peer's directory entry: how to reach it and seal to it.
   *
   * @param peer PeerId bytes
   * @param inboxKey X25519 inbox public key
   * @param addresses transport addresses
   */
  public record MemberInfo(byte[] peer, byte[] inboxKey, List<String> addresses) implements Msg {
    @Override
    public byte[] toBytes() {
      TlsWriter w = new TlsWriter().u8(MEMBER_INFO);
      write(w);
      return w.toByteArray();
    }

    void write(TlsWriter w) {
      w.opaque(peer).opaque(inboxKey);
      writeStrings(w, addresses);
    }

    static MemberInfo read(TlsReader r) throws MlsDecodeException {
      return new MemberInfo(r.opaque(MAX_FIELD), r.opaque(MAX_FIELD), readStrings(r));
    }
  }

  /**
   * What a member needs to know of a channel.
   *
   * @param channelId the channel id
   * @param name its display name
   * @param owner the owner's PeerId bytes
   */
  public record ChannelInfo(byte[] channelId, String name, byte[] owner) {
    void write(TlsWriter w) {
      w.opaque(channelId).opaque(name.getBytes(StandardCharsets.UTF_8)).opaque(owner);
    }

    static ChannelInfo read(TlsReader r) throws MlsDecodeException {
      return new ChannelInfo(r.opaque(MAX_FIELD), utf8(r.opaque(MAX_FIELD)), r.opaque(MAX_FIELD));
    }
  }

  /**
   * A join request or answer, whose body is the space layer's {@code JoinRequest} or {@code
   * JoinResponse} encoding.
   *
   * @param kind {@link #JOIN_REQUEST} or {@link #JOIN_RESPONSE}
   * @param body the encoded request or response
   */
  public record Join(int kind, byte[] body) implements Msg {
    @Override
    public byte[] toBytes() {
      byte[] out = new byte[body.length + 1];
      out[0] = (byte) kind;
      System.arraycopy(body, 0, out, 1, body.length);
      return out;
    }
  }

  /**
   * A member asks a channel's owner to add it.
   *
   * @param spaceId the space
   * @param channelId the channel
   * @param member the member's directory entry
   * @param keyPackage an MLS KeyPackage for the channel
   */
  public record ChannelJoinRequest(byte[] spaceId, byte[] channelId, MemberInfo member,
      byte[] keyPackage) implements Msg {
    @Override
    public byte[] toBytes() {
      TlsWriter w = new TlsWriter().u8(CHANNEL_JOIN_REQUEST).opaque(spaceId).opaque(channelId);
      member.write(w);
      return w.opaque(keyPackage).toByteArray();
    }
  }

  /**
   * A channel owner's Welcome for a member it added.
   *
   * @param spaceId the space
   * @param channel the channel
   * @param welcome the MLS Welcome
   */
  public record ChannelWelcome(byte[] spaceId, ChannelInfo channel, byte[] welcome) implements Msg {
    @Override
    public byte[] toBytes() {
      TlsWriter w = new TlsWriter().u8(CHANNEL_WELCOME).opaque(spaceId);
      channel.write(w);
      return w.opaque(welcome).toByteArray();
    }
  }

  /**
   * A channel owner asks a member to send a {@link ChannelJoinRequest}.
   *
   * @param spaceId the space
   * @param channel the channel
   */
  public record ChannelInvite(byte[] spaceId, ChannelInfo channel) implements Msg {
    @Override
    public byte[] toBytes() {
      TlsWriter w = new TlsWriter().u8(CHANNEL_INVITE).opaque(spaceId);
      channel.write(w);
      return w.toByteArray();
    }
  }

  /**
   * One piece of a node message too large for one direct envelope; the receiver joins the chunks
   * of one id in index order and decodes the result as a node message (never another fragment).
   *
   * @param messageId random id shared by the fragments of one message, {@value
   *     #FRAGMENT_ID_LENGTH} bytes
   * @param index this chunk's position, below {@code count}
   * @param count number of fragments, 2 to {@value #MAX_FRAGMENTS}
   * @param chunk the bytes, at most {@value #MAX_FRAGMENT_CHUNK}
   */
  public record Fragment(byte[] messageId, int index, int count, byte[] chunk) implements Msg {

    /**
     * Checks the bounds.
     *
     * @throws IllegalArgumentException if a bound is exceeded
     */
    public Fragment {
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(chunk, "chunk");
      if (messageId.length != FRAGMENT_ID_LENGTH || count < 2 || count > MAX_FRAGMENTS
          || index < 0 || index >= count || chunk.length > MAX_FRAGMENT_CHUNK) {
        throw new IllegalArgumentException("fragment out of bounds");
      }
    }

    @Override
    public byte[] toBytes() {
      return new TlsWriter(chunk.length + 32).u8(FRAGMENT).opaque(messageId).u16(index)
          .u16(count).opaque(chunk).toByteArray();
    }
  }

  /**
   * Decodes a node message.
   *
   * @param bytes the encoding
   * @return the message
   * @throws MlsDecodeException if the bytes are not exactly one valid message
   */
  public static Msg decode(byte[] bytes) throws MlsDecodeException {
    Objects.requireNonNull(bytes, "bytes");
    return TlsReader.decodeExactly(bytes, r -> {
      int kind = r.u8();
      switch (kind) {
        case JOIN_REQUEST:
        case JOIN_RESPONSE:
          return new Join(kind, r.raw(r.remaining()));
        case CHANNEL_JOIN_REQUEST:
          return new ChannelJoinRequest(r.opaque(MAX_FIELD), r.opaque(MAX_FIELD), MemberInfo.read(r),
              r.opaque(MAX_WELCOME));
        case CHANNEL_WELCOME:
          return new ChannelWelcome(r.opaque(MAX_FIELD), ChannelInfo.read(r), r.opaque(MAX_WELCOME));
        case CHANNEL_INVITE:
          return new ChannelInvite(r.opaque(MAX_FIELD), ChannelInfo.read(r));
        case MEMBER_INFO:
          return MemberInfo.read(r);
        case FRAGMENT:
          try {
            return new Fragment(r.opaque(FRAGMENT_ID_LENGTH), r.u16(), r.u16(),
                r.opaque(MAX_FRAGMENT_CHUNK));
          } catch (IllegalArgumentException e) {
            throw new MlsDecodeException("fragment out of bounds");
          }
        default:
          throw new MlsDecodeException("unknown node message kind");
      }
    });
  }

  private static void writeStrings(TlsWriter w, List<String> items) {
    w.vector(items, (x, s) -> x.opaque(s.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> readStrings(TlsReader r) throws MlsDecodeException {
    return bounded(r.vector(x -> utf8(x.opaque(MAX_FIELD))));
  }

  private static <T> List<T> bounded(List<T> list) throws MlsDecodeException {
    if (list.size() > MAX_LIST) {
      throw new MlsDecodeException("list too long");
    }
    return List.copyOf(list);
  }

  private static String utf8(byte[] b) throws MlsDecodeException {
    java.nio.charset.CharsetDecoder d = StandardCharsets.UTF_8.newDecoder();
    try {
      return d.decode(java.nio.ByteBuffer.wrap(b)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new MlsDecodeException("invalid UTF-8");
    }
  }

  static boolean same(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }
}
