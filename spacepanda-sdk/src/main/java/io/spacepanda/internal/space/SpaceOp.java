package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One operation on a space's metadata, as sent in an application message of the space's control
 * MLS group: who wrote it ({@link #author()}), at which Lamport clock of the space, and what it
 * does ({@link #body()}).
 *
 * <p><b>Identity.</b> The operation id is not chosen by the author: it is the first {@value
 * SpaceConstants#ID_LENGTH} bytes of SHA-256 over the operation's encoding. The encoding is
 * canonical (one accepted encoding per operation), so a duplicate is bit-identical to the original
 * and two different operations never share an id.
 *
 * <p><b>Order.</b> Operations are ordered by (Lamport clock, author PeerId as unsigned bytes,
 * operation id); {@link SpaceState} evaluates them in that order, which is also the order the
 * storage SPI lists a space's operations in.
 *
 * <p><b>Authentication.</b> Nothing in the bytes proves the author: the receiver must check that
 * {@link #author()} equals the MLS-authenticated sender of the application message that carried
 * the operation, and drop it otherwise, before handing it to {@link SpaceState#apply(SpaceOp)}.
 *
 * <p><b>Wire format, version {@value SpaceConstants#OP_VERSION}</b> (TLS presentation language,
 * big-endian):
 *
 * <pre>
 * uint8 version = 1; uint8 type; opaque space_id[16]; opaque author&lt;2..44&gt;; uint64 lamport;
 * select (type) {
 *   1 create_channel: opaque channel_id[16]; uint8 kind; opaque name&lt;1..100&gt;;
 *   2 rename_channel: opaque channel_id[16]; opaque name&lt;1..100&gt;;
 *   3 delete_channel: opaque channel_id[16];
 *   4 set_role:       opaque member&lt;2..44&gt;; uint8 role;   (1 member, 2 admin, 3 owner)
 *   5 member_joined:  opaque member&lt;2..44&gt;; opaque inbox_key[32]; Address addresses&lt;0..8&gt;;
 *   6 member_left:    uint8 n; opaque tags[16][n];         (n 1..32, strictly increasing)
 *   7 member_removed: opaque member&lt;2..44&gt;; uint8 n; opaque tags[16][n];
 *   8 rename_space:   opaque name&lt;1..100&gt;;
 *   9 update_contact: opaque inbox_key[32]; Address addresses&lt;0..8&gt;;   (of the author)
 *  10 transfer_ownership: opaque member&lt;2..44&gt;;          (the new owner)
 *  11 issue_invite:   opaque invite_id[32]; uint64 expires_at_seconds;  (0..9999-12-31)
 *  12 redeem_invite:  opaque invite_id[32]; opaque member&lt;2..44&gt;;   (who used it)
 * }
 * Address: uint8 length (1..200); printable ASCII.  Names: valid UTF-8, no control characters.
 * </pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SpaceOp implements Comparable<SpaceOp> {

  static final int CREATE_CHANNEL = 1;
  static final int RENAME_CHANNEL = 2;
  static final int DELETE_CHANNEL = 3;
  static final int SET_ROLE = 4;
  static final int MEMBER_JOINED = 5;
  static final int MEMBER_LEFT = 6;
  static final int MEMBER_REMOVED = 7;
  static final int RENAME_SPACE = 8;
  static final int UPDATE_CONTACT = 9;
  static final int TRANSFER_OWNERSHIP = 10;
  static final int ISSUE_INVITE = 11;
  static final int REDEEM_INVITE = 12;

  private final SpaceId spaceId;
  private final PeerId author;
  private final long lamport;
  private final Body body;
  private final byte[] encoded;
  private final OpId id;

  private SpaceOp(SpaceId spaceId, PeerId author, long lamport, Body body, byte[] encoded) {
    this.spaceId = spaceId;
    this.author = author;
    this.lamport = lamport;
    this.body = body;
    this.encoded = encoded;
    this.id = OpId.of(Arrays.copyOf(sha256(encoded), SpaceConstants.ID_LENGTH));
  }

  /**
   * Creates an operation; its id is computed from its encoding.
   *
   * @param spaceId the space
   * @param author the author, who must be the MLS sender of the message carrying it
   * @param lamport the author's Lamport clock of the space, 1 to {@value
   *     SpaceConstants#MAX_LAMPORT}; normally {@link SpaceState#nextLamport()}
   * @param body what the operation does
   * @return the operation
   * @throws IllegalArgumentException if the Lamport clock is out of range, or an {@link
   *     UpdateContact} names another peer than the author
   */
  public static SpaceOp of(SpaceId spaceId, PeerId author, long lamport, Body body) {
    Objects.requireNonNull(spaceId, "spaceId");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(body, "body");
    if (lamport < 1 || lamport > SpaceConstants.MAX_LAMPORT) {
      throw new IllegalArgumentException(
          "lamport " + lamport + " is not 1.." + SpaceConstants.MAX_LAMPORT);
    }
    if (body instanceof UpdateContact u && !u.contact().peer().equals(author)) {
      throw new IllegalArgumentException("UpdateContact must carry the author's own contact");
    }
    WireWriter w = new WireWriter();
    w.u8(SpaceConstants.OP_VERSION).u8(typeOf(body)).fixed(spaceId.rawBytes()).peer(author)
        .u64(lamport);
    writeBody(w, body);
    return new SpaceOp(spaceId, author, lamport, body, w.toByteArray());
  }

  /**
   * Decodes an operation from its wire format, strictly.
   *
   * @param bytes the encoding, not modified; at most {@value SpaceConstants#MAX_OP_BYTES} bytes
   * @return the operation
   * @throws SpaceDecodeException if the bytes are not exactly one valid operation of a known
   *     version and type
   */
  public static SpaceOp decode(byte[] bytes) throws SpaceDecodeException {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length > SpaceConstants.MAX_OP_BYTES) {
      throw new SpaceDecodeException("operation of " + bytes.length + " bytes exceeds "
          + SpaceConstants.MAX_OP_BYTES);
    }
    WireReader r = new WireReader(bytes);
    int version = r.u8("version");
    if (version != SpaceConstants.OP_VERSION) {
      throw new SpaceDecodeException("unknown operation version " + version);
    }
    int type = r.u8("type");
    SpaceId space = r.spaceId("space id");
    PeerId author = r.peer("author");
    long lamport = r.u64("lamport");
    if (lamport < 1 || lamport > SpaceConstants.MAX_LAMPORT) {
      throw new SpaceDecodeException("lamport out of range");
    }
    Body body = readBody(type, author, r);
    r.end("operation");
    return new SpaceOp(space, author, lamport, body, bytes.clone());
  }

  private static int typeOf(Body body) {
    if (body instanceof CreateChannel) {
      return CREATE_CHANNEL;
    } else if (body instanceof RenameChannel) {
      return RENAME_CHANNEL;
    } else if (body instanceof DeleteChannel) {
      return DELETE_CHANNEL;
    } else if (body instanceof SetRole) {
      return SET_ROLE;
    } else if (body instanceof MemberJoined) {
      return MEMBER_JOINED;
    } else if (body instanceof MemberLeft) {
      return MEMBER_LEFT;
    } else if (body instanceof MemberRemoved) {
      return MEMBER_REMOVED;
    } else if (body instanceof RenameSpace) {
      return RENAME_SPACE;
    } else if (body instanceof TransferOwnership) {
      return TRANSFER_OWNERSHIP;
    } else if (body instanceof IssueInvite) {
      return ISSUE_INVITE;
    } else if (body instanceof RedeemInvite) {
      return REDEEM_INVITE;
    } else {
      return UPDATE_CONTACT;
    }
  }

  private static void writeBody(WireWriter w, Body body) {
    if (body instanceof CreateChannel b) {
      w.fixed(b.channelId().rawBytes()).u8(b.kind()).utf8(b.name());
    } else if (body instanceof RenameChannel b) {
      w.fixed(b.channelId().rawBytes()).utf8(b.name());
    } else if (body instanceof DeleteChannel b) {
      w.fixed(b.channelId().rawBytes());
    } else if (body instanceof SetRole b) {
      w.peer(b.member()).u8(roleCode(b.role()));
    } else if (body instanceof MemberJoined b) {
      b.contact().write(w);
    } else if (body instanceof MemberLeft b) {
      writeTags(w, b.observedJoins());
    } else if (body instanceof MemberRemoved b) {
      w.peer(b.member());
      writeTags(w, b.observedJoins());
    } else if (body instanceof RenameSpace b) {
      w.utf8(b.name());
    } else if (body instanceof UpdateContact b) {
      b.contact().writeDetails(w);
    } else if (body instanceof TransferOwnership b) {
      w.peer(b.newOwner());
    } else if (body instanceof IssueInvite b) {
      w.fixed(b.inviteId()).u64(b.expiresAtSeconds());
    } else if (body instanceof RedeemInvite b) {
      w.fixed(b.inviteId()).peer(b.member());
    }
  }

  private static Body readBody(int type, PeerId author, WireReader r)
      throws SpaceDecodeException {
    switch (type) {
      case CREATE_CHANNEL: {
        ChannelId channel = r.channelId("channel id");
        int kind = r.u8("kind");
        return new CreateChannel(channel, r.name("channel name"), kind);
      }
      case RENAME_CHANNEL: {
        ChannelId channel = r.channelId("channel id");
        return new RenameChannel(channel, r.name("channel name"));
      }
      case DELETE_CHANNEL:
        return new DeleteChannel(r.channelId("channel id"));
      case SET_ROLE: {
        PeerId member = r.peer("member");
        return new SetRole(member, roleOf(r.u8("role")));
      }
      case MEMBER_JOINED:
        return new MemberJoined(Contact.read(r));
      case MEMBER_LEFT:
        return new MemberLeft(readTags(r));
      case MEMBER_REMOVED: {
        PeerId member = r.peer("member");
        return new MemberRemoved(member, readTags(r));
      }
      case RENAME_SPACE:
        return new RenameSpace(r.name("space name"));
      case UPDATE_CONTACT:
        return new UpdateContact(Contact.readDetails(author, r));
      case TRANSFER_OWNERSHIP:
        return new TransferOwnership(r.peer("new owner"));
      case ISSUE_INVITE: {
        byte[] id = r.fixed(SpaceConstants.INVITE_ID_LENGTH, "invite id");
        long expires = r.u64("invite expiry");
        if (expires < 0 || expires > SpaceConstants.MAX_EXPIRY_SECONDS) {
          throw new SpaceDecodeException("invite expiry out of range");
        }
        return new IssueInvite(id, expires);
      }
      case REDEEM_INVITE: {
        byte[] id = r.fixed(SpaceConstants.INVITE_ID_LENGTH, "invite id");
        return new RedeemInvite(id, r.peer("member"));
      }
      default:
        throw new SpaceDecodeException("unknown operation type " + type);
    }
  }

  private static void writeTags(WireWriter w, List<OpId> tags) {
    w.u8(tags.size());
    for (OpId t : tags) {
      w.fixed(t.rawBytes());
    }
  }

  private static List<OpId> readTags(WireReader r) throws SpaceDecodeException {
    int n = r.u8("tag count");
    if (n < 1 || n > SpaceConstants.MAX_OBSERVED_TAGS) {
      throw new SpaceDecodeException(
          "tag count " + n + " is not 1.." + SpaceConstants.MAX_OBSERVED_TAGS);
    }
    List<OpId> tags = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      OpId t = r.opId("tag");
      if (i > 0 && tags.get(i - 1).compareTo(t) >= 0) {
        throw new SpaceDecodeException("tags are not strictly increasing");
      }
      tags.add(t);
    }
    return tags;
  }

  static int roleCode(Role role) {
    switch (role) {
      case MEMBER:
        return 1;
      case ADMIN:
        return 2;
      default:
        return 3;
    }
  }

  static Role roleOf(int code) throws SpaceDecodeException {
    switch (code) {
      case 1:
        return Role.MEMBER;
      case 2:
        return Role.ADMIN;
      case 3:
        return Role.OWNER;
      default:
        throw new SpaceDecodeException("unknown role " + code);
    }
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /**
   * Returns the operation id, derived from the encoding.
   *
   * @return the id
   */
  public OpId id() {
    return id;
  }

  /**
   * Returns the space the operation belongs to.
   *
   * @return the space id
   */
  public SpaceId spaceId() {
    return spaceId;
  }

  /**
   * Returns the author, as written in the operation.
   *
   * @return the author's PeerId
   */
  public PeerId author() {
    return author;
  }

  /**
   * Returns the author's Lamport clock of the space when it wrote the operation.
   *
   * @return 1 to {@value SpaceConstants#MAX_LAMPORT}
   */
  public long lamport() {
    return lamport;
  }

  /**
   * Returns what the operation does.
   *
   * @return the body
   */
  public Body body() {
    return body;
  }

  /**
   * Returns the wire encoding.
   *
   * @return a fresh copy the caller owns
   */
  public byte[] encode() {
    return encoded.clone();
  }

  /**
   * Orders operations by Lamport clock, then author PeerId, then operation id.
   *
   * @param o the other operation
   * @return negative, zero or positive
   */
  @Override
  public int compareTo(SpaceOp o) {
    int c = Long.compare(lamport, o.lamport);
    if (c == 0) {
      c = author.compareTo(o.author);
    }
    return c != 0 ? c : id.compareTo(o.id);
  }

  /**
   * Tells whether {@code o} is the same operation (same encoding, hence same id).
   *
   * @param o the other object
   * @return true if equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof SpaceOp op && Arrays.equals(encoded, op.encoded);
  }

  /**
   * Returns a hash of the operation id.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /**
   * Returns the id, Lamport clock, author and body.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "SpaceOp[" + id + ", lamport=" + lamport + ", author=" + author + ", " + body + "]";
  }

  /** What a space operation does; one record per operation type. */
  public sealed interface Body
      permits CreateChannel, RenameChannel, DeleteChannel, SetRole, MemberJoined, MemberLeft,
          MemberRemoved, RenameSpace, UpdateContact, TransferOwnership, IssueInvite,
          RedeemInvite {}

  /**
   * Creates a channel; channel ids are never reused, so this is the only add of its id.
   *
   * @param channelId the new channel's id (its MLS group is keyed by it)
   * @param name the channel's first name
   * @param kind the channel kind code, 0 to {@value SpaceConstants#MAX_CHANNEL_KIND} ({@value
   *     SpaceConstants#CHANNEL_KIND_TEXT} for a text channel)
   */
  public record CreateChannel(ChannelId channelId, String name, int kind) implements Body {
    /**
     * Checks the parts.
     *
     * @param channelId the new channel's id
     * @param name the channel's first name
     * @param kind the channel kind code
     * @throws IllegalArgumentException if the name or kind is out of bounds
     */
    public CreateChannel {
      Objects.requireNonNull(channelId, "channelId");
      Names.check(name, "channel name");
      if (kind < 0 || kind > SpaceConstants.MAX_CHANNEL_KIND) {
        throw new IllegalArgumentException(
            "channel kind " + kind + " is not 0.." + SpaceConstants.MAX_CHANNEL_KIND);
      }
    }
  }

  /**
   * Renames a channel (last writer wins).
   *
   * @param channelId the channel
   * @param name the new name
   */
  public record RenameChannel(ChannelId channelId, String name) implements Body {
    /**
     * Checks the parts.
     *
     * @param channelId the channel
     * @param name the new name
     * @throws IllegalArgumentException if the name is out of bounds
     */
    public RenameChannel {
      Objects.requireNonNull(channelId, "channelId");
      Names.check(name, "channel name");
    }
  }

  /**
   * Deletes a channel for good; its id is never live again.
   *
   * @param channelId the channel
   */
  public record DeleteChannel(ChannelId channelId) implements Body {
    /**
     * Checks the parts.
     *
     * @param channelId the channel
     */
    public DeleteChannel {
      Objects.requireNonNull(channelId, "channelId");
    }
  }

  /**
   * Sets a member's role (last writer wins).
   *
   * @param member the member
   * @param role the new role; {@link Role#OWNER} is encodable but never takes effect
   */
  public record SetRole(PeerId member, Role role) implements Body {
    /**
     * Checks the parts.
     *
     * @param member the member
     * @param role the new role
     */
    public SetRole {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(role, "role");
    }
  }

  /**
   * Admits a member (written by the member who admitted it), with its contact details; the
   * operation's id is the join's tag in the member set.
   *
   * @param contact the new member and how to reach it
   */
  public record MemberJoined(Contact contact) implements Body {
    /**
     * Checks the parts.
     *
     * @param contact the new member and how to reach it
     */
    public MemberJoined {
      Objects.requireNonNull(contact, "contact");
    }
  }

  /**
   * The author leaves the space, removing the joins it has seen.
   *
   * @param observedJoins the ids of the author's {@link MemberJoined} operations it has seen; 1 to
   *     {@value SpaceConstants#MAX_OBSERVED_TAGS}, kept sorted and without duplicates
   */
  public record MemberLeft(List<OpId> observedJoins) implements Body {
    /**
     * Checks, sorts and copies the tags.
     *
     * @param observedJoins the ids of the author's joins it has seen
     * @throws IllegalArgumentException if there are no tags or too many
     */
    public MemberLeft {
      observedJoins = tags(observedJoins);
    }
  }

  /**
   * Removes a member (the remover is the author), removing the joins the author has seen.
   *
   * @param member the member removed
   * @param observedJoins the ids of the member's {@link MemberJoined} operations the author has
   *     seen; 1 to {@value SpaceConstants#MAX_OBSERVED_TAGS}, kept sorted and without duplicates
   */
  public record MemberRemoved(PeerId member, List<OpId> observedJoins) implements Body {
    /**
     * Checks, sorts and copies the parts.
     *
     * @param member the member removed
     * @param observedJoins the ids of the member's joins the author has seen
     * @throws IllegalArgumentException if there are no tags or too many
     */
    public MemberRemoved {
      Objects.requireNonNull(member, "member");
      observedJoins = tags(observedJoins);
    }
  }

  /**
   * Renames the space (last writer wins).
   *
   * @param name the new name
   */
  public record RenameSpace(String name) implements Body {
    /**
     * Checks the parts.
     *
     * @param name the new name
     * @throws IllegalArgumentException if the name is out of bounds
     */
    public RenameSpace {
      Names.check(name, "space name");
    }
  }

  /**
   * Replaces the author's own contact details (last writer wins).
   *
   * @param contact the author's contact; its peer must be the author
   */
  public record UpdateContact(Contact contact) implements Body {
    /**
     * Checks the parts.
     *
     * @param contact the author's contact
     */
    public UpdateContact {
      Objects.requireNonNull(contact, "contact");
    }
  }

  /**
   * Makes another member the space's owner; the author, the current owner, becomes an admin.
   *
   * @param newOwner the member who becomes owner
   */
  public record TransferOwnership(PeerId newOwner) implements Body {
    /**
     * Checks the parts.
     *
     * @param newOwner the member who becomes owner
     */
    public TransferOwnership {
      Objects.requireNonNull(newOwner, "newOwner");
    }
  }

  /**
   * Records an invite an owner or admin issued, so that every manager can check a join request
   * for it (and admit the joiner while the issuer is away). The id is the SHA-256 of the invite's
   * secret ({@link InviteCode#secretHash()}), which does not reveal the secret; one issue per id.
   *
   * @param inviteId the {@value SpaceConstants#INVITE_ID_LENGTH}-byte invite id
   * @param expiresAtSeconds the invite's expiry, in epoch seconds, 0 to {@value
   *     SpaceConstants#MAX_EXPIRY_SECONDS}
   */
  public record IssueInvite(byte[] inviteId, long expiresAtSeconds) implements Body {
    /**
     * Checks and copies the parts.
     *
     * @param inviteId the invite id
     * @param expiresAtSeconds the expiry
     * @throws IllegalArgumentException if a part is out of bounds
     */
    public IssueInvite {
      inviteId = checkInviteId(inviteId);
      if (expiresAtSeconds < 0 || expiresAtSeconds > SpaceConstants.MAX_EXPIRY_SECONDS) {
        throw new IllegalArgumentException("invite expiry " + expiresAtSeconds + " out of range");
      }
    }

    /**
     * Returns the invite id.
     *
     * @return a fresh copy
     */
    @Override
    public byte[] inviteId() {
      return inviteId.clone();
    }

    /**
     * Tells whether {@code o} issues the same invite with the same expiry.
     *
     * @param o the other object
     * @return true if equal
     */
    @Override
    public boolean equals(Object o) {
      return o instanceof IssueInvite i && Arrays.equals(inviteId, i.inviteId)
          && expiresAtSeconds == i.expiresAtSeconds;
    }

    /**
     * Returns a hash of the invite id.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
      return Arrays.hashCode(inviteId);
    }

    /**
     * Returns a short description without the id.
     *
     * @return the description
     */
    @Override
    public String toString() {
      return "IssueInvite[expires=" + expiresAtSeconds + "]";
    }
  }

  /**
   * Marks an issued invite used, by the manager who admitted {@code member} with it: every member
   * then refuses it, and a join request of that member arriving at another manager is ignored.
   *
   * @param inviteId the {@value SpaceConstants#INVITE_ID_LENGTH}-byte invite id
   * @param member the member admitted with it
   */
  public record RedeemInvite(byte[] inviteId, PeerId member) implements Body {
    /**
     * Checks and copies the parts.
     *
     * @param inviteId the invite id
     * @param member the member admitted
     * @throws IllegalArgumentException if the id has the wrong length
     */
    public RedeemInvite {
      inviteId = checkInviteId(inviteId);
      Objects.requireNonNull(member, "member");
    }

    /**
     * Returns the invite id.
     *
     * @return a fresh copy
     */
    @Override
    public byte[] inviteId() {
      return inviteId.clone();
    }

    /**
     * Tells whether {@code o} redeems the same invite for the same member.
     *
     * @param o the other object
     * @return true if equal
     */
    @Override
    public boolean equals(Object o) {
      return o instanceof RedeemInvite i && Arrays.equals(inviteId, i.inviteId)
          && member.equals(i.member);
    }

    /**
     * Returns a hash of the invite id and member.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
      return Arrays.hashCode(inviteId) * 31 + member.hashCode();
    }

    /**
     * Returns a short description without the id.
     *
     * @return the description
     */
    @Override
    public String toString() {
      return "RedeemInvite[member=" + member + "]";
    }
  }

  private static byte[] checkInviteId(byte[] id) {
    Objects.requireNonNull(id, "inviteId");
    if (id.length != SpaceConstants.INVITE_ID_LENGTH) {
      throw new IllegalArgumentException("invite id of " + id.length + " bytes, not "
          + SpaceConstants.INVITE_ID_LENGTH);
    }
    return id.clone();
  }

  private static List<OpId> tags(List<OpId> tags) {
    Objects.requireNonNull(tags, "observedJoins");
    TreeSet<OpId> sorted = new TreeSet<>(tags);
    if (sorted.isEmpty() || sorted.size() > SpaceConstants.MAX_OBSERVED_TAGS) {
      throw new IllegalArgumentException(
          sorted.size() + " observed joins, not 1.." + SpaceConstants.MAX_OBSERVED_TAGS);
    }
    return List.copyOf(sorted);
  }
}
