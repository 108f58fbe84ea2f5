package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the inviter returns to a joiner, in a direct sealed envelope to the joiner's inbox key:
 * either the way in (the MLS Welcomes, the space's metadata log and the members' contacts) or a
 * refusal with a reason.
 *
 * <p>Welcomes are opaque bytes here. The log lets the joiner rebuild the space's {@link
 * SpaceState} ({@link #toState()}) and keep merging later operations; the operations are as
 * trustworthy as the inviter, who also provides the Welcome.
 *
 * <p>Wire format, version {@value SpaceConstants#JOIN_VERSION} (TLS presentation language):
 *
 * <pre>
 * uint8 version = 1; uint8 type;  (2 accepted, 3 refused; 1 is a {@link JoinRequest})
 * opaque space_id[16];
 * select (type) {
 *   2 accepted:
 *     opaque owner&lt;2..44&gt;;
 *     opaque space_welcome&lt;1..262144&gt;;   (uint32 length)
 *     uint8 n (0..7); { opaque channel_id[16]; opaque welcome&lt;1..262144&gt;; } [n]  (distinct ids)
 *     uint16 m (0..8192); opaque ops&lt;1..4096&gt;[m];   (uint16 length; strictly in operation order)
 *     uint16 k (0..4096); { opaque peer&lt;2..44&gt;; opaque inbox_key[32]; Address addresses&lt;0..8&gt;; }
 *         [k]   (strictly increasing PeerIds)
 *   3 refused: uint8 reason;   (1 expired, 2 already used, 3 unknown)
 * }
 * </pre>
 *
 * <p>The whole response is at most {@value SpaceConstants#MAX_JOIN_MESSAGE_BYTES} bytes, checked
 * when it is created. Immutable and thread-safe.
 */
public final class JoinResponse {

  static final int TYPE_ACCEPTED = 2;
  static final int TYPE_REFUSED = 3;

  /** Why an inviter refused a join request. */
  public enum Refusal {
    /** The invite's expiry had passed. */
    EXPIRED(1),
    /** The invite had already been used by someone. */
    ALREADY_USED(2),
    /** The inviter knows no such invite (wrong secret, or another space). */
    UNKNOWN(3),
    /**
     * The invite's signer (a version-4 code) or recorded issuer is not an owner or admin of the
     * space now: forged, or revoked by the issuer's demotion, removal or departure.
     */
    INVITER_NOT_MANAGER(4);

    private final int code;

    Refusal(int code) {
      this.code = code;
    }

    static Refusal of(int code) throws SpaceDecodeException {
      for (Refusal r : values()) {
        if (r.code == code) {
          return r;
        }
      }
      throw new SpaceDecodeException("unknown refusal reason " + code);
    }
  }

  /**
   * The MLS Welcome that adds the joiner to one channel's group.
   *
   * @param channelId the channel
   * @param welcome the MLS Welcome message, 1 to {@value SpaceConstants#MAX_WELCOME_BYTES} bytes
   */
  public record ChannelWelcome(ChannelId channelId, byte[] welcome) {
    /**
     * Checks and copies the parts.
     *
     * @param channelId the channel
     * @param welcome the MLS Welcome message
     * @throws IllegalArgumentException if the Welcome is empty or too long
     */
    public ChannelWelcome {
      Objects.requireNonNull(channelId, "channelId");
      welcome = checkWelcome(welcome);
    }

    /**
     * Returns the Welcome.
     *
     * @return a fresh copy
     */
    @Override
    public byte[] welcome() {
      return welcome.clone();
    }

    /**
     * Tells whether {@code o} is the same channel's same Welcome.
     *
     * @param o the other object
     * @return true if equal by content
     */
    @Override
    public boolean equals(Object o) {
      return o instanceof ChannelWelcome c && channelId.equals(c.channelId)
          && Arrays.equals(welcome, c.welcome);
    }

    /**
     * Returns a hash of the channel and Welcome.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
      return 31 * channelId.hashCode() + Arrays.hashCode(welcome);
    }

    /**
     * Returns the channel and the Welcome's size.
     *
     * @return the description
     */
    @Override
    public String toString() {
      return "ChannelWelcome[" + channelId + ", " + welcome.length + " bytes]";
    }
  }

  private final SpaceId spaceId;
  private final Refusal refusal;
  private final PeerId owner;
  private final byte[] spaceWelcome;
  private final List<ChannelWelcome> channelWelcomes;
  private final List<SpaceOp> log;
  private final List<Contact> members;
  private final byte[] encoded;

  private JoinResponse(SpaceId spaceId, Refusal refusal, PeerId owner, byte[] spaceWelcome,
      List<ChannelWelcome> channelWelcomes, List<SpaceOp> log, List<Contact> members,
      byte[] encoded) {
    this.spaceId = spaceId;
    this.refusal = refusal;
    this.owner = owner;
    this.spaceWelcome = spaceWelcome;
    this.channelWelcomes = channelWelcomes;
    this.log = log;
    this.members = members;
    this.encoded = encoded;
  }

  /**
   * Creates an acceptance.
   *
   * @param spaceId the space
   * @param owner the space's owner
   * @param spaceWelcome the Welcome into the space's control group, 1 to {@value
   *     SpaceConstants#MAX_WELCOME_BYTES} bytes
   * @param channelWelcomes Welcomes into channels, 0 to {@value
   *     SpaceConstants#MAX_CHANNEL_WELCOMES}, distinct channels
   * @param log the space's metadata operations, any order, duplicates dropped; at most {@value
   *     SpaceConstants#MAX_LOG_OPS}, all of this space; normally {@link SpaceState#log()}
   * @param members the members' contacts, any order; at most {@value SpaceConstants#MAX_MEMBERS},
   *     one per peer
   * @return the response
   * @throws IllegalArgumentException if a part is out of bounds, or the encoding would exceed
   *     {@value SpaceConstants#MAX_JOIN_MESSAGE_BYTES} bytes
   */
  public static JoinResponse accepted(SpaceId spaceId, PeerId owner, byte[] spaceWelcome,
      List<ChannelWelcome> channelWelcomes, List<SpaceOp> log, List<Contact> members) {
    Objects.requireNonNull(spaceId, "spaceId");
    Objects.requireNonNull(owner, "owner");
    byte[] welcome = checkWelcome(spaceWelcome);
    List<ChannelWelcome> channels = List.copyOf(channelWelcomes);
    if (channels.size() > SpaceConstants.MAX_CHANNEL_WELCOMES) {
      throw new IllegalArgumentException(channels.size() + " channel Welcomes, more than "
          + SpaceConstants.MAX_CHANNEL_WELCOMES);
    }
    Set<ChannelId> seen = new HashSet<>();
    for (ChannelWelcome c : channels) {
      if (!seen.add(c.channelId())) {
        throw new IllegalArgumentException("two Welcomes for channel " + c.channelId());
      }
    }
    List<SpaceOp> ops = new ArrayList<>(new TreeSet<>(log));
    if (ops.size() > SpaceConstants.MAX_LOG_OPS) {
      throw new IllegalArgumentException(
          ops.size() + " operations, more than " + SpaceConstants.MAX_LOG_OPS);
    }
    for (SpaceOp op : ops) {
      if (!op.spaceId().equals(spaceId)) {
        throw new IllegalArgumentException("operation " + op.id() + " is of another space");
      }
    }
    TreeMap<PeerId, Contact> byPeer = new TreeMap<>();
    for (Contact c : members) {
      if (byPeer.put(c.peer(), c) != null) {
        throw new IllegalArgumentException("two contacts for member " + c.peer());
      }
    }
    if (byPeer.size() > SpaceConstants.MAX_MEMBERS) {
      throw new IllegalArgumentException(
          byPeer.size() + " members, more than " + SpaceConstants.MAX_MEMBERS);
    }
    List<Contact> contacts = List.copyOf(byPeer.values());
    WireWriter w = new WireWriter();
    w.u8(SpaceConstants.JOIN_VERSION).u8(TYPE_ACCEPTED).fixed(spaceId.rawBytes()).peer(owner)
        .opaque32(welcome).u8(channels.size());
    for (ChannelWelcome c : channels) {
      w.fixed(c.channelId().rawBytes()).opaque32(c.welcome());
    }
    w.u16(ops.size());
    for (SpaceOp op : ops) {
      w.opaque16(op.encode());
    }
    w.u16(contacts.size());
    for (Contact c : contacts) {
      c.write(w);
    }
    byte[] encoded = w.toByteArray();
    if (encoded.length > SpaceConstants.MAX_JOIN_MESSAGE_BYTES) {
      throw new IllegalArgumentException("join response of " + encoded.length
          + " bytes exceeds " + SpaceConstants.MAX_JOIN_MESSAGE_BYTES);
    }
    return new JoinResponse(spaceId, null, owner, welcome, channels, List.copyOf(ops), contacts,
        encoded);
  }

  /**
   * Creates a refusal.
   *
   * @param spaceId the space the request named
   * @param reason why
   * @return the response
   */
  public static JoinResponse refused(SpaceId spaceId, Refusal reason) {
    Objects.requireNonNull(spaceId, "spaceId");
    Objects.requireNonNull(reason, "reason");
    byte[] encoded = new WireWriter().u8(SpaceConstants.JOIN_VERSION).u8(TYPE_REFUSED)
        .fixed(spaceId.rawBytes()).u8(reason.code).toByteArray();
    return new JoinResponse(spaceId, reason, null, null, List.of(), List.of(), List.of(), encoded);
  }

  private static byte[] checkWelcome(byte[] welcome) {
    Objects.requireNonNull(welcome, "welcome");
    if (welcome.length < 1 || welcome.length > SpaceConstants.MAX_WELCOME_BYTES) {
      throw new IllegalArgumentException("Welcome of " + welcome.length + " bytes is not 1.."
          + SpaceConstants.MAX_WELCOME_BYTES);
    }
    return welcome.clone();
  }

  static void readHeader(WireReader r, int type, String what) throws SpaceDecodeException {
    int version = r.u8("version");
    if (version != SpaceConstants.JOIN_VERSION) {
      throw new SpaceDecodeException("unknown " + what + " version " + version);
    }
    int t = r.u8("type");
    if (t != type) {
      throw new SpaceDecodeException("not a " + what + " (type " + t + ")");
    }
  }

  /**
   * Decodes a response, strictly.
   *
   * @param bytes the wire form, not modified
   * @return the response
   * @throws SpaceDecodeException if the bytes are not exactly one valid join response: bad
   *     version or type, out of bounds, an operation that does not decode or is of another space,
   *     operations or members out of order or repeated, repeated channels, trailing bytes
   */
  public static JoinResponse decode(byte[] bytes) throws SpaceDecodeException {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length > SpaceConstants.MAX_JOIN_MESSAGE_BYTES) {
      throw new SpaceDecodeException("join response too long");
    }
    WireReader r = new WireReader(bytes);
    int version = r.u8("version");
    if (version != SpaceConstants.JOIN_VERSION) {
      throw new SpaceDecodeException("unknown join response version " + version);
    }
    int type = r.u8("type");
    if (type != TYPE_ACCEPTED && type != TYPE_REFUSED) {
      throw new SpaceDecodeException("not a join response (type " + type + ")");
    }
    SpaceId space = r.spaceId("space id");
    if (type == TYPE_REFUSED) {
      Refusal reason = Refusal.of(r.u8("reason"));
      r.end("join response");
      return new JoinResponse(space, reason, null, null, List.of(), List.of(), List.of(),
          bytes.clone());
    }
    PeerId owner = r.peer("owner");
    byte[] welcome = r.opaque32(1, SpaceConstants.MAX_WELCOME_BYTES, "space Welcome");
    int n = r.u8("channel Welcome count");
    if (n > SpaceConstants.MAX_CHANNEL_WELCOMES) {
      throw new SpaceDecodeException("channel Welcome count " + n + " exceeds "
          + SpaceConstants.MAX_CHANNEL_WELCOMES);
    }
    List<ChannelWelcome> channels = new ArrayList<>(n);
    Set<ChannelId> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      ChannelId id = r.channelId("channel id");
      if (!seen.add(id)) {
        throw new SpaceDecodeException("two Welcomes for one channel");
      }
      channels.add(new ChannelWelcome(id,
          r.opaque32(1, SpaceConstants.MAX_WELCOME_BYTES, "channel Welcome")));
    }
    int m = r.u16("operation count");
    if (m > SpaceConstants.MAX_LOG_OPS) {
      throw new SpaceDecodeException(
          "operation count " + m + " exceeds " + SpaceConstants.MAX_LOG_OPS);
    }
    List<SpaceOp> ops = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      SpaceOp op = SpaceOp.decode(r.opaque16(1, SpaceConstants.MAX_OP_BYTES, "operation"));
      if (!op.spaceId().equals(space)) {
        throw new SpaceDecodeException("operation of another space");
      }
      if (i > 0 && ops.get(i - 1).compareTo(op) >= 0) {
        throw new SpaceDecodeException("operations out of order or repeated");
      }
      ops.add(op);
    }
    int k = r.u16("member count");
    if (k > SpaceConstants.MAX_MEMBERS) {
      throw new SpaceDecodeException(
          "member count " + k + " exceeds " + SpaceConstants.MAX_MEMBERS);
    }
    List<Contact> contacts = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      Contact c = Contact.read(r);
      if (i > 0 && contacts.get(i - 1).peer().compareTo(c.peer()) >= 0) {
        throw new SpaceDecodeException("members out of order or repeated");
      }
      contacts.add(c);
    }
    r.end("join response");
    return new JoinResponse(space, null, owner, welcome, List.copyOf(channels), List.copyOf(ops),
        List.copyOf(contacts), bytes.clone());
  }

  /**
   * Encodes the response.
   *
   * @return the wire form, a fresh array
   */
  public byte[] encode() {
    return encoded.clone();
  }

  /**
   * Tells whether the inviter let the joiner in.
   *
   * @return true for an acceptance, false for a refusal
   */
  public boolean isAccepted() {
    return refusal == null;
  }

  /**
   * Returns why the inviter refused.
   *
   * @return the reason, or empty for an acceptance
   */
  public Optional<Refusal> refusal() {
    return Optional.ofNullable(refusal);
  }

  /**
   * Returns the space.
   *
   * @return the space id
   */
  public SpaceId spaceId() {
    return spaceId;
  }

  /**
   * Returns the space's owner.
   *
   * @return the owner
   * @throws IllegalStateException if this is a refusal
   */
  public PeerId owner() {
    requireAccepted();
    return owner;
  }

  /**
   * Returns the Welcome into the space's control group.
   *
   * @return a fresh copy
   * @throws IllegalStateException if this is a refusal
   */
  public byte[] spaceWelcome() {
    requireAccepted();
    return spaceWelcome.clone();
  }

  /**
   * Returns the Welcomes into channels.
   *
   * @return an immutable list, empty for a refusal
   */
  public List<ChannelWelcome> channelWelcomes() {
    return channelWelcomes;
  }

  /**
   * Returns the space's metadata operations, in operation order.
   *
   * @return an immutable list, empty for a refusal
   */
  public List<SpaceOp> log() {
    return log;
  }

  /**
   * Returns the members' contacts, ordered by PeerId.
   *
   * @return an immutable list, empty for a refusal
   */
  public List<Contact> members() {
    return members;
  }

  /**
   * Rebuilds the space's metadata state from the log.
   *
   * @return a new state the caller owns
   * @throws IllegalStateException if this is a refusal
   */
  public SpaceState toState() {
    requireAccepted();
    return SpaceState.of(spaceId, owner, log);
  }

  private void requireAccepted() {
    if (refusal != null) {
      throw new IllegalStateException("join was refused: " + refusal);
    }
  }

  /**
   * Tells whether {@code o} is a response with the same encoding.
   *
   * @param o the other object
   * @return true if equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof JoinResponse r && Arrays.equals(encoded, r.encoded);
  }

  /**
   * Returns a hash of the encoding.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  /**
   * Returns the outcome and the sizes of the parts.
   *
   * @return the description
   */
  @Override
  public String toString() {
    if (refusal != null) {
      return "JoinResponse[space=" + spaceId + ", refused " + refusal + "]";
    }
    return "JoinResponse[space=" + spaceId + ", accepted, welcome=" + spaceWelcome.length
        + " bytes, channels=" + channelWelcomes.size() + ", ops=" + log.size() + ", members="
        + members.size() + "]";
  }
}
