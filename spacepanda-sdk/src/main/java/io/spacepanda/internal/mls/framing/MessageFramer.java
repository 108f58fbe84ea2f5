package io.spacepanda.internal.mls.framing;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.MlsWrongEpochException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.AuthenticatedContent;
import io.spacepanda.internal.mls.message.ContentType;
import io.spacepanda.internal.mls.message.FramedContent;
import io.spacepanda.internal.mls.message.FramedContentAuthData;
import io.spacepanda.internal.mls.message.GroupContext;
import io.spacepanda.internal.mls.message.PrivateMessage;
import io.spacepanda.internal.mls.message.PrivateMessageContent;
import io.spacepanda.internal.mls.message.PublicMessage;
import io.spacepanda.internal.mls.message.Sender;
import io.spacepanda.internal.mls.message.SenderData;
import io.spacepanda.internal.mls.message.SenderType;
import io.spacepanda.internal.mls.message.WireFormat;
import io.spacepanda.internal.mls.schedule.EpochSecrets;
import io.spacepanda.internal.mls.schedule.MessageKey;
import io.spacepanda.internal.mls.schedule.RatchetType;
import io.spacepanda.internal.mls.schedule.SecretTree;
import io.spacepanda.internal.mls.schedule.SenderDataKeys;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Protects and unprotects the framed messages of one epoch (RFC 9420 §6): signs and verifies
 * {@code FramedContentTBS}, adds and checks the membership tag of a PublicMessage, and encrypts
 * and decrypts PrivateMessages with the epoch's secret tree and sender-data secret.
 *
 * <p>Design. One framer per epoch, holding that epoch's GroupContext (encoded once), membership key,
 * sender-data secret and {@link SecretTree}. Sending a proposal or an application message is one
 * call ({@link #protectPublic(FramedContent, byte[])}, {@link #encryptPrivate(FramedContent,
 * byte[])}). A commit takes two steps, because its confirmation tag depends on its signature:
 * {@link #sign(int, FramedContent, byte[])} gives the signature, from which the caller computes the
 * confirmed transcript hash ({@code TranscriptHash.confirmed(suite, interim, wireFormat, content,
 * signature)}), runs the new epoch's key schedule and computes the confirmation tag; then
 * {@link #protectPublic(AuthenticatedContent)} or {@link #encryptPrivate(AuthenticatedContent)}
 * frames the AuthenticatedContent with signature and tag. Receiving is {@link #verifyPublic(PublicMessage,
 * SignatureKeyResolver)} or {@link #decryptPrivate(PrivateMessage, SignatureKeyResolver)}, which
 * return the authenticated content; the confirmation tag of a commit is checked by the caller
 * after it has run the key schedule ({@code TranscriptHash.verifyConfirmationTag}).
 *
 * <p>Every failed decryption says "decryption failed" ({@code MlsDecryptionException}), every bad
 * signature or tag is an {@link MlsValidationException} with a fixed text, a message of another
 * epoch is an {@link MlsWrongEpochException}, a reused or deleted key an
 * {@code MlsReplayException}.
 *
 * <p>Not thread-safe (the secret tree changes with every message): confine a framer to the thread
 * or lock that owns its group's state.
 */
public final class MessageFramer {

  private static final String TBS_LABEL = "FramedContentTBS";

  private final CipherSuite suite;
  private final GroupContext context;
  private final byte[] contextBytes;
  private final byte[] membershipKey;
  private final byte[] senderDataSecret;
  private final SecretTree secretTree;
  private final FramingOptions options;
  private final SecureRandom random;

  /**
   * Creates the framer of one epoch from its keys.
   *
   * @param suite the group's cipher suite
   * @param context the epoch's GroupContext
   * @param membershipKey the epoch's membership key
   * @param senderDataSecret the epoch's sender data secret
   * @param secretTree the epoch's secret tree (shared, not copied: the framer advances it)
   * @param options padding options
   * @param random the source of reuse guards
   * @throws IllegalArgumentException if the suite is not the context's suite
   */
  public MessageFramer(CipherSuite suite, GroupContext context, byte[] membershipKey,
      byte[] senderDataSecret, SecretTree secretTree, FramingOptions options, SecureRandom random) {
    this.suite = Objects.requireNonNull(suite, "suite");
    this.context = Objects.requireNonNull(context, "context");
    this.membershipKey = membershipKey.clone();
    this.senderDataSecret = senderDataSecret.clone();
    this.secretTree = Objects.requireNonNull(secretTree, "secretTree");
    this.options = Objects.requireNonNull(options, "options");
    this.random = Objects.requireNonNull(random, "random");
    if (context.cipherSuite() != suite.id() || secretTree.suite() != suite) {
      throw new IllegalArgumentException("cipher suite mismatch: " + suite);
    }
    this.contextBytes = context.toBytes();
  }

  /**
   * Creates the framer of one epoch from its {@link EpochSecrets}.
   *
   * @param context the epoch's GroupContext
   * @param secrets the epoch's secrets
   * @param secretTree the epoch's secret tree, made from {@code secrets.encryptionSecret()}
   * @param options padding options
   * @param random the source of reuse guards
   * @return the framer
   */
  public static MessageFramer forEpoch(GroupContext context, EpochSecrets secrets,
      SecretTree secretTree, FramingOptions options, SecureRandom random) {
    return new MessageFramer(secrets.suite(), context, secrets.membershipKey(),
        secrets.senderDataSecret(), secretTree, options, random);
  }

  /**
   * Returns the GroupContext this framer protects messages for.
   *
   * @return the context
   */
  public GroupContext context() {
    return context;
  }

  /**
   * Returns the secret tree this framer advances.
   *
   * @return the tree (live, not a copy)
   */
  public SecretTree secretTree() {
    return secretTree;
  }

  // ---------------------------------------------------------------- signing

  /**
   * Signs framed content for sending with the given wire format (RFC 9420 §6.1): {@code
   * SignWithLabel(key, "FramedContentTBS", FramedContentTBS)}.
   *
   * @param wireFormat {@link WireFormat#PUBLIC_MESSAGE} or {@link WireFormat#PRIVATE_MESSAGE}
   * @param content the content, of this framer's group and epoch
   * @param signaturePrivateKey the sender's signature private key
   * @return the signature, for {@code FramedContentAuthData}
   * @throws IllegalArgumentException if the content is of another group or epoch, or cannot be
   *     sent with this wire format (application data as PublicMessage, non-member as
   *     PrivateMessage)
   */
  public byte[] sign(int wireFormat, FramedContent content, byte[] signaturePrivateKey) {
    checkSendable(wireFormat, content);
    return suite.signWithLabel(signaturePrivateKey, TBS_LABEL, tbs(wireFormat, content));
  }

  private AuthenticatedContent signNonCommit(int wireFormat, FramedContent content,
      byte[] signaturePrivateKey) {
    if (content.contentType() == ContentType.COMMIT) {
      throw new IllegalArgumentException("a commit needs its confirmation tag: sign it first");
    }
    return new AuthenticatedContent(wireFormat, content,
        new FramedContentAuthData(sign(wireFormat, content, signaturePrivateKey), null));
  }

  private void checkSendable(int wireFormat, FramedContent content) {
    Objects.requireNonNull(content, "content");
    if (!Arrays.equals(content.groupId(), context.groupId()) || content.epoch() != context.epoch()) {
      throw new IllegalArgumentException("content is not of this framer's group and epoch");
    }
    if (wireFormat == WireFormat.PUBLIC_MESSAGE) {
      if (content.contentType() == ContentType.APPLICATION) {
        throw new IllegalArgumentException("application data cannot be sent as PublicMessage");
      }
    } else if (wireFormat == WireFormat.PRIVATE_MESSAGE) {
      if (content.sender().type() != SenderType.MEMBER) {
        throw new IllegalArgumentException("only members can send PrivateMessage");
      }
    } else {
      throw new IllegalArgumentException("not a framed wire format: " + wireFormat);
    }
  }

  /** FramedContentTBS (RFC 9420 §6.1), with the context encoded once per epoch. */
  private byte[] tbs(int wireFormat, FramedContent content) {
    TlsWriter w = new TlsWriter(256 + contextBytes.length);
    writeTbs(w, wireFormat, content);
    return w.toByteArray();
  }

  private void writeTbs(TlsWriter w, int wireFormat, FramedContent content) {
    w.u16(MlsConstants.PROTOCOL_VERSION_MLS10).u16(wireFormat);
    content.encode(w);
    SenderType t = content.sender().type();
    if (t == SenderType.MEMBER || t == SenderType.NEW_MEMBER_COMMIT) {
      w.raw(contextBytes);
    }
  }

  private void verifySignature(int wireFormat, FramedContent content, FramedContentAuthData auth,
      SignatureKeyResolver keys) throws MlsValidationException {
    byte[] key = keys.signatureKeyOrNull(content.sender(), content);
    if (key == null
        || !suite.verifyWithLabel(key, TBS_LABEL, tbs(wireFormat, content), auth.signature())) {
      throw new MlsValidationException("invalid signature");
    }
  }

  // ---------------------------------------------------------------- PublicMessage

  /**
   * Signs a proposal and frames it as a PublicMessage (RFC 9420 §6.2); for commits use
   * {@link #sign(int, FramedContent, byte[])} and {@link #protectPublic(AuthenticatedContent)}.
   *
   * @param content a proposal of this framer's group and epoch
   * @param signaturePrivateKey the sender's signature private key
   * @return the message, with a membership tag for a member sender
   * @throws IllegalArgumentException if the content is a commit (it needs a confirmation tag) or
   *     cannot be sent as PublicMessage
   */
  public PublicMessage protectPublic(FramedContent content, byte[] signaturePrivateKey) {
    return protectPublic(signNonCommit(WireFormat.PUBLIC_MESSAGE, content, signaturePrivateKey));
  }

  /**
   * Frames signed content as a PublicMessage, adding the membership tag for a member sender
   * (RFC 9420 §6.2).
   *
   * @param authenticated content signed with {@link WireFormat#PUBLIC_MESSAGE}, with its
   *     confirmation tag if it is a commit
   * @return the message
   * @throws IllegalArgumentException if the wire format or the confirmation tag does not fit
   */
  public PublicMessage protectPublic(AuthenticatedContent authenticated) {
    FramedContent content = authenticated.content();
    if (authenticated.wireFormat() != WireFormat.PUBLIC_MESSAGE) {
      throw new IllegalArgumentException("content was signed for another wire format");
    }
    checkSendable(WireFormat.PUBLIC_MESSAGE, content);
    checkConfirmationTag(content, authenticated.auth());
    byte[] tag = content.sender().type() == SenderType.MEMBER
        ? membershipTag(content, authenticated.auth()) : null;
    return new PublicMessage(content, authenticated.auth(), tag);
  }

  private static void checkConfirmationTag(FramedContent content, FramedContentAuthData auth) {
    if ((content.contentType() == ContentType.COMMIT) != (auth.confirmationTag() != null)) {
      throw new IllegalArgumentException("a commit, and only a commit, has a confirmation tag");
    }
  }

  /** membership_tag = MAC(membership_key, AuthenticatedContentTBM) (RFC 9420 §6.2). */
  private byte[] membershipTag(FramedContent content, FramedContentAuthData auth) {
    TlsWriter w = new TlsWriter(384 + contextBytes.length);
    writeTbs(w, WireFormat.PUBLIC_MESSAGE, content);
    auth.encode(w, content.contentType());
    return suite.mac(membershipKey, w.toByteArray());
  }

  /**
   * Checks a received PublicMessage: group, epoch, membership tag and signature (RFC 9420 §6.2).
   *
   * @param message the message
   * @param keys finds the sender's signature key
   * @return the authenticated content (a commit's confirmation tag is still to be checked)
   * @throws MlsWrongEpochException if the message is for another epoch
   * @throws MlsValidationException if it is of another group, carries application data, or its
   *     membership tag or signature is wrong
   */
  public AuthenticatedContent verifyPublic(PublicMessage message, SignatureKeyResolver keys)
      throws MlsWrongEpochException, MlsValidationException {
    FramedContent content = message.content();
    checkReceivable(content.groupId(), content.epoch());
    if (content.contentType() == ContentType.APPLICATION) {
      throw new MlsValidationException("application data in a PublicMessage");
    }
    if (content.sender().type() == SenderType.MEMBER) {
      byte[] tag = message.membershipTag();
      if (tag == null
          || !MessageDigest.isEqual(membershipTag(content, message.auth()), tag)) {
        throw new MlsValidationException("invalid membership tag");
      }
    }
    verifySignature(WireFormat.PUBLIC_MESSAGE, content, message.auth(), keys);
    return new AuthenticatedContent(WireFormat.PUBLIC_MESSAGE, content, message.auth());
  }

  private void checkReceivable(byte[] groupId, long epoch)
      throws MlsWrongEpochException, MlsValidationException {
    if (!Arrays.equals(groupId, context.groupId())) {
      throw new MlsValidationException("message of another group");
    }
    if (epoch != context.epoch()) {
      throw new MlsWrongEpochException("message of another epoch");
    }
  }

  // ---------------------------------------------------------------- PrivateMessage

  /**
   * Signs a proposal or application message and encrypts it as a PrivateMessage (RFC 9420 §6.3);
   * for commits use {@link #sign(int, FramedContent, byte[])} and
   * {@link #encryptPrivate(AuthenticatedContent)}.
   *
   * @param content content from a member sender, of this framer's group and epoch
   * @param signaturePrivateKey the sender's signature private key
   * @return the message
   * @throws MlsValidationException if the sender's ratchet is exhausted or outside the tree
   * @throws IllegalArgumentException if the content is a commit or not from a member
   */
  public PrivateMessage encryptPrivate(FramedContent content, byte[] signaturePrivateKey)
      throws MlsValidationException {
    return encryptPrivate(signNonCommit(WireFormat.PRIVATE_MESSAGE, content, signaturePrivateKey));
  }

  /**
   * Encrypts signed content as a PrivateMessage (RFC 9420 §6.3): the content with the next key of
   * the sender's ratchet, then the SenderData with the sender-data key.
   *
   * @param authenticated content signed with {@link WireFormat#PRIVATE_MESSAGE}, with its
   *     confirmation tag if it is a commit
   * @return the message
   * @throws MlsValidationException if the sender's ratchet is exhausted or outside the tree
   * @throws IllegalArgumentException if the wire format, sender or confirmation tag does not fit
   */
  public PrivateMessage encryptPrivate(AuthenticatedContent authenticated)
      throws MlsValidationException {
    FramedContent content = authenticated.content();
    if (authenticated.wireFormat() != WireFormat.PRIVATE_MESSAGE) {
      throw new IllegalArgumentException("content was signed for another wire format");
    }
    checkSendable(WireFormat.PRIVATE_MESSAGE, content);
    checkConfirmationTag(content, authenticated.auth());
    ContentType type = content.contentType();
    int leaf = content.sender().index();

    // RFC 9420 §6.3.1 PrivateMessageContent, zero-padded.
    TlsWriter pt = new TlsWriter(content.applicationData() != null
        ? content.applicationData().length + 160 : 512);
    switch (type) {
      case APPLICATION:
        pt.opaque(content.applicationData());
        break;
      case PROPOSAL:
        content.proposal().encode(pt);
        break;
      default:
        content.commit().encode(pt);
        break;
    }
    authenticated.auth().encode(pt, type);
    int block = options.paddingBlockSize();
    if (block > 1) {
      int rem = pt.size() % block;
      if (rem != 0) {
        pt.raw(new byte[block - rem]);
      }
    }

    MessageKey key = secretTree.nextEncryptionKey(leaf, ratchetOf(type));
    byte[] reuseGuard = new byte[MlsConstants.REUSE_GUARD_SIZE];
    random.nextBytes(reuseGuard);
    byte[] ciphertext = suite.seal(key.key(), guarded(key.nonce(), reuseGuard),
        contentAad(content.groupId(), content.epoch(), type, content.authenticatedData()),
        pt.toByteArray());

    // RFC 9420 §6.3.2 SenderData, keyed by a sample of the content ciphertext.
    byte[] senderData = new SenderData(leaf, key.generation(), reuseGuard).toBytes();
    byte[] encryptedSenderData = suite.seal(
        SenderDataKeys.key(suite, senderDataSecret, ciphertext),
        SenderDataKeys.nonce(suite, senderDataSecret, ciphertext),
        senderDataAad(content.groupId(), content.epoch(), type), senderData);
    return new PrivateMessage(content.groupId(), content.epoch(), type,
        content.authenticatedData(), encryptedSenderData, ciphertext);
  }

  /**
   * Reads the sender's leaf index of a PrivateMessage of this epoch by opening only its sender
   * data (RFC 9420 §6.3.2); no content key is used, so the message can still be decrypted later.
   *
   * @param message the message
   * @return the sender's leaf index, as the sender data claims it (the signature is checked only
   *     when the message is decrypted)
   * @throws MlsException if the message is not of this group and epoch or its sender data does not
   *     open
   */
  public int senderLeaf(PrivateMessage message) throws MlsException {
    checkReceivable(message.groupId(), message.epoch());
    byte[] ciphertext = message.ciphertext();
    byte[] senderDataBytes = suite.open(
        SenderDataKeys.key(suite, senderDataSecret, ciphertext),
        SenderDataKeys.nonce(suite, senderDataSecret, ciphertext),
        message.senderDataAad(), message.encryptedSenderData());
    return TlsReader.decodeExactly(senderDataBytes, SenderData::decode).leafIndex();
  }

  /**
   * Decrypts and checks a received PrivateMessage (RFC 9420 §6.3): SenderData first, then the
   * content with the key of (leaf, generation) from the bounded secret tree, then the padding and
   * the signature.
   *
   * @param message the message
   * @param keys finds the sender's signature key
   * @return the authenticated content (a commit's confirmation tag is still to be checked)
   * @throws MlsWrongEpochException if the message is for another epoch
   * @throws io.spacepanda.internal.mls.MlsDecryptionException ("decryption failed") if the sender
   *     data or the content does not decrypt
   * @throws io.spacepanda.internal.mls.MlsReplayException if the key was already used or deleted
   * @throws MlsValidationException if the group, the generation, the leaf or the signature is wrong
   * @throws MlsDecodeException if the decrypted bytes are malformed or the padding is not zero
   */
  public AuthenticatedContent decryptPrivate(PrivateMessage message, SignatureKeyResolver keys)
      throws MlsException {
    checkReceivable(message.groupId(), message.epoch());
    ContentType type = message.contentType();
    byte[] ciphertext = message.ciphertext();
    byte[] senderDataBytes = suite.open(
        SenderDataKeys.key(suite, senderDataSecret, ciphertext),
        SenderDataKeys.nonce(suite, senderDataSecret, ciphertext),
        message.senderDataAad(), message.encryptedSenderData());
    SenderData senderData = TlsReader.decodeExactly(senderDataBytes, SenderData::decode);
    int leaf = senderData.leafIndex();
    byte[] aad = message.privateContentAad();
    byte[] plaintext = secretTree.withDecryptionKey(leaf, ratchetOf(type),
        senderData.generation(), key -> suite.open(key.key(),
            guarded(key.nonce(), senderData.reuseGuard()), aad, ciphertext));

    // RFC 9420 §6.3.1 PrivateMessageContent: body, auth, then zero padding.
    PrivateMessageContent plain = PrivateMessageContent.decode(plaintext, type);
    FramedContentAuthData auth = plain.auth();
    FramedContent content = plain.toFramedContent(message.groupId(), message.epoch(),
        Sender.member(leaf), message.authenticatedData());
    verifySignature(WireFormat.PRIVATE_MESSAGE, content, auth, keys);
    return new AuthenticatedContent(WireFormat.PRIVATE_MESSAGE, content, auth);
  }

  private static RatchetType ratchetOf(ContentType type) {
    return type == ContentType.APPLICATION ? RatchetType.APPLICATION : RatchetType.HANDSHAKE;
  }

  /** The content nonce with its first four bytes XORed with the reuse guard (RFC 9420 §6.3.1). */
  private static byte[] guarded(byte[] nonce, byte[] reuseGuard) {
    byte[] n = nonce.clone();
    for (int i = 0; i < reuseGuard.length; i++) {
      n[i] ^= reuseGuard[i];
    }
    return n;
  }

  /** PrivateContentAAD (RFC 9420 §6.3.1). */
  private static byte[] contentAad(byte[] groupId, long epoch, ContentType type,
      byte[] authenticatedData) {
    return new TlsWriter(groupId.length + authenticatedData.length + 24).opaque(groupId)
        .u64(epoch).u8(type.value()).opaque(authenticatedData).toByteArray();
  }

  /** SenderDataAAD (RFC 9420 §6.3.2). */
  private static byte[] senderDataAad(byte[] groupId, long epoch, ContentType type) {
    return new TlsWriter(groupId.length + 16).opaque(groupId).u64(epoch).u8(type.value())
        .toByteArray();
  }

  @Override
  public String toString() {
    return "MessageFramer(" + suite + ", epoch=" + context.epoch() + ", keys hidden)";
  }
}
