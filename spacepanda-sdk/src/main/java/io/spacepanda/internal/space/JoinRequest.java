package io.spacepanda.internal.space;

import io.spacepanda.internal.crypto.SecretBytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a joiner sends to the inviter (and to each fallback admin of a version-3 code, one sealed
 * copy each), in a direct sealed envelope to the recipient's inbox key: the
 * invite's secret, the joiner's contact, and fresh MLS KeyPackages for the space's control group
 * and for the channels it is to be added to (the default channel first).
 *
 * <p>KeyPackages are opaque bytes here; the MLS engine parses and validates them, and the inviter
 * must check that their credential's identity is {@link Contact#peer()} of {@link #joiner()}.
 *
 * <p>Wire format, version {@value SpaceConstants#JOIN_VERSION} (TLS presentation language):
 *
 * <pre>
 * uint8 version = 1; uint8 type = 1;  (2 and 3 are {@link JoinResponse}s)
 * opaque space_id[16]; opaque secret&lt;16..32&gt;;
 * opaque joiner&lt;2..44&gt;; opaque inbox_key[32]; Address addresses&lt;0..8&gt;;
 * opaque space_key_package&lt;1..8192&gt;;   (uint16 length)
 * uint8 n (0..7); opaque channel_key_packages&lt;1..8192&gt;[n];
 * (version 2 only) opaque grant&lt;1..2048&gt;;   (uint16 length; an {@link InviteGrant})
 * </pre>
 *
 * <p>Version {@value SpaceConstants#JOIN_VERSION_GRANT} is written only for a signed (version-4)
 * invite: it carries the code's {@link InviteGrant}, which must be for the request's space and
 * secret (checked when decoding; its signature is checked by the manager that uses it).
 *
 * <p>Immutable and thread-safe; {@link #toString()} never shows the secret.
 */
public final class JoinRequest {

  static final int TYPE = 1;

  private final SpaceId spaceId;
  private final SecretBytes secret;
  private final Contact joiner;
  private final byte[] spaceKeyPackage;
  private final List<byte[]> channelKeyPackages;
  /** The signed invite's grant, or null. */
  private final InviteGrant grant;

  private JoinRequest(SpaceId spaceId, SecretBytes secret, Contact joiner, byte[] spaceKeyPackage,
      List<byte[]> channelKeyPackages, InviteGrant grant) {
    this.spaceId = spaceId;
    this.secret = secret;
    this.joiner = joiner;
    this.spaceKeyPackage = spaceKeyPackage;
    this.channelKeyPackages = channelKeyPackages;
    this.grant = grant;
  }

  /**
   * Creates a join request, checking and copying its parts.
   *
   * @param spaceId the space, from the invite
   * @param secret the invite's secret, from the invite
   * @param joiner the joiner's PeerId, inbox public key and addresses
   * @param spaceKeyPackage a fresh MLS KeyPackage for the space's control group, 1 to {@value
   *     SpaceConstants#MAX_KEY_PACKAGE_BYTES} bytes
   * @param channelKeyPackages fresh KeyPackages for channels, the default channel's first; 0 to
   *     {@value SpaceConstants#MAX_CHANNEL_KEY_PACKAGES} of them, each 1 to {@value
   *     SpaceConstants#MAX_KEY_PACKAGE_BYTES} bytes
   * @return the request
   * @throws IllegalArgumentException if a part is out of bounds
   */
  public static JoinRequest of(SpaceId spaceId, SecretBytes secret, Contact joiner,
      byte[] spaceKeyPackage, List<byte[]> channelKeyPackages) {
    return of(spaceId, secret, joiner, spaceKeyPackage, channelKeyPackages, null);
  }

  /**
   * Creates a join request that carries a signed invite's grant (a version-2 request).
   *
   * @param spaceId the space, from the invite
   * @param secret the invite's secret, from the invite
   * @param joiner the joiner's PeerId, inbox public key and addresses
   * @param spaceKeyPackage a fresh MLS KeyPackage for the space's control group
   * @param channelKeyPackages fresh KeyPackages for channels, the default channel's first
   * @param grant the invite's grant, for this space and secret; or null for none
   * @return the request
   * @throws IllegalArgumentException if a part is out of bounds, or the grant is for another space
   *     or secret
   */
  public static JoinRequest of(SpaceId spaceId, SecretBytes secret, Contact joiner,
      byte[] spaceKeyPackage, List<byte[]> channelKeyPackages, InviteGrant grant) {
    Objects.requireNonNull(spaceId, "spaceId");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(joiner, "joiner");
    InviteCode.checkSecretLength(secret.length());
    byte[] space = checkKeyPackage(spaceKeyPackage);
    Objects.requireNonNull(channelKeyPackages, "channelKeyPackages");
    if (channelKeyPackages.size() > SpaceConstants.MAX_CHANNEL_KEY_PACKAGES) {
      throw new IllegalArgumentException(channelKeyPackages.size()
          + " channel KeyPackages, more than " + SpaceConstants.MAX_CHANNEL_KEY_PACKAGES);
    }
    List<byte[]> channels = new ArrayList<>(channelKeyPackages.size());
    for (byte[] kp : channelKeyPackages) {
      channels.add(checkKeyPackage(kp));
    }
    String problem = grantProblem(grant, spaceId, secret);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return new JoinRequest(spaceId, secret, joiner, space, List.copyOf(channels), grant);
  }

  private static String grantProblem(InviteGrant grant, SpaceId spaceId, SecretBytes secret) {
    if (grant == null) {
      return null;
    }
    if (!grant.spaceId().equals(spaceId)) {
      return "the invite grant is for another space";
    }
    if (!grant.isFor(InviteCode.hashSecret(secret))) {
      return "the invite grant is for another secret";
    }
    return null;
  }

  /**
   * Creates a join request for an invite: its space and secret, and its grant if it is signed.
   *
   * @param invite the parsed invite code
   * @param joiner the joiner's PeerId, inbox public key and addresses
   * @param spaceKeyPackage a fresh MLS KeyPackage for the space's control group
   * @param channelKeyPackages fresh KeyPackages for channels, the default channel's first
   * @return the request
   * @throws IllegalArgumentException if a part is out of bounds
   */
  public static JoinRequest forInvite(InviteCode invite, Contact joiner, byte[] spaceKeyPackage,
      List<byte[]> channelKeyPackages) {
    return of(invite.spaceId(), invite.secret(), joiner, spaceKeyPackage, channelKeyPackages,
        invite.grant().orElse(null));
  }

  private static byte[] checkKeyPackage(byte[] kp) {
    Objects.requireNonNull(kp, "keyPackage");
    if (kp.length < 1 || kp.length > SpaceConstants.MAX_KEY_PACKAGE_BYTES) {
      throw new IllegalArgumentException("KeyPackage of " + kp.length + " bytes is not 1.."
          + SpaceConstants.MAX_KEY_PACKAGE_BYTES);
    }
    return kp.clone();
  }

  /**
   * Encodes the request.
   *
   * @return the wire form, a fresh array
   */
  public byte[] encode() {
    byte[] s = secret.exportSecret();
    WireWriter w = new WireWriter();
    w.u8(grant == null ? SpaceConstants.JOIN_VERSION : SpaceConstants.JOIN_VERSION_GRANT).u8(TYPE).fixed(spaceId.rawBytes()).opaque8(s);
    Arrays.fill(s, (byte) 0);
    joiner.write(w);
    w.opaque16(spaceKeyPackage).u8(channelKeyPackages.size());
    for (byte[] kp : channelKeyPackages) {
      w.opaque16(kp);
    }
    if (grant != null) {
      w.opaque16(grant.encode());
    }
    return w.toByteArray();
  }

  /**
   * Decodes a request, strictly.
   *
   * @param bytes the wire form, not modified
   * @return the request
   * @throws SpaceDecodeException if the bytes are not exactly one valid join request
   */
  public static JoinRequest decode(byte[] bytes) throws SpaceDecodeException {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length > SpaceConstants.MAX_JOIN_MESSAGE_BYTES) {
      throw new SpaceDecodeException("join request too long");
    }
    WireReader r = new WireReader(bytes);
    int version = r.u8("version");
    if (version != SpaceConstants.JOIN_VERSION && version != SpaceConstants.JOIN_VERSION_GRANT) {
      throw new SpaceDecodeException("unknown join request version " + version);
    }
    int type = r.u8("type");
    if (type != TYPE) {
      throw new SpaceDecodeException("not a join request (type " + type + ")");
    }
    SpaceId space = r.spaceId("space id");
    byte[] s = r.opaque8(
        SpaceConstants.MIN_INVITE_SECRET, SpaceConstants.MAX_INVITE_SECRET, "secret");
    SecretBytes secret = SecretBytes.copyOf(s);
    Arrays.fill(s, (byte) 0);
    Contact joiner = Contact.read(r);
    byte[] spaceKp = r.opaque16(1, SpaceConstants.MAX_KEY_PACKAGE_BYTES, "space KeyPackage");
    int n = r.u8("channel KeyPackage count");
    if (n > SpaceConstants.MAX_CHANNEL_KEY_PACKAGES) {
      throw new SpaceDecodeException("channel KeyPackage count " + n + " exceeds "
          + SpaceConstants.MAX_CHANNEL_KEY_PACKAGES);
    }
    List<byte[]> channels = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      channels.add(r.opaque16(1, SpaceConstants.MAX_KEY_PACKAGE_BYTES, "channel KeyPackage"));
    }
    InviteGrant grant = null;
    if (version == SpaceConstants.JOIN_VERSION_GRANT) {
      grant = InviteGrant.decode(
          r.opaque16(1, SpaceConstants.MAX_INVITE_GRANT_BYTES, "invite grant"));
    }
    r.end("join request");
    String problem = grantProblem(grant, space, secret);
    if (problem != null) {
      throw new SpaceDecodeException(problem);
    }
    return new JoinRequest(space, secret, joiner, spaceKp, List.copyOf(channels), grant);
  }

  /**
   * Returns the space the joiner asks to join.
   *
   * @return the space id
   */
  public SpaceId spaceId() {
    return spaceId;
  }

  /**
   * Returns the invite's secret as the joiner sent it.
   *
   * @return the wrapped secret
   */
  public SecretBytes secret() {
    return secret;
  }

  /**
   * Returns the SHA-256 hash of the secret, to look the invite up in storage.
   *
   * @return a fresh {@value SpaceConstants#SECRET_HASH_LENGTH}-byte array
   */
  public byte[] secretHash() {
    return InviteCode.hashSecret(secret);
  }

  /**
   * Returns the grant of the signed invite the request is for.
   *
   * @return the grant (its signature not verified yet), or empty for an unsigned invite
   */
  public java.util.Optional<InviteGrant> grant() {
    return java.util.Optional.ofNullable(grant);
  }

  /**
   * Returns the joiner's PeerId, inbox public key and addresses.
   *
   * @return the contact
   */
  public Contact joiner() {
    return joiner;
  }

  /**
   * Returns the KeyPackage for the space's control group.
   *
   * @return a fresh copy
   */
  public byte[] spaceKeyPackage() {
    return spaceKeyPackage.clone();
  }

  /**
   * Returns the KeyPackages for channels, the default channel's first.
   *
   * @return a new list of fresh copies
   */
  public List<byte[]> channelKeyPackages() {
    List<byte[]> out = new ArrayList<>(channelKeyPackages.size());
    for (byte[] kp : channelKeyPackages) {
      out.add(kp.clone());
    }
    return out;
  }

  /**
   * Tells whether {@code o} is a request with equal parts.
   *
   * @param o the other object
   * @return true if equal (the secrets compared in constant time)
   */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof JoinRequest q)) {
      return false;
    }
    if (channelKeyPackages.size() != q.channelKeyPackages.size()) {
      return false;
    }
    for (int i = 0; i < channelKeyPackages.size(); i++) {
      if (!Arrays.equals(channelKeyPackages.get(i), q.channelKeyPackages.get(i))) {
        return false;
      }
    }
    return spaceId.equals(q.spaceId) && secret.equals(q.secret) && joiner.equals(q.joiner)
        && Arrays.equals(spaceKeyPackage, q.spaceKeyPackage) && Objects.equals(grant, q.grant);
  }

  /**
   * Returns a hash of the space and joiner.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Objects.hash(spaceId, joiner);
  }

  /**
   * Returns the space, joiner and KeyPackage sizes, never the secret.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "JoinRequest[space=" + spaceId + ", joiner=" + joiner + ", keyPackages="
        + (1 + channelKeyPackages.size()) + "]";
  }
}
