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
 * whose bodies the space layer encodes, channel-join requests, invites and Welcomes, and sync
 * summaries, requests and responses, see {@link ChannelSync}; mailbox deposits and their
 * refusals, see {@link Mailbox}).
 *
 * <p>Space metadata travels separately, as {@code SpaceOp}s in the control group.
 *
 * <p>Wire form: TLS presentation language (RFC 9420 §2.1) with a leading {@code u8} kind. Every
 * variable field is bounded ({@link #MAX_FIELD}, {@link #MAX_WELCOME}, {@link #MAX_LIST}, {@link
 * #MAX_SYNC_MARKS}, {@link #MAX_SYNC_ITEMS}, {@link #MAX_SYNC_MESSAGE}, {@link
 * #MAX_SYNC_EXTENSIONS}, {@link #MAX_SYNC_EXTENSION}, {@link #MAX_MAILBOX_ENVELOPE}); any
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

  /** Most high-water marks (senders) in one sync summary or request. */
  public static final int MAX_SYNC_MARKS = 1024;

  /** Most extensions in one sync summary or request. */
  public static final int MAX_SYNC_EXTENSIONS = 16;

  /** Largest extension body in a sync summary or request, in bytes. */
  public static final int MAX_SYNC_EXTENSION = 64 * 1024;

  /**
   * Sync extension: the ids of the channels of the space the asker is a member of (a vector of
   * opaque ids, at most {@link #MAX_LIST}); sent in control-group summaries only.
   */
  public static final int EXT_MEMBER_CHANNELS = 1;

  /**
   * Sync extension: the asker's last epochs of the group with their epoch authenticators, for
   * fork detection ({@link EpochHistory}, at most {@link EpochHistory#MAX_ENTRIES} entries); sent
   * in every group's summaries and requests.
   */
  public static final int EXT_EPOCHS = 11;

  /** Largest sealed envelope a mailbox deposit carries, in bytes: the largest padding bucket. */
  public static final int MAX_MAILBOX_ENVELOPE = 65536;

  /** Most stored MLS messages in one sync response. */
  public static final int MAX_SYNC_ITEMS = 32;

  /** Largest MLS message in a sync response, in bytes: a largest inner payload and MLS framing. */
  public static final int MAX_SYNC_MESSAGE = 128 * 1024;

  static final int JOIN_REQUEST = 1;
  static final int JOIN_RESPONSE = 2;
  static final int CHANNEL_JOIN_REQUEST = 4;
  static final int CHANNEL_WELCOME = 5;
  static final int CHANNEL_INVITE = 6;
  static final int MEMBER_INFO = 10;
  static final int FRAGMENT = 11;
  static final int SYNC_SUMMARY = 12;
  static final int SYNC_REQUEST = 13;
  static final int SYNC_RESPONSE = 14;
  static final int MAILBOX_DEPOSIT = 15;
  static final int MAILBOX_REFUSED = 16;

  private NodeWire() {}

  /** A node message. */
  public sealed interface Msg permits Join, ChannelJoinRequest, ChannelWelcome, ChannelInvite,
      MemberInfo, Fragment, SyncSummary, SyncRequest, SyncResponse, MailboxDeposit,
      MailboxRefused {

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
   * A sender's high-water mark in a channel: every message of it from sequence 0 to {@code
   * highWater} is held.
   *
   * @param sender the sender's PeerId bytes
   * @param highWater the highest contiguous sequence held, not negative
   */
  public record SyncMark(byte[] sender, long highWater) {
    void write(TlsWriter w) {
      w.opaque(sender).u64(highWater);
    }

    static SyncMark read(TlsReader r) throws MlsDecodeException {
      return new SyncMark(r.opaque(MAX_FIELD), readSequence(r));
    }
  }

  /**
   * An optional part of a sync summary or request: a type and a body. A receiver ignores types it
   * does not know, so later versions (and other parts of the node, e.g. committer liveness) can add
   * information without a new message kind.
   *
   * @param type the extension type, e.g. {@link #EXT_MEMBER_CHANNELS}
   * @param body its encoding, at most {@value #MAX_SYNC_EXTENSION} bytes
   */
  public record SyncExtension(int type, byte[] body) {
    void write(TlsWriter w) {
      w.u16(type).opaque(body);
    }

    static SyncExtension read(TlsReader r) throws MlsDecodeException {
      return new SyncExtension(r.u16(), r.opaque(MAX_SYNC_EXTENSION));
    }
  }

  /**
   * A member's sync state of one group of a space (a channel or the control group), sent on
   * (re)connect and periodically; the receiver answers with the commits and messages the sender
   * lacks and, when it lacks some itself, with a {@link SyncRequest}.
   *
   * <p>Wire form (kind {@code 12}): {@code opaque space_id<V>; opaque group_id<V>; opaque
   * asker<V>; uint64 epoch; SyncMark marks<V>; SyncExtension extensions<V>} where {@code SyncMark}
   * is {@code opaque sender<V>; uint64 high_water} and {@code SyncExtension} is {@code uint16
   * type; opaque body<V>}.
   *
   * @param spaceId the space
   * @param channelId the group: a channel, or the space's control group
   * @param asker the PeerId bytes of the member to answer (direct envelopes carry no sender)
   * @param epoch the asker's current epoch of the group; a responder at a later epoch sends the
   *     commits from it on
   * @param marks at most {@value #MAX_SYNC_MARKS} marks, one per sender; a sender of which
   *     nothing from sequence 0 on is held has none
   * @param extensions at most {@value #MAX_SYNC_EXTENSIONS} optional parts; unknown types are
   *     ignored
   */
  public record SyncSummary(byte[] spaceId, byte[] channelId, byte[] asker, long epoch,
      List<SyncMark> marks, List<SyncExtension> extensions) implements Msg {
    /** A summary without extensions. */
    public SyncSummary(byte[] spaceId, byte[] channelId, byte[] asker, long epoch,
        List<SyncMark> marks) {
      this(spaceId, channelId, asker, epoch, marks, List.of());
    }

    @Override
    public byte[] toBytes() {
      return writeMarks(SYNC_SUMMARY, spaceId, channelId, asker, epoch, marks, extensions);
    }
  }

  /**
   * Like {@link SyncSummary}, but the receiver only answers with what the sender lacks and never
   * asks back: the answer to a summary, and the follow-up after a full {@link SyncResponse}. Wire
   * form as {@link SyncSummary}, kind {@code 13}.
   *
   * @param spaceId the space
   * @param channelId the group: a channel, or the space's control group
   * @param asker the PeerId bytes of the member to answer
   * @param epoch the asker's current epoch of the group
   * @param marks at most {@value #MAX_SYNC_MARKS} marks, one per sender
   * @param extensions at most {@value #MAX_SYNC_EXTENSIONS} optional parts
   */
  public record SyncRequest(byte[] spaceId, byte[] channelId, byte[] asker, long epoch,
      List<SyncMark> marks, List<SyncExtension> extensions) implements Msg {
    /** A request without extensions. */
    public SyncRequest(byte[] spaceId, byte[] channelId, byte[] asker, long epoch,
        List<SyncMark> marks) {
      this(spaceId, channelId, asker, epoch, marks, List.of());
    }

    @Override
    public byte[] toBytes() {
      return writeMarks(SYNC_REQUEST, spaceId, channelId, asker, epoch, marks, extensions);
    }
  }

  /**
   * One stored MLS message in a sync response, as its sender sent it: an application message
   * addressed by its sender and the sender's sequence, or a commit ({@code sender} is then {@link
   * ChannelSync#COMMITS} and {@code sequence} the epoch it was sent in).
   *
   * @param sender the sender's PeerId bytes
   * @param sequence the sender's sequence number, not negative
   * @param epoch the MLS epoch it was sent in, not negative
   * @param mlsMessage the MLS message, at most {@value #MAX_SYNC_MESSAGE} bytes
   */
  public record SyncItem(byte[] sender, long sequence, long epoch, byte[] mlsMessage) {
    void write(TlsWriter w) {
      w.opaque(sender).u64(sequence).u64(epoch).opaque(mlsMessage);
    }

    static SyncItem read(TlsReader r) throws MlsDecodeException {
      return new SyncItem(r.opaque(MAX_FIELD), readSequence(r), readSequence(r),
          r.opaque(MAX_SYNC_MESSAGE));
    }
  }

  /**
   * Stored messages of one channel that the asker lacks, per sender in sequence order.
   *
   * @param spaceId the space
   * @param channelId the channel
   * @param responder the PeerId bytes of the member that answered, to ask again
   * @param more true if the responder holds more that the asker lacks than fitted here
   * @param items at most {@value #MAX_SYNC_ITEMS} messages
   */
  public record SyncResponse(byte[] spaceId, byte[] channelId, byte[] responder, boolean more,
      List<SyncItem> items) implements Msg {
    @Override
    public byte[] toBytes() {
      TlsWriter w = new TlsWriter().u8(SYNC_RESPONSE).opaque(spaceId).opaque(channelId)
          .opaque(responder).bool(more);
      w.vector(items, (x, i) -> i.write(x));
      return w.toByteArray();
    }
  }

  /**
   * A sealed envelope a member hands to a mailbox holder for a recipient it cannot reach ({@code
   * /spacepanda/mailbox/1.0.0}, carried as a node message in a direct envelope to the holder).
   * The holder keeps it and pushes it to the recipient when it connects; it never opens it.
   *
   * <p>Wire form (kind {@code 15}): {@code opaque space_id<V>; opaque depositor<V>; opaque
   * recipient<V>; opaque envelope<V>}, the envelope at most {@value #MAX_MAILBOX_ENVELOPE} bytes.
   *
   * @param spaceId the space depositor, holder and recipient share
   * @param depositor the PeerId bytes of the member that deposits (to tell it if the box is full)
   * @param recipient the PeerId bytes of the recipient
   * @param envelope the sealed envelope, as the recipient would have received it
   */
  public record MailboxDeposit(byte[] spaceId, byte[] depositor, byte[] recipient,
      byte[] envelope) implements Msg {
    @Override
    public byte[] toBytes() {
      return new TlsWriter(envelope.length + 160).u8(MAILBOX_DEPOSIT).opaque(spaceId)
          .opaque(depositor).opaque(recipient).opaque(envelope).toByteArray();
    }
  }

  /**
   * A holder's answer to a deposit it did not keep: the recipient's mailbox is full, or the holder
   * keeps no mailboxes. Wire form (kind {@code 16}): {@code opaque space_id<V>; opaque
   * recipient<V>; opaque envelope_id<V>; uint8 reason}.
   *
   * @param spaceId the space
   * @param recipient the PeerId bytes of the recipient
   * @param envelopeId the SHA-256 of the refused envelope
   * @param reason {@link #REFUSED_FULL} or {@link #REFUSED_DISABLED}
   */
  public record MailboxRefused(byte[] spaceId, byte[] recipient, byte[] envelopeId, int reason)
      implements Msg {
    @Override
    public byte[] toBytes() {
      return new TlsWriter().u8(MAILBOX_REFUSED).opaque(spaceId).opaque(recipient)
          .opaque(envelopeId).u8(reason).toByteArray();
    }
  }

  /** {@link MailboxRefused} reason: the recipient's mailbox at the holder is full. */
  public static final int REFUSED_FULL = 1;

  /** {@link MailboxRefused} reason: the holder keeps no mailboxes. */
  public static final int REFUSED_DISABLED = 2;

  private static byte[] writeMarks(int kind, byte[] spaceId, byte[] channelId, byte[] asker,
      long epoch, List<SyncMark> marks, List<SyncExtension> extensions) {
    TlsWriter w = new TlsWriter().u8(kind).opaque(spaceId).opaque(channelId).opaque(asker)
        .u64(epoch);
    w.vector(marks, (x, m) -> m.write(x));
    w.vector(extensions, (x, e) -> e.write(x));
    return w.toByteArray();
  }

  private static List<SyncExtension> readExtensions(TlsReader r) throws MlsDecodeException {
    return bounded(r.vector(SyncExtension::read), MAX_SYNC_EXTENSIONS);
  }

  /**
   * Encodes the body of an {@link #EXT_MEMBER_CHANNELS} extension.
   *
   * @param channelIds channel ids
   * @return the body
   */
  static byte[] encodeIds(List<byte[]> channelIds) {
    TlsWriter w = new TlsWriter();
    w.vector(channelIds, (x, id) -> x.opaque(id));
    return w.toByteArray();
  }

  /**
   * Decodes the body of an {@link #EXT_MEMBER_CHANNELS} extension.
   *
   * @param body the body
   * @return the channel ids, at most {@link #MAX_LIST}
   * @throws MlsDecodeException if malformed
   */
  static List<byte[]> decodeIds(byte[] body) throws MlsDecodeException {
    return TlsReader.decodeExactly(body, r -> bounded(r.vector(x -> x.opaque(MAX_FIELD))));
  }

  private static List<SyncMark> readMarks(TlsReader r) throws MlsDecodeException {
    return bounded(r.vector(SyncMark::read), MAX_SYNC_MARKS);
  }

  private static long readSequence(TlsReader r) throws MlsDecodeException {
    long v = r.u64();
    if (v < 0) {
      throw new MlsDecodeException("sequence out of range");
    }
    return v;
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
        case SYNC_SUMMARY:
          return new SyncSummary(r.opaque(MAX_FIELD), r.opaque(MAX_FIELD), r.opaque(MAX_FIELD),
              readSequence(r), readMarks(r), readExtensions(r));
        case SYNC_REQUEST:
          return new SyncRequest(r.opaque(MAX_FIELD), r.opaque(MAX_FIELD), r.opaque(MAX_FIELD),
              readSequence(r), readMarks(r), readExtensions(r));
        case MAILBOX_DEPOSIT:
          return new MailboxDeposit(r.opaque(MAX_FIELD), r.opaque(MAX_FIELD), r.opaque(MAX_FIELD),
              r.opaque(MAX_MAILBOX_ENVELOPE));
        case MAILBOX_REFUSED:
          return new MailboxRefused(r.opaque(MAX_FIELD), r.opaque(MAX_FIELD), r.opaque(MAX_FIELD),
              r.u8());
        case SYNC_RESPONSE:
          return new SyncResponse(r.opaque(MAX_FIELD), r.opaque(MAX_FIELD), r.opaque(MAX_FIELD),
              r.bool(), bounded(r.vector(SyncItem::read), MAX_SYNC_ITEMS));
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
    return bounded(list, MAX_LIST);
  }

  private static <T> List<T> bounded(List<T> list, int max) throws MlsDecodeException {
    if (list.size() > max) {
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
