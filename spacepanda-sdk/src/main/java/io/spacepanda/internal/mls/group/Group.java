package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.MlsWrongEpochException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.framing.SignatureKeyResolver;
import io.spacepanda.internal.mls.message.AuthenticatedContent;
import io.spacepanda.internal.mls.message.Commit;
import io.spacepanda.internal.mls.message.ContentType;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.EncryptedGroupSecrets;
import io.spacepanda.internal.mls.message.Extension;
import io.spacepanda.internal.mls.message.FramedContent;
import io.spacepanda.internal.mls.message.FramedContentAuthData;
import io.spacepanda.internal.mls.message.FramedContentTbs;
import io.spacepanda.internal.mls.message.GroupContext;
import io.spacepanda.internal.mls.message.GroupInfo;
import io.spacepanda.internal.mls.message.GroupSecrets;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.LeafNode;
import io.spacepanda.internal.mls.message.LeafNodeSource;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Node;
import io.spacepanda.internal.mls.message.PreSharedKeyId;
import io.spacepanda.internal.mls.message.PrivateMessage;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.message.ProposalOrRef;
import io.spacepanda.internal.mls.message.PublicMessage;
import io.spacepanda.internal.mls.message.RatchetTreeData;
import io.spacepanda.internal.mls.message.Sender;
import io.spacepanda.internal.mls.message.SenderType;
import io.spacepanda.internal.mls.message.UpdatePath;
import io.spacepanda.internal.mls.message.Welcome;
import io.spacepanda.internal.mls.message.WireFormat;
import io.spacepanda.internal.mls.schedule.EpochSecrets;
import io.spacepanda.internal.mls.schedule.KeySchedule;
import io.spacepanda.internal.mls.schedule.PskSecret;
import io.spacepanda.internal.mls.schedule.SecretTree;
import io.spacepanda.internal.mls.schedule.SecretTreeLimits;
import io.spacepanda.internal.mls.schedule.TranscriptHash;
import io.spacepanda.internal.mls.tree.RatchetTree;
import io.spacepanda.internal.mls.tree.TreeKem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One member's view of an MLS group (RFC 9420 §10–§14): creating and joining groups, proposing,
 * committing, processing messages, protecting application data, and saving state.
 *
 * <p>A group is created with {@link #create} or joined with {@link #joinFromWelcome}. Proposals
 * ({@link #proposeAdd}, {@link #proposeRemove}, {@link #proposeUpdate}) are cached by reference
 * until a commit covers them. {@link #commit(CommitOptions)} does not change the group: the next
 * epoch is adopted only by {@link #mergePendingCommit()} (call it once the commit is accepted by
 * the group's delivery order) or dropped with {@link #discardPendingCommit()}. {@link
 * #process(MlsMessage)} verifies and applies a message of another member.
 *
 * <p>External commits and Add proposals from new-member senders are accepted only when {@link
 * MlsConfig#allowNewMemberSenders()} is true; otherwise joining takes a member's commit.
 *
 * <p>Messages of an epoch other than the current one fail with {@link MlsWrongEpochException},
 * except application messages of the last {@link MlsConfig#pastEpochsRetained()} epochs, which
 * still decrypt. A member that is removed learns it from {@link
 * ProcessedMessage.CommitApplied#selfRemoved()} and accepts nothing more.
 *
 * <p><b>Threading:</b> a Group is not thread-safe. It is confined to one thread at a time; the
 * caller serializes every access (including {@link #toBytes()}).
 *
 * <p>Every failure of a message is a typed {@link MlsException}: {@code MlsDecodeException}
 * (malformed), {@code MlsValidationException} (breaks an RFC rule), {@code MlsWrongEpochException},
 * {@code MlsDecryptionException}, {@code MlsReplayException}. A message that fails leaves the group
 * unchanged, except that a decryption key it consumed stays deleted.
 */
public final class Group {

  private static final HexFormat HEX = HexFormat.of();

  final MlsConfig config;
  final CipherSuite suite;
  final byte[] signaturePrivateKey;
  EpochState state;
  /** Retained past epochs, newest first, at most {@link MlsConfig#pastEpochsRetained()}. */
  final ArrayDeque<PastEpoch> past = new ArrayDeque<>();
  /** Proposals of the current epoch by hex ProposalRef, in arrival order. */
  final LinkedHashMap<String, CachedProposal> proposals = new LinkedHashMap<>();
  /** Resumption PSKs of this group by epoch, oldest first, bounded. */
  final LinkedHashMap<Long, byte[]> resumptionPsks = new LinkedHashMap<>();
  PendingCommit pending;
  boolean active = true;
  /** The committed ReInit proposal; once set, the group accepts and sends nothing more. */
  Proposal.ReInit reInit;
  /** HPKE encryptions of path secrets made by this member's commits since creation or restore. */
  private long pathEncryptions;

  /** A verified proposal of the current epoch, with its ProposalRef (RFC 9420 §5.2). */
  record CachedProposal(byte[] ref, Proposal proposal, Sender sender) {

    @Override
    public boolean equals(Object o) {
      return o instanceof CachedProposal c && Arrays.equals(c.ref, ref);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(ref);
    }

    @Override
    public String toString() {
      return "CachedProposal[type=" + proposal.type() + ", sender=" + sender + "]";
    }
  }

  Group(MlsConfig config, CipherSuite suite, byte[] signaturePrivateKey, EpochState state) {
    this.config = config;
    this.suite = suite;
    this.signaturePrivateKey = signaturePrivateKey;
    this.state = state;
  }

  // ---------------------------------------------------------------------------------------------
  // Creation and joining

  /**
   * Creates a new group with this member alone at leaf 0, in epoch 0 (RFC 9420 §11).
   *
   * @param config bounds, clock and random source
   * @param suite the group's cipher suite
   * @param groupId the group id (at most {@link MlsConstants#MAX_GROUP_ID_SIZE} bytes), copied
   * @param credential the creator's credential
   * @param signatureKeyPair the creator's signature key pair for the suite
   * @return the new group
   * @throws IllegalArgumentException if the group id is too long or the key pair does not fit
   */
  public static Group create(MlsConfig config, CipherSuite suite, byte[] groupId,
      Credential credential, KeyPair signatureKeyPair) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(signatureKeyPair, "signatureKeyPair");
    if (groupId.length > MlsConstants.MAX_GROUP_ID_SIZE) {
      throw new IllegalArgumentException("groupId longer than " + MlsConstants.MAX_GROUP_ID_SIZE);
    }
    GroupSupport.checkSignatureKeyPair(suite, signatureKeyPair);
    // RFC 9420 §11: a one-member tree whose leaf comes from a fresh KeyPackage.
    KeyPackageBundle own = KeyPackageBundle.create(config, suite, credential, signatureKeyPair);
    LeafNode leaf = own.keyPackage().leafNode();
    RatchetTree tree = RatchetTree.create(suite, leaf);
    byte[] gid = groupId.clone();
    GroupContext ctx = new GroupContext(MlsConstants.PROTOCOL_VERSION_MLS10, suite.id(), gid, 0,
        tree.treeHash(), new byte[0], List.of());
    // RFC 9420 §11: epoch 0's epoch secret is fresh randomness; deriving it through the schedule
    // from random init and commit secrets gives a uniformly random secret of the right length.
    byte[] initSecret = random(config, suite.hashLength());
    byte[] commitSecret = random(config, suite.hashLength());
    EpochSecrets secrets =
        KeySchedule.nextEpoch(suite, initSecret, commitSecret, null, ctx.toBytes());
    // RFC 9420 §8.2: epoch 0's confirmed transcript hash is empty; the interim one follows from
    // the confirmation tag over it.
    byte[] tag = suite.mac(secrets.confirmationKey(), ctx.confirmedTranscriptHash());
    byte[] interim = TranscriptHash.interim(suite, ctx.confirmedTranscriptHash(), tag);
    TreeKem kem = TreeKem.forLeaf(suite, 0, own.encryptionPrivateKey());
    EpochState st = newState(config, ctx, tree, kem, secrets, interim, tag);
    Group g = new Group(config, suite, signatureKeyPair.privateKey().clone(), st);
    g.rememberResumption();
    return g;
  }

  /**
   * Joins a group from a Welcome addressed to one of this member's KeyPackages (RFC 9420
   * §12.4.3.1).
   *
   * <p>Decrypts the GroupSecrets with the KeyPackage's init key, the GroupInfo with the welcome
   * key, checks the GroupInfo signature by its signer's leaf, validates the ratchet tree (tree
   * hash, parent hashes, every leaf), installs the path secret, resolves the PSKs and checks the
   * confirmation tag.
   *
   * @param config bounds, clock and random source
   * @param welcome the Welcome
   * @param keyPackageBundle the KeyPackage the Welcome was made for, with its private keys
   * @param ratchetTreeOrNull the group's ratchet tree when delivered out of band, else null (the
   *     GroupInfo's ratchet_tree extension is used)
   * @param pskLookup finds external PSKs named in the GroupSecrets
   * @return the group, in the Welcome's epoch
   * @throws MlsException if the Welcome is not for this KeyPackage or fails any check
   */
  public static Group joinFromWelcome(MlsConfig config, Welcome welcome,
      KeyPackageBundle keyPackageBundle, List<Node> ratchetTreeOrNull, PskLookup pskLookup)
      throws MlsException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(welcome, "welcome");
    Objects.requireNonNull(keyPackageBundle, "keyPackageBundle");
    Objects.requireNonNull(pskLookup, "pskLookup");
    KeyPackage kp = keyPackageBundle.keyPackage();
    CipherSuite suite = CipherSuite.byId(welcome.cipherSuite())
        .orElseThrow(() -> new MlsValidationException("unsupported cipher suite"));
    if (kp.cipherSuite() != welcome.cipherSuite()) {
      throw new MlsValidationException("welcome suite differs from key package");
    }
    WelcomeOpener.Opened opened = WelcomeOpener.open(suite, welcome, kp,
        keyPackageBundle.initPrivateKey(), ids -> resolveExternalOnly(suite, ids, pskLookup));
    GroupInfo gi = opened.groupInfo();
    GroupContext ctx = gi.groupContext();
    if (ctx.version() != MlsConstants.PROTOCOL_VERSION_MLS10 || ctx.cipherSuite() != suite.id()) {
      throw new MlsValidationException("group info version or suite mismatch");
    }
    List<Node> nodes = ratchetTreeOrNull;
    if (nodes == null) {
      nodes = ratchetTreeExtension(gi.extensions());
      if (nodes == null) {
        throw new MlsValidationException("ratchet tree missing");
      }
    }
    RatchetTree tree = RatchetTree.fromNodes(suite, nodes);
    // RFC 9420 §12.4.3.1: the tree must hash to the GroupContext's tree hash and be valid.
    tree.validate(ctx.groupId(), ctx.treeHash());
    validateTreeLeaves(ctx, EpochState.leaves(tree));
    LeafNode signer = tree.leaf(gi.signer());
    if (signer == null) {
      throw new MlsValidationException("group info signer not in tree");
    }
    if (!suite.verifyWithLabel(signer.signatureKey(), "GroupInfoTBS", gi.toBeSigned(),
        gi.signature())) {
      throw new MlsValidationException("group info signature invalid");
    }
    int ownLeaf = tree.indexOfLeaf(kp.leafNode());
    if (ownLeaf < 0) {
      throw new MlsValidationException("own leaf not in tree");
    }
    TreeKem kem = TreeKem.forLeaf(suite, ownLeaf, keyPackageBundle.encryptionPrivateKey());
    if (!Arrays.equals(suite.hpkePublicKey(keyPackageBundle.encryptionPrivateKey()),
        kp.leafNode().encryptionKey())) {
      throw new MlsValidationException("encryption key does not match the key package");
    }
    byte[] pathSecret = opened.groupSecrets().pathSecret();
    if (pathSecret != null) {
      kem = kem.withWelcomePathSecret(tree, gi.signer(), pathSecret);
    }
    if (!opened.confirmationTagValid()) {
      throw new MlsValidationException("confirmation tag invalid");
    }
    EpochSecrets secrets = opened.epochSecrets();
    byte[] interim = TranscriptHash.interim(suite, ctx.confirmedTranscriptHash(),
        gi.confirmationTag());
    EpochState st = newState(config, ctx, tree, kem, secrets, interim,
        gi.confirmationTag());
    Group g = new Group(config, suite, keyPackageBundle.signaturePrivateKey(), st);
    g.rememberResumption();
    return g;
  }

  /**
   * Joins a group by external commit (RFC 9420 §12.4.3.2) from its GroupInfo: verifies the
   * GroupInfo and tree, derives the init secret from the external_pub extension (§8.3), and makes
   * a commit with an ExternalInit proposal and a path from a new leaf.
   *
   * <p>No member has to act first, so this must be allowed by the application's policy: members
   * process the commit only if their {@link MlsConfig#allowNewMemberSenders()} is true.
   *
   * @param config bounds, clock and random source
   * @param groupInfo a signed GroupInfo of the group's current epoch with external_pub
   * @param ratchetTreeOrNull the tree when delivered out of band, else null (the GroupInfo's
   *     ratchet_tree extension is used)
   * @param credential the joiner's credential
   * @param signatureKeyPair the joiner's signature key pair for the group's suite
   * @return the commit to send and the joiner's group in the new epoch
   * @throws MlsException if the GroupInfo or tree fails a check
   */
  public static ExternalJoin joinByExternalCommit(MlsConfig config, GroupInfo groupInfo,
      List<Node> ratchetTreeOrNull, Credential credential, KeyPair signatureKeyPair)
      throws MlsException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(groupInfo, "groupInfo");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(signatureKeyPair, "signatureKeyPair");
    GroupContext old = groupInfo.groupContext();
    CipherSuite suite = CipherSuite.byId(old.cipherSuite())
        .orElseThrow(() -> new MlsValidationException("unsupported cipher suite"));
    GroupSupport.checkSignatureKeyPair(suite, signatureKeyPair);
    List<Node> nodes = ratchetTreeOrNull != null ? ratchetTreeOrNull
        : ratchetTreeExtension(groupInfo.extensions());
    if (nodes == null) {
      throw new MlsValidationException("ratchet tree missing");
    }
    RatchetTree tree = RatchetTree.fromNodes(suite, nodes);
    tree.validate(old.groupId(), old.treeHash());
    validateTreeLeaves(old, EpochState.leaves(tree));
    LeafNode signer = tree.leaf(groupInfo.signer());
    if (signer == null || !suite.verifyWithLabel(signer.signatureKey(), "GroupInfoTBS",
        groupInfo.toBeSigned(), groupInfo.signature())) {
      throw new MlsValidationException("group info signature invalid");
    }
    byte[] externalPub = null;
    for (Extension x : groupInfo.extensions()) {
      if (x.extensionType() == Extension.EXTERNAL_PUB) {
        externalPub = TlsReader.decodeExactly(x.extensionData(),
            r -> r.opaque(MlsConstants.MAX_PUBLIC_KEY_SIZE));
      }
    }
    if (externalPub == null || !suite.isValidHpkePublicKey(externalPub)) {
      throw new MlsValidationException("external_pub missing or invalid");
    }
    // RFC 9420 §8.3: kem_output, context = SetupBaseS(external_pub, ""); init_secret = export
    byte[][] kem = suite.hpkeExportSender(externalPub, new byte[0],
        "MLS 1.0 external init secret".getBytes(StandardCharsets.US_ASCII), suite.hashLength());
    Proposal extInit = new Proposal.ExternalInit(kem[0]);
    byte[] gid = old.groupId();
    int leaf = tree.reserveLeaf();
    LeafNode template = new LeafNode(new byte[0], signatureKeyPair.publicKey(), credential,
        GroupSupport.capabilities(), LeafNodeSource.UPDATE, null, null, List.of(), new byte[0]);
    TreeKem.PreparedPath prepared = TreeKem.withoutKeys(suite, leaf).preparePath(tree, template,
        gid, signatureKeyPair.privateKey(), Set.of(), config.random());
    long newEpoch = old.epoch() + 1;
    GroupContext provisional = new GroupContext(old.version(), old.cipherSuite(), gid, newEpoch,
        tree.treeHash(), old.confirmedTranscriptHash(), old.extensions());
    UpdatePath path = prepared.updatePath(provisional.toBytes());
    FramedContent content = FramedContent.commit(gid, old.epoch(), Sender.newMemberCommit(),
        new byte[0], new Commit(List.of(new ProposalOrRef.Value(extInit)), path));
    byte[] signature = suite.signWithLabel(signatureKeyPair.privateKey(), "FramedContentTBS",
        FramedContentTbs.encode(WireFormat.PUBLIC_MESSAGE, content, old));
    byte[] interimOld = TranscriptHash.interim(suite, old.confirmedTranscriptHash(),
        groupInfo.confirmationTag());
    byte[] confirmed = TranscriptHash.confirmed(suite, interimOld, WireFormat.PUBLIC_MESSAGE,
        content, signature);
    GroupContext ctx = new GroupContext(old.version(), old.cipherSuite(), gid, newEpoch,
        tree.treeHash(), confirmed, old.extensions());
    EpochSecrets secrets = KeySchedule.nextEpoch(suite, kem[1], prepared.commitSecret(), null,
        ctx.toBytes());
    byte[] tag = TranscriptHash.confirmationTag(suite, secrets.confirmationKey(), confirmed);
    PublicMessage pm = new PublicMessage(content, new FramedContentAuthData(signature, tag),
        null);
    byte[] interim = TranscriptHash.interim(suite, confirmed, tag);
    EpochState st = newState(config, ctx, tree, prepared.state().prune(tree), secrets, interim,
        tag);
    Group g = new Group(config, suite, signatureKeyPair.privateKey().clone(), st);
    g.rememberResumption();
    return new ExternalJoin(MlsMessage.of(pm), g);
  }

  private static byte[] resolveExternalOnly(CipherSuite suite, List<PreSharedKeyId> ids,
      PskLookup lookup) throws MlsValidationException {
    return pskSecret(suite, ids, id -> {
      if (id.pskType() == PreSharedKeyId.EXTERNAL) {
        return lookup.findOrNull(id.pskId());
      }
      return null;
    });
  }

  static List<Node> ratchetTreeExtension(List<Extension> extensions) throws MlsValidationException {
    for (Extension x : extensions) {
      if (x.extensionType() == Extension.RATCHET_TREE) {
        try {
          return TlsReader.decodeExactly(x.extensionData(), RatchetTreeData::decode);
        } catch (MlsDecodeException e) {
          throw new MlsValidationException("ratchet tree malformed", e);
        }
      }
    }
    return null;
  }

  /**
   * RFC 9420 §12.4.3.1 / §7.3: the group-dependent checks of a received tree's leaves that {@link
   * RatchetTree#validate} leaves to the group: required capabilities and credentials. Lifetimes
   * are not checked for leaves of a received tree (§7.3 allows it: they may have expired since
   * the member joined).
   */
  private static void validateTreeLeaves(GroupContext ctx, Map<Integer, LeafNode> leaves)
      throws MlsValidationException {
    for (LeafNode leaf : leaves.values()) {
      LeafValidator.checkRequiredCapabilities(leaf.capabilities(), ctx.extensions());
      LeafValidator.checkCredential(leaf.credential());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors

  /**
   * Returns the group id.
   *
   * @return a copy of the group id
   */
  public byte[] groupId() {
    return state.context.groupId().clone();
  }

  /**
   * Returns how many secret-tree keys and ratchet steps this group's current and retained past
   * epochs have derived since they were created or restored: a deterministic measure of the work
   * messages cost, which a rejected message does not undo (the node charges a peer's wasted work
   * with it).
   *
   * @return the count
   */
  public long keyDerivations() {
    long n = state.secretTree.derivationCount();
    for (PastEpoch pe : past) {
      n += pe.secretTree.derivationCount();
    }
    return n;
  }

  /**
   * Returns how many HPKE encryptions of path secrets (RFC 9420 §7.6) this member's commits made
   * since the group was created or restored, counted where they are made ({@link
   * TreeKem.PreparedPath#encryptions()}): the cost a sparse ratchet tree adds to every commit.
   *
   * @return the count
   */
  public long pathEncryptions() {
    return pathEncryptions;
  }

  /**
   * Returns how far the current ratchet tree is from full (blank parents, unmerged leaves).
   *
   * @return the tree's health
   */
  public io.spacepanda.internal.mls.tree.TreeHealth treeHealth() {
    return state.tree.health();
  }

  /**
   * Returns, per leaf index, how much a commit with an UpdatePath from that member would fill the
   * current tree ({@link RatchetTree#refreshGains()}); every member computes the same values.
   *
   * @return one gain per leaf index of the current tree
   */
  public int[] refreshGains() {
    return state.tree.refreshGains();
  }

  /**
   * Returns the current epoch.
   *
   * @return the epoch number
   */
  public long epoch() {
    return state.epoch();
  }

  /**
   * Returns the cipher suite of the group.
   *
   * @return the suite
   */
  public CipherSuite suite() {
    return suite;
  }

  /**
   * Returns the current epoch's authenticator (RFC 9420 §8.7), equal for all members in the epoch.
   *
   * @return a copy of the epoch authenticator
   */
  public byte[] epochAuthenticator() {
    return state.secrets.epochAuthenticator();
  }

  /**
   * Returns this member's leaf index.
   *
   * @return the leaf index
   */
  public int ownLeafIndex() {
    return state.ownLeaf();
  }

  /**
   * Returns whether this member is still in the group (false after being removed).
   *
   * @return true while a member
   */
  public boolean isActive() {
    return active;
  }

  /**
   * Returns the members of the current epoch, by leaf index.
   *
   * @return the members, ordered by leaf index
   */
  public List<Member> members() {
    List<Member> out = new ArrayList<>();
    for (Map.Entry<Integer, LeafNode> e : state.leaves().entrySet()) {
      out.add(new Member(e.getKey(), e.getValue().credential(),
          e.getValue().signatureKey().clone()));
    }
    return out;
  }

  /**
   * Computes {@code MLS-Exporter(label, context, length)} of the current epoch (RFC 9420 §8.5).
   *
   * @param label the exporter label
   * @param context the context
   * @param length output length in bytes (1 to 255 times the hash length)
   * @return the exported secret
   * @throws IllegalArgumentException if the length is out of range
   */
  public byte[] exporter(String label, byte[] context, int length) {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(context, "context");
    if (length < 1 || length > 255 * suite.hashLength()) {
      throw new IllegalArgumentException("length out of range: " + length);
    }
    return state.secrets.exporter(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        context, length);
  }

  /**
   * Returns the current GroupContext.
   *
   * @return the GroupContext
   */
  public GroupContext groupContext() {
    return state.context;
  }

  /**
   * Returns the encoded ratchet tree of the current epoch, as the ratchet_tree extension carries
   * it (RFC 9420 §12.4.3.3).
   *
   * @return the tree's nodes (null entries are blank)
   */
  public List<Node> ratchetTree() {
    return state.tree.toNodes();
  }

  /**
   * Returns the pending commit made by this member, or null.
   *
   * @return the pending commit or null
   */
  public PendingCommit pendingCommitOrNull() {
    return pending;
  }

  /**
   * Returns how many proposals of the current epoch are cached, waiting for a commit.
   *
   * @return the count
   */
  public int pendingProposalCount() {
    return proposals.size();
  }

  /**
   * Returns the leaves of the members that proposed their own removal in the current epoch.
   *
   * @return the leaf indexes, in proposal order
   */
  public List<Integer> pendingSelfRemovals() {
    List<Integer> out = new ArrayList<>();
    for (CachedProposal cp : proposals.values()) {
      if (cp.proposal() instanceof Proposal.Remove r && cp.sender().type() == SenderType.MEMBER
          && cp.sender().index() == r.removed()) {
        out.add(r.removed());
      }
    }
    return out;
  }

  /**
   * Returns the leaves whose removal is proposed in the current epoch, by anyone.
   *
   * @return the leaf indexes, without duplicates, in proposal order
   */
  public List<Integer> pendingRemovals() {
    List<Integer> out = new ArrayList<>();
    for (CachedProposal cp : proposals.values()) {
      if (cp.proposal() instanceof Proposal.Remove r && !out.contains(r.removed())) {
        out.add(r.removed());
      }
    }
    return out;
  }

  /**
   * Forgets a cached proposal of the current epoch, so that this member's commits leave it out:
   * for a proposal the application's policy does not allow its sender to make.
   *
   * @param reference the proposal reference, as {@link ProcessedMessage.ProposalQueued} gave it
   * @return true if it was cached
   */
  public boolean discardProposal(byte[] reference) {
    return proposals.remove(HEX.formatHex(reference)) != null;
  }

  /**
   * Returns the leaf index of the member that sent a handshake message (proposal or commit) of
   * the current epoch, without processing it: a PublicMessage names it in clear, a PrivateMessage
   * in its sender data (RFC 9420 §6.3.2), which is opened without using a content key. Lets the
   * application refuse a commit from a member its policy does not let commit before it is applied.
   *
   * @param message a PublicMessage or PrivateMessage of this group's current epoch
   * @return the claimed sender's leaf index, or -1 if the sender is not a member
   * @throws MlsException if the message is not of this epoch or cannot be opened
   */
  public int senderLeafOf(MlsMessage message) throws MlsException {
    Objects.requireNonNull(message, "message");
    if (message.publicMessage() != null) {
      Sender s = message.publicMessage().content().sender();
      return s.type() == SenderType.MEMBER ? s.index() : -1;
    }
    PrivateMessage pm = message.privateMessage();
    if (pm == null) {
      throw new MlsValidationException("not a framed message");
    }
    checkGroupId(pm.groupId());
    return state.framer.senderLeaf(pm);
  }

  /**
   * Returns the epoch a PublicMessage or PrivateMessage belongs to, readable without keys, so a
   * caller can hold a message of a future epoch and drop one of a past epoch.
   *
   * @param message a framed message
   * @return its epoch
   * @throws IllegalArgumentException if the message is not a PublicMessage or PrivateMessage
   */
  public static long epochOf(MlsMessage message) {
    if (message.publicMessage() != null) {
      return message.publicMessage().content().epoch();
    }
    if (message.privateMessage() != null) {
      return message.privateMessage().epoch();
    }
    throw new IllegalArgumentException("not a framed message");
  }

  // ---------------------------------------------------------------------------------------------
  // Proposals

  /**
   * Proposes to add a member by its KeyPackage, as a PrivateMessage.
   *
   * @param keyPackage the new member's KeyPackage (validated now, RFC 9420 §10.1)
   * @return the proposal message to send to the group
   * @throws MlsValidationException if the KeyPackage is invalid for this group
   */
  public MlsMessage proposeAdd(KeyPackage keyPackage) throws MlsValidationException {
    return proposeAdd(keyPackage, false);
  }

  /**
   * Proposes to add a member by its KeyPackage.
   *
   * @param keyPackage the new member's KeyPackage (validated now, RFC 9420 §10.1)
   * @param publicMessage true to send a PublicMessage, false for a PrivateMessage
   * @return the proposal message to send to the group
   * @throws MlsValidationException if the KeyPackage is invalid for this group
   */
  public MlsMessage proposeAdd(KeyPackage keyPackage, boolean publicMessage)
      throws MlsValidationException {
    Objects.requireNonNull(keyPackage, "keyPackage");
    requireSendable();
    validator().validateKeyPackage(keyPackage, true);
    return propose(new Proposal.Add(keyPackage), publicMessage);
  }

  /**
   * Proposes to remove the member at a leaf, as a PrivateMessage.
   *
   * @param leafIndex the member's leaf index
   * @return the proposal message to send to the group
   * @throws IllegalArgumentException if no member is at that leaf
   */
  public MlsMessage proposeRemove(int leafIndex) {
    return proposeRemove(leafIndex, false);
  }

  /**
   * Proposes to remove the member at a leaf.
   *
   * @param leafIndex the member's leaf index
   * @param publicMessage true to send a PublicMessage, false for a PrivateMessage
   * @return the proposal message to send to the group
   * @throws IllegalArgumentException if no member is at that leaf
   */
  public MlsMessage proposeRemove(int leafIndex, boolean publicMessage) {
    requireSendable();
    if (state.tree.leaf(leafIndex) == null) {
      throw new IllegalArgumentException("no member at leaf " + leafIndex);
    }
    return propose(new Proposal.Remove(leafIndex), publicMessage);
  }

  /**
   * Proposes to replace this member's leaf with fresh encryption keys (RFC 9420 §12.1.2), as a
   * PrivateMessage. Another member must commit it.
   *
   * @return the proposal message to send to the group
   */
  public MlsMessage proposeUpdate() {
    return proposeUpdate(false);
  }

  /**
   * Proposes to replace this member's leaf with fresh encryption keys (RFC 9420 §12.1.2).
   *
   * @param publicMessage true to send a PublicMessage, false for a PrivateMessage
   * @return the proposal message to send to the group
   */
  public MlsMessage proposeUpdate(boolean publicMessage) {
    requireSendable();
    KeyPair enc = suite.generateHpkeKeyPair(config.random());
    LeafNode cur = state.ownLeafNode();
    LeafNode unsigned = new LeafNode(enc.publicKey(), cur.signatureKey(), cur.credential(),
        cur.capabilities(), LeafNodeSource.UPDATE, null, null, cur.extensions(), new byte[0]);
    LeafNode leaf = unsigned.withSignature(suite.signWithLabel(signaturePrivateKey, "LeafNodeTBS",
        unsigned.toBeSigned(state.context.groupId(), state.ownLeaf())));
    MlsMessage msg = propose(new Proposal.Update(leaf), publicMessage);
    ownUpdateKeys.put(HEX.formatHex(enc.publicKey()), enc.privateKey());
    return msg;
  }

  /**
   * Proposes new GroupContext extensions (RFC 9420 §12.1.7), as a PublicMessage or
   * PrivateMessage; a commit of it carries a path.
   *
   * @param extensions the complete new list of group extensions
   * @param publicMessage true to send a PublicMessage
   * @return the proposal message to send to the group
   * @throws MlsValidationException if a member does not support an extension
   */
  public MlsMessage proposeGroupContextExtensions(List<Extension> extensions,
      boolean publicMessage) throws MlsValidationException {
    requireSendable();
    Proposal p = new Proposal.GroupContextExtensions(List.copyOf(extensions));
    try {
      validateProposal(p, Sender.member(state.ownLeaf()), state);
    } catch (MlsValidationException e) {
      throw e;
    } catch (MlsException e) {
      throw new MlsValidationException("proposal invalid", e);
    }
    return propose(p, publicMessage);
  }

  /**
   * Proposes to inject an external PSK into the next epoch (RFC 9420 §8.4, §12.1.4); every member
   * must know it ({@link #addExternalPsk}).
   *
   * @param pskId the psk_id
   * @param publicMessage true to send a PublicMessage
   * @return the proposal message to send to the group
   * @throws IllegalArgumentException if this member does not know the PSK
   */
  public MlsMessage proposeExternalPsk(byte[] pskId, boolean publicMessage) {
    requireSendable();
    if (!externalPsks.containsKey(HEX.formatHex(pskId))) {
      throw new IllegalArgumentException("unknown external psk");
    }
    return propose(new Proposal.PreSharedKey(PreSharedKeyId.external(pskId.clone(),
        random(config, suite.hashLength()))), publicMessage);
  }

  /**
   * Proposes to inject the resumption PSK of an earlier epoch of this group (RFC 9420 §8.6).
   *
   * @param epoch a retained epoch (see {@link MlsConfig#resumptionSecretsRetained()})
   * @param publicMessage true to send a PublicMessage
   * @return the proposal message to send to the group
   * @throws IllegalArgumentException if the epoch's resumption PSK is not retained
   */
  public MlsMessage proposeResumptionPsk(long epoch, boolean publicMessage) {
    requireSendable();
    if (!resumptionPsks.containsKey(epoch)) {
      throw new IllegalArgumentException("resumption psk of epoch " + epoch + " not retained");
    }
    return propose(new Proposal.PreSharedKey(PreSharedKeyId.resumption(
        PreSharedKeyId.USAGE_APPLICATION, state.context.groupId(), epoch,
        random(config, suite.hashLength()))), publicMessage);
  }

  /**
   * Proposes to end this group and continue in a new one (RFC 9420 §12.1.5); once committed the
   * group sends and accepts nothing more, and {@link #reInitOrNull()} tells the new parameters.
   *
   * @param newGroupId the new group's id
   * @param newSuite the new group's cipher suite
   * @param extensions the new group's extensions
   * @param publicMessage true to send a PublicMessage
   * @return the proposal message to send to the group
   */
  public MlsMessage proposeReInit(byte[] newGroupId, CipherSuite newSuite,
      List<Extension> extensions, boolean publicMessage) {
    requireSendable();
    return propose(new Proposal.ReInit(newGroupId.clone(), MlsConstants.PROTOCOL_VERSION_MLS10,
        newSuite.id(), List.copyOf(extensions)), publicMessage);
  }

  /**
   * Returns the committed ReInit proposal, or null while the group is live.
   *
   * @return the ReInit or null
   */
  public Proposal.ReInit reInitOrNull() {
    return reInit;
  }

  /**
   * Signs a GroupInfo of the current epoch (RFC 9420 §12.4.3), with the external_pub extension
   * so that a new member can join by external commit.
   *
   * @param withRatchetTree whether to include the ratchet_tree extension
   * @return the signed GroupInfo
   */
  public GroupInfo groupInfo(boolean withRatchetTree) {
    return signedGroupInfo(state, withRatchetTree);
  }

  private GroupInfo signedGroupInfo(EpochState st, boolean withRatchetTree) {
    List<Extension> ext = new ArrayList<>();
    if (withRatchetTree) {
      ext.add(new Extension(Extension.RATCHET_TREE, st.tree.encode()));
    }
    ext.add(new Extension(Extension.EXTERNAL_PUB,
        new TlsWriter().opaque(st.secrets.externalKeyPair().publicKey()).toByteArray()));
    GroupInfo unsigned = new GroupInfo(st.context, ext, st.confirmationTag, st.ownLeaf(),
        new byte[0]);
    return unsigned.withSignature(
        suite.signWithLabel(signaturePrivateKey, "GroupInfoTBS", unsigned.toBeSigned()));
  }

  /** Private keys of own Update proposals of this epoch, by hex public key. */
  final Map<String, byte[]> ownUpdateKeys = new LinkedHashMap<>();

  /** Signs, frames and caches a proposal without checking it (callers and tests check). */
  MlsMessage propose(Proposal p, boolean publicMessage) {
    FramedContent content = FramedContent.proposal(state.context.groupId(), state.epoch(),
        Sender.member(state.ownLeaf()), new byte[0], p);
    int wf = publicMessage ? WireFormat.PUBLIC_MESSAGE : WireFormat.PRIVATE_MESSAGE;
    AuthenticatedContent ac = new AuthenticatedContent(wf, content,
        new FramedContentAuthData(sign(wf, content, state.context), null));
    byte[] ref = ac.proposalRef(suite);
    proposals.put(HEX.formatHex(ref), new CachedProposal(ref, p, content.sender()));
    return frame(ac, state);
  }

  // ---------------------------------------------------------------------------------------------
  // Application messages

  /**
   * Encrypts application data for the current epoch as a PrivateMessage (RFC 9420 §6.3).
   *
   * @param data the application data (at most {@link MlsConstants#MAX_APPLICATION_DATA_SIZE})
   * @param authenticatedData additional data sent in the clear but authenticated
   * @return the message to send
   * @throws IllegalStateException if this member was removed, or a ReInit is pending
   */
  public MlsMessage protect(byte[] data, byte[] authenticatedData) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(authenticatedData, "authenticatedData");
    requireSendable();
    if (data.length > MlsConstants.MAX_APPLICATION_DATA_SIZE
        || authenticatedData.length > MlsConstants.MAX_AUTHENTICATED_DATA_SIZE) {
      throw new IllegalArgumentException("data or authenticated data too long");
    }
    FramedContent content = FramedContent.application(state.context.groupId(), state.epoch(),
        Sender.member(state.ownLeaf()), authenticatedData.clone(), data.clone());
    AuthenticatedContent ac = new AuthenticatedContent(WireFormat.PRIVATE_MESSAGE, content,
        new FramedContentAuthData(sign(WireFormat.PRIVATE_MESSAGE, content, state.context), null));
    return frame(ac, state);
  }

  private MlsMessage frame(AuthenticatedContent ac, EpochState st) {
    try {
      if (ac.wireFormat() == WireFormat.PUBLIC_MESSAGE) {
        return MlsMessage.of(st.framer.protectPublic(ac));
      }
      return MlsMessage.of(st.framer.encryptPrivate(ac));
    } catch (MlsValidationException e) {
      throw new IllegalStateException("own sending ratchet exhausted", e);
    }
  }

  private byte[] sign(int wireFormat, FramedContent content, GroupContext ctx) {
    return suite.signWithLabel(signaturePrivateKey, "FramedContentTBS",
        FramedContentTbs.encode(wireFormat, content, ctx));
  }

  private void requireSendable() {
    if (!active) {
      throw new IllegalStateException("this member was removed from the group");
    }
    if (reInit != null) {
      throw new IllegalStateException("the group was reinitialized");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Processing

  /**
   * Verifies and applies a message of another member: decrypts application data, caches a
   * proposal, or applies a commit (RFC 9420 §6, §12).
   *
   * <p>A commit of another member that succeeds discards this member's own pending commit. This
   * member's own commit is never processed: once the group's delivery order accepts it, call
   * {@link #mergePendingCommit()} instead.
   *
   * @param message a PublicMessage or PrivateMessage of this group
   * @return what the message was
   * @throws MlsWrongEpochException for an epoch that is not current (nor retained, for
   *     application messages)
   * @throws MlsException for any other invalid message; the group is then unchanged
   */
  public ProcessedMessage process(MlsMessage message) throws MlsException {
    return process(message, false);
  }

  /**
   * Processes a message only if it is a path refresh: a commit of a member that carries no
   * proposal and an UpdatePath (RFC 9420 §12.4: an "empty" commit, which must have a path), the
   * commit that fills the sender's direct path of the ratchet tree and nothing else. Anything else
   * is refused after the sender data is opened and the signature verified, with the group's state
   * unchanged (the handshake key of that generation is spent, as for any refused message).
   *
   * <p>An application that lets only some members commit uses it for the members it allows to
   * refresh their path but not to change the group.
   *
   * @param message a PublicMessage or PrivateMessage of this group's current epoch
   * @return the applied commit
   * @throws MlsValidationException if the message is not a path refresh
   * @throws MlsException as {@link #process(MlsMessage)}
   */
  public ProcessedMessage.CommitApplied processPathRefresh(MlsMessage message)
      throws MlsException {
    return (ProcessedMessage.CommitApplied) process(message, true);
  }

  private ProcessedMessage process(MlsMessage message, boolean refreshOnly) throws MlsException {
    Objects.requireNonNull(message, "message");
    if (refreshOnly && !active) {
      throw new MlsValidationException("not a path refresh");
    }
    if (!active) {
      // A removed member still reads late application messages of retained epochs, nothing else.
      PrivateMessage pm = message.privateMessage();
      if (pm == null || pm.contentType() != ContentType.APPLICATION) {
        throw new MlsWrongEpochException("member removed from group");
      }
      checkGroupId(pm.groupId());
      return processPastApplication(pm);
    }
    if (message.wireFormat() == WireFormat.PUBLIC_MESSAGE) {
      return processPublic(message.publicMessage(), refreshOnly);
    }
    if (message.wireFormat() == WireFormat.PRIVATE_MESSAGE) {
      return processPrivate(message.privateMessage(), refreshOnly);
    }
    throw new MlsValidationException("not a framed message");
  }

  private ProcessedMessage processPublic(PublicMessage pm, boolean refreshOnly)
      throws MlsException {
    checkGroupId(pm.content().groupId());
    SenderType senderType = pm.content().sender().type();
    if (!config.allowNewMemberSenders() && (senderType == SenderType.NEW_MEMBER_COMMIT
        || senderType == SenderType.NEW_MEMBER_PROPOSAL)) {
      // RFC 9420 §12.4.3.2, §12.1.8: self-joins only where the application's policy allows them
      throw new MlsValidationException("new member sender not allowed");
    }
    RatchetTree tree = state.tree;
    List<ExternalSender> externals = ExternalSender.find(state.context.extensions());
    // RFC 9420 §6.1: who must have signed, by sender type.
    SignatureKeyResolver keys = (sender, content) -> {
      switch (sender.type()) {
        case MEMBER: {
          LeafNode leaf = tree.leaf(sender.index());
          return leaf == null ? null : leaf.signatureKey();
        }
        case EXTERNAL:
          return sender.index() >= 0 && sender.index() < externals.size()
              ? externals.get(sender.index()).signatureKey() : null;
        case NEW_MEMBER_PROPOSAL:
          return content.proposal() instanceof Proposal.Add add
              ? add.keyPackage().leafNode().signatureKey() : null;
        case NEW_MEMBER_COMMIT:
          return content.commit() != null && content.commit().path() != null
              ? content.commit().path().leafNode().signatureKey() : null;
        default:
          return null;
      }
    };
    AuthenticatedContent ac = state.framer.verifyPublic(pm, keys);
    return dispatch(ac, refreshOnly);
  }

  private ProcessedMessage processPrivate(PrivateMessage pm, boolean refreshOnly)
      throws MlsException {
    checkGroupId(pm.groupId());
    if (pm.epoch() == state.epoch()) {
      AuthenticatedContent ac = state.framer.decryptPrivate(pm, memberKeys(state.tree));
      return dispatch(ac, refreshOnly);
    }
    if (pm.contentType() != ContentType.APPLICATION || refreshOnly) {
      throw new MlsWrongEpochException("wrong epoch");
    }
    return processPastApplication(pm);
  }

  /** Decrypts an application message of a retained past epoch. */
  private ProcessedMessage processPastApplication(PrivateMessage pm) throws MlsException {
    for (PastEpoch pe : past) {
      if (pe.epoch() == pm.epoch()) {
        AuthenticatedContent ac = pe.framer.decryptPrivate(pm, (sender, content) -> {
          Member m = sender.type() == SenderType.MEMBER ? pe.members.get(sender.index()) : null;
          return m == null ? null : m.signatureKey();
        });
        return application(ac, pe.members.get(ac.content().sender().index()).credential());
      }
    }
    throw new MlsWrongEpochException("wrong epoch");
  }

  /** Signature keys of the tree's members, looked up per message in O(1) (no copy of leaves). */
  private static SignatureKeyResolver memberKeys(RatchetTree tree) {
    return (sender, content) -> {
      if (sender.type() != SenderType.MEMBER) {
        return null;
      }
      LeafNode leaf = tree.leaf(sender.index());
      return leaf == null ? null : leaf.signatureKey();
    };
  }

  private ProcessedMessage dispatch(AuthenticatedContent ac, boolean refreshOnly)
      throws MlsException {
    FramedContent c = ac.content();
    if (refreshOnly && !isPathRefresh(c)) {
      throw new MlsValidationException("not a path refresh");
    }
    switch (c.contentType()) {
      case APPLICATION:
        if (reInit != null) {
          throw new MlsValidationException("group was reinitialized");
        }
        return application(ac, state.tree.leaf(c.sender().index()).credential());
      case PROPOSAL:
        return queueProposal(ac);
      case COMMIT:
        return applyCommit(ac);
      default:
        throw new MlsValidationException("unknown content type");
    }
  }

  /** A member's commit of no proposal with an UpdatePath (see {@link #processPathRefresh}). */
  private static boolean isPathRefresh(FramedContent c) {
    return c.contentType() == ContentType.COMMIT && c.sender().type() == SenderType.MEMBER
        && c.commit().proposals().isEmpty() && c.commit().path() != null;
  }

  private ProcessedMessage application(AuthenticatedContent ac, Credential credential) {
    FramedContent c = ac.content();
    return new ProcessedMessage.ApplicationMessage(c.epoch(), c.sender().index(),
        credential, c.applicationData().clone(), c.authenticatedData().clone());
  }

  private void checkGroupId(byte[] groupId) throws MlsValidationException {
    if (!Arrays.equals(groupId, state.context.groupId())) {
      throw new MlsValidationException("wrong group");
    }
  }

  private ProcessedMessage queueProposal(AuthenticatedContent ac) throws MlsException {
    FramedContent c = ac.content();
    Proposal p = c.proposal();
    Sender s = c.sender();
    switch (s.type()) {
      case MEMBER:
        if (p instanceof Proposal.ExternalInit) {
          throw new MlsValidationException("external init proposal from member");
        }
        break;
      case EXTERNAL:
        if (!(p instanceof Proposal.Add || p instanceof Proposal.Remove
            || p instanceof Proposal.PreSharedKey || p instanceof Proposal.ReInit
            || p instanceof Proposal.GroupContextExtensions)) {
          throw new MlsValidationException("proposal type not allowed for external sender");
        }
        break;
      case NEW_MEMBER_PROPOSAL:
        if (!(p instanceof Proposal.Add)) {
          throw new MlsValidationException("new member proposal must be an add");
        }
        break;
      default:
        throw new MlsValidationException("proposal from a new-member commit sender");
    }
    if (proposals.size() >= config.maxCachedProposals()) {
      throw new MlsValidationException("too many proposals in this epoch");
    }
    validateProposal(p, s, state);
    byte[] ref = ac.proposalRef(suite);
    proposals.put(HEX.formatHex(ref), new CachedProposal(ref, p, s));
    return new ProcessedMessage.ProposalQueued(c.epoch(), p, s, ref);
  }

  /** RFC 9420 §12.1: validity of one proposal on its own. */
  private void validateProposal(Proposal p, Sender s, EpochState st) throws MlsException {
    if (p instanceof Proposal.Add add) {
      validator().validateKeyPackage(add.keyPackage(), true);
    } else if (p instanceof Proposal.Update up) {
      if (s.type() != SenderType.MEMBER) {
        throw new MlsValidationException("update from non-member");
      }
      validator().validateLeaf(up.leafNode(), LeafNodeSource.UPDATE, s.index(),
          s.index(), true);
    } else if (p instanceof Proposal.Remove rm) {
      if (st.tree.leaf(rm.removed()) == null) {
        throw new MlsValidationException("remove of a non-member");
      }
    } else if (p instanceof Proposal.PreSharedKey psk) {
      PreSharedKeyId id = psk.psk();
      if (id.pskType() != PreSharedKeyId.EXTERNAL && id.pskType() != PreSharedKeyId.RESUMPTION) {
        throw new MlsValidationException("psk type invalid");
      }
      if (id.pskType() == PreSharedKeyId.RESUMPTION
          && id.usage() != PreSharedKeyId.USAGE_APPLICATION) {
        throw new MlsValidationException("psk usage invalid");
      }
      if (id.nonce().length != suite.hashLength()) {
        throw new MlsValidationException("psk nonce length invalid");
      }
    } else if (p instanceof Proposal.ReInit ri) {
      if (ri.version() < st.context.version()) {
        throw new MlsValidationException("reinit version lower");
      }
    } else if (p instanceof Proposal.GroupContextExtensions gce) {
      for (LeafNode leaf : st.leaves().values()) {
        for (Extension x : gce.extensions()) {
          if (x.extensionType() > GroupSupport.MAX_DEFAULT_EXTENSION
              && !leaf.capabilities().extensions().contains(x.extensionType())) {
            throw new MlsValidationException("extension not supported by a member");
          }
        }
        LeafValidator.checkRequiredCapabilities(leaf.capabilities(), gce.extensions());
      }
      ExternalSender.find(gce.extensions());
    }
  }

  private LeafValidator validator() {
    return new LeafValidator(suite, state.context.groupId(), state.context.extensions(),
        state.leaves(), config.clock(), config.clockSkew());
  }

  // ---------------------------------------------------------------------------------------------
  // Commits

  /** A proposal of a commit with who proposed it and whether it came by value. */
  record Entry(Proposal proposal, Sender sender, boolean byValue) {}

  /** What applying a commit's proposals to a copy of the tree produced. */
  static final class Applied {
    final RatchetTree tree;
    List<Extension> extensions;
    final List<Member> added = new ArrayList<>();
    final List<KeyPackage> addedKeyPackages = new ArrayList<>();
    final List<Member> removed = new ArrayList<>();
    final List<Integer> updated = new ArrayList<>();
    final List<PreSharedKeyId> psks = new ArrayList<>();
    Proposal.ExternalInit externalInit;
    Proposal.ReInit reInit;
    final Set<Integer> addedLeaves = new HashSet<>();

    Applied(RatchetTree tree, List<Extension> extensions) {
      this.tree = tree;
      this.extensions = extensions;
    }
  }

  /** RFC 9420 §12.4.2: resolves the proposal list of a commit, by value or by reference. */
  private List<Entry> resolve(Commit commit, Sender committer) throws MlsValidationException {
    List<Entry> out = new ArrayList<>();
    for (ProposalOrRef por : commit.proposals()) {
      if (por instanceof ProposalOrRef.Value v) {
        out.add(new Entry(v.proposal(), committer, true));
      } else {
        ProposalOrRef.Reference r = (ProposalOrRef.Reference) por;
        if (committer.type() == SenderType.NEW_MEMBER_COMMIT) {
          throw new MlsValidationException("external commit with proposal reference");
        }
        CachedProposal cp = proposals.get(HEX.formatHex(r.ref()));
        if (cp == null) {
          throw new MlsValidationException("unknown proposal reference");
        }
        out.add(new Entry(cp.proposal(), cp.sender(), false));
      }
    }
    return out;
  }

  /** RFC 9420 §12.2 and §12.4.3.2: validity of a commit's proposal list as a whole. */
  private void validateList(List<Entry> entries, Sender committer, EpochState st)
      throws MlsException {
    Set<Integer> touched = new HashSet<>();
    Set<String> addKeys = new HashSet<>();
    Set<String> newEncryptionKeys = new HashSet<>();
    Set<String> updateKeys = new HashSet<>();
    Set<String> pskIds = new HashSet<>();
    int gce = 0;
    int reinit = 0;
    int extInit = 0;
    int removes = 0;
    boolean external = committer.type() == SenderType.NEW_MEMBER_COMMIT;
    Set<Integer> removedLeaves = new HashSet<>();
    for (Entry e : entries) {
      if (e.proposal() instanceof Proposal.Remove rm) {
        removedLeaves.add(rm.removed());
      }
    }
    Set<String> staying = new HashSet<>();
    for (Map.Entry<Integer, LeafNode> m : st.leaves().entrySet()) {
      if (!removedLeaves.contains(m.getKey())) {
        staying.add(HEX.formatHex(m.getValue().signatureKey()));
      }
    }
    for (Entry e : entries) {
      Proposal p = e.proposal();
      if (e.byValue()) {
        validateProposal(p, committer, st);
      }
      if (p instanceof Proposal.Update) {
        if (e.byValue()) {
          throw new MlsValidationException("update by value");
        }
        if (committer.type() == SenderType.MEMBER && e.sender().type() == SenderType.MEMBER
            && e.sender().index() == committer.index()) {
          throw new MlsValidationException("committer's own update");
        }
        if (!touched.add(e.sender().index())) {
          throw new MlsValidationException("several updates or removes of one leaf");
        }
        LeafNode updated = ((Proposal.Update) p).leafNode();
        if (!newEncryptionKeys.add(HEX.formatHex(updated.encryptionKey()))) {
          throw new MlsValidationException("duplicate encryption key");
        }
        // RFC 9420 §12.2: the resulting tree must stay valid (§7.3), so an Update's signature
        // key may not be that of another leaf this commit updates or adds
        String sk = HEX.formatHex(updated.signatureKey());
        if (!updateKeys.add(sk) || addKeys.contains(sk)) {
          throw new MlsValidationException("duplicate signature key");
        }
      } else if (p instanceof Proposal.Remove rm) {
        removes++;
        if (committer.type() == SenderType.MEMBER && rm.removed() == committer.index()) {
          throw new MlsValidationException("committer removes itself");
        }
        if (!touched.add(rm.removed())) {
          throw new MlsValidationException("several updates or removes of one leaf");
        }
      } else if (p instanceof Proposal.Add add) {
        String sk = HEX.formatHex(add.keyPackage().leafNode().signatureKey());
        if (!addKeys.add(sk) || updateKeys.contains(sk)) {
          throw new MlsValidationException("duplicate add");
        }
        if (staying.contains(sk)) {
          throw new MlsValidationException("add of an existing member");
        }
        // RFC 9420 §7.3: encryption keys stay unique in the resulting tree, also among the
        // leaves this commit adds or updates (each was checked only against the old tree)
        if (!newEncryptionKeys.add(HEX.formatHex(add.keyPackage().leafNode().encryptionKey()))) {
          throw new MlsValidationException("duplicate encryption key");
        }
      } else if (p instanceof Proposal.PreSharedKey psk) {
        if (!pskIds.add(HEX.formatHex(psk.psk().toBytes()))) {
          throw new MlsValidationException("duplicate psk");
        }
      } else if (p instanceof Proposal.GroupContextExtensions) {
        gce++;
      } else if (p instanceof Proposal.ReInit) {
        reinit++;
      } else if (p instanceof Proposal.ExternalInit) {
        extInit++;
      }
    }
    if (gce > 1) {
      throw new MlsValidationException("several group context extensions proposals");
    }
    if (reinit > 0 && entries.size() > 1) {
      throw new MlsValidationException("reinit with other proposals");
    }
    if (external) {
      // RFC 9420 §12.4.3.2: exactly one ExternalInit, at most one Remove, PSKs, nothing else.
      if (extInit != 1 || removes > 1) {
        throw new MlsValidationException("external commit proposals invalid");
      }
      for (Entry e : entries) {
        Proposal p = e.proposal();
        if (!(p instanceof Proposal.ExternalInit || p instanceof Proposal.Remove
            || p instanceof Proposal.PreSharedKey)) {
          throw new MlsValidationException("external commit proposals invalid");
        }
      }
    } else if (extInit > 0) {
      throw new MlsValidationException("external init in member commit");
    }
  }

  /** RFC 9420 §12.4: whether the proposals require an UpdatePath. */
  static boolean pathRequired(List<Entry> entries) {
    if (entries.isEmpty()) {
      return true;
    }
    for (Entry e : entries) {
      Proposal p = e.proposal();
      if (p instanceof Proposal.Update || p instanceof Proposal.Remove
          || p instanceof Proposal.ExternalInit || p instanceof Proposal.GroupContextExtensions) {
        return true;
      }
    }
    return false;
  }

  /** RFC 9420 §12.3: applies the proposals in order GCE, Update, Remove, Add to a tree copy. */
  private Applied applyProposals(List<Entry> entries, EpochState st) throws MlsException {
    Applied a = new Applied(st.tree.copy(), st.context.extensions());
    for (Entry e : entries) {
      if (e.proposal() instanceof Proposal.GroupContextExtensions g) {
        a.extensions = g.extensions();
      }
    }
    for (Entry e : entries) {
      if (e.proposal() instanceof Proposal.Update u) {
        a.tree.updateLeaf(e.sender().index(), u.leafNode());
        a.updated.add(e.sender().index());
      }
    }
    for (Entry e : entries) {
      if (e.proposal() instanceof Proposal.Remove r) {
        LeafNode old = a.tree.leaf(r.removed());
        if (old == null) {
          throw new MlsValidationException("remove of a non-member");
        }
        a.removed.add(new Member(r.removed(), old.credential(), old.signatureKey()));
        a.tree.removeLeaf(r.removed());
      }
    }
    for (Entry e : entries) {
      if (e.proposal() instanceof Proposal.Add add) {
        LeafNode leaf = add.keyPackage().leafNode();
        int idx = a.tree.addLeaf(leaf);
        a.addedLeaves.add(idx);
        a.added.add(new Member(idx, leaf.credential(), leaf.signatureKey()));
        a.addedKeyPackages.add(add.keyPackage());
      }
    }
    for (Entry e : entries) {
      Proposal p = e.proposal();
      if (p instanceof Proposal.PreSharedKey psk) {
        a.psks.add(psk.psk());
      } else if (p instanceof Proposal.ExternalInit x) {
        a.externalInit = x;
      } else if (p instanceof Proposal.ReInit ri) {
        a.reInit = ri;
      }
    }
    if (a.extensions != st.context.extensions()) {
      for (LeafNode leaf : EpochState.leaves(a.tree).values()) {
        LeafValidator.checkRequiredCapabilities(leaf.capabilities(), a.extensions);
      }
    }
    return a;
  }

  private ProcessedMessage applyCommit(AuthenticatedContent ac) throws MlsException {
    if (reInit != null) {
      throw new MlsValidationException("group was reinitialized");
    }
    FramedContent c = ac.content();
    Sender committer = c.sender();
    if (committer.type() == SenderType.MEMBER && committer.index() == state.ownLeaf()) {
      throw new MlsValidationException("own commit must be merged, not processed");
    }
    if (committer.type() == SenderType.EXTERNAL
        || committer.type() == SenderType.NEW_MEMBER_PROPOSAL) {
      throw new MlsValidationException("commit sender type invalid");
    }
    if (committer.type() == SenderType.NEW_MEMBER_COMMIT
        && ac.wireFormat() != WireFormat.PUBLIC_MESSAGE) {
      throw new MlsValidationException("external commit must be a public message");
    }
    Commit commit = c.commit();
    List<Entry> entries = resolve(commit, committer);
    validateList(entries, committer, state);
    UpdatePath path = commit.path();
    if (path == null && (pathRequired(entries)
        || committer.type() == SenderType.NEW_MEMBER_COMMIT)) {
      throw new MlsValidationException("commit path missing");
    }
    Applied a = applyProposals(entries, state);
    byte[] gid = state.context.groupId();
    int senderLeaf;
    if (committer.type() == SenderType.NEW_MEMBER_COMMIT) {
      senderLeaf = a.tree.reserveLeaf();
      a.added.add(new Member(senderLeaf, path.leafNode().credential(),
          path.leafNode().signatureKey()));
      // RFC 9420 §12.4.3.2: a Remove in an external commit removes the joiner's old leaf
      for (Member m : a.removed) {
        if (!m.credential().equals(path.leafNode().credential())) {
          throw new MlsValidationException("external commit removes another member");
        }
      }
    } else {
      senderLeaf = committer.index();
      if (a.tree.leaf(senderLeaf) == null) {
        throw new MlsValidationException("committer removed");
      }
    }
    int ownLeaf = state.ownLeaf();
    boolean selfRemoved = a.tree.leaf(ownLeaf) == null;
    long newEpoch = state.epoch() + 1;
    byte[] commitSecret = null;
    TreeKem kem = state.kem;
    // RFC 9420 §12.1.2: our own Update committed by another member installs its leaf key.
    if (!selfRemoved && a.updated.contains(ownLeaf)) {
      byte[] priv = ownUpdateKeys.get(HEX.formatHex(a.tree.leaf(ownLeaf).encryptionKey()));
      if (priv == null) {
        throw new MlsValidationException("update of own leaf not proposed by this member");
      }
      kem = kem.withLeafPrivateKey(priv);
    }
    if (path != null) {
      // RFC 9420 §7.3 for the committer's new leaf, against the leaves it does not replace.
      new LeafValidator(suite, gid, a.extensions, EpochState.leaves(a.tree), config.clock(),
          config.clockSkew()).validateLeaf(path.leafNode(), LeafNodeSource.COMMIT, senderLeaf,
              senderLeaf, true);
      a.tree.mergeUpdatePath(senderLeaf, path, gid);
      if (!selfRemoved) {
        GroupContext provisional = new GroupContext(state.context.version(),
            state.context.cipherSuite(), gid, newEpoch, a.tree.treeHash(),
            state.context.confirmedTranscriptHash(), a.extensions);
        TreeKem.DecryptedPath dp = kem.decryptPath(a.tree, senderLeaf, path,
            provisional.toBytes(), a.addedLeaves);
        commitSecret = dp.commitSecret();
        kem = dp.state();
      }
    }
    a.updated.removeIf(i -> a.tree.leaf(i) == null);
    if (path != null && committer.type() == SenderType.MEMBER && !a.updated.contains(senderLeaf)) {
      a.updated.add(senderLeaf);
    }
    int committerLeaf = committer.type() == SenderType.MEMBER ? committer.index() : -1;
    if (selfRemoved) {
      // RFC 9420 §12.4.2: a removed member stops here; it derives nothing of the new epoch.
      retire();
      active = false;
      proposals.clear();
      ownUpdateKeys.clear();
      pending = null;
      return new ProcessedMessage.CommitApplied(c.epoch(), committerLeaf, a.added, a.removed,
          a.updated, true, newEpoch);
    }
    byte[] confirmed = TranscriptHash.confirmed(suite, state.interimTranscriptHash, ac);
    GroupContext ctx = new GroupContext(state.context.version(), state.context.cipherSuite(),
        gid, newEpoch, a.tree.treeHash(), confirmed, a.extensions);
    byte[] initSecret = state.secrets.initSecret();
    if (a.externalInit != null) {
      // RFC 9420 §8.3: init_secret from the joiner's KEM output to the external key.
      KeyPair ext = state.secrets.externalKeyPair();
      initSecret = suite.hpkeExportReceiver(a.externalInit.kemOutput(), ext.privateKey(),
          new byte[0], "MLS 1.0 external init secret".getBytes(StandardCharsets.US_ASCII),
          suite.hashLength());
    }
    byte[] pskSecret = pskSecret(suite, a.psks, this::findPsk);
    EpochSecrets secrets =
        KeySchedule.nextEpoch(suite, initSecret, commitSecret, pskSecret, ctx.toBytes());
    if (!TranscriptHash.verifyConfirmationTag(suite, secrets.confirmationKey(), confirmed,
        ac.auth().confirmationTag())) {
      throw new MlsValidationException("confirmation tag invalid");
    }
    byte[] interim = TranscriptHash.interim(suite, confirmed, ac.auth().confirmationTag());
    EpochState next = newState(config, ctx, a.tree, kem.prune(a.tree), secrets, interim,
        ac.auth().confirmationTag());
    ProcessedMessage.CommitApplied summary = new ProcessedMessage.CommitApplied(c.epoch(),
        committerLeaf, a.added, a.removed, a.updated, false, newEpoch);
    adopt(next);
    if (a.reInit != null) {
      reInit = a.reInit;
    }
    return summary;
  }

  /** Moves the current epoch into the retained past epochs and installs {@code next}. */
  private void adopt(EpochState next) {
    retire();
    state = next;
    proposals.clear();
    ownUpdateKeys.clear();
    pending = null;
    rememberResumption();
  }

  private void retire() {
    if (config.pastEpochsRetained() > 0) {
      Map<Integer, Member> members = new TreeMap<>();
      for (Member m : members()) {
        members.put(m.leafIndex(), m);
      }
      past.addFirst(new PastEpoch(state.context, state.secrets.senderDataSecret(),
          state.secretTree, members, config.random()));
    }
    while (past.size() > config.pastEpochsRetained()) {
      past.removeLast();
    }
  }

  void rememberResumption() {
    resumptionPsks.put(state.epoch(), state.secrets.resumptionPsk());
    Iterator<Long> it = resumptionPsks.keySet().iterator();
    while (resumptionPsks.size() > Math.max(1, config.resumptionSecretsRetained()) && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  private byte[] findPsk(PreSharedKeyId id) {
    if (id.pskType() == PreSharedKeyId.RESUMPTION) {
      if (!Arrays.equals(id.pskGroupId(), state.context.groupId())) {
        return null;
      }
      return resumptionPsks.get(id.pskEpoch());
    }
    return externalPsks.get(HEX.formatHex(id.pskId()));
  }

  /** External PSKs this group knows, by hex psk_id. */
  final Map<String, byte[]> externalPsks = new LinkedHashMap<>();

  /**
   * Makes an external PSK known to this group, for PreSharedKey proposals that name it.
   *
   * @param pskId the psk_id
   * @param psk the secret, copied
   */
  public void addExternalPsk(byte[] pskId, byte[] psk) {
    Objects.requireNonNull(pskId, "pskId");
    Objects.requireNonNull(psk, "psk");
    externalPsks.put(HEX.formatHex(pskId), psk.clone());
  }

  /** Resolves PSK ids to secrets; returns the zero-vector secret's null for an empty list. */
  interface PskResolver {
    byte[] find(PreSharedKeyId id) throws MlsValidationException;
  }

  static byte[] pskSecret(CipherSuite suite, List<PreSharedKeyId> ids, PskResolver resolver)
      throws MlsValidationException {
    if (ids.isEmpty()) {
      return null;
    }
    List<PskSecret.Input> in = new ArrayList<>();
    for (PreSharedKeyId id : ids) {
      byte[] psk = resolver.find(id);
      if (psk == null) {
        throw new MlsValidationException("unknown psk");
      }
      in.add(new PskSecret.Input(id, psk));
    }
    return PskSecret.compute(suite, in);
  }

  // ---------------------------------------------------------------------------------------------
  // Making commits

  /**
   * Makes a commit of the cached proposals and the given adds and removes (RFC 9420 §12.4).
   *
   * <p>The group stays in its epoch: call {@link #mergePendingCommit()} once the commit is
   * accepted, or {@link #discardPendingCommit()}. An UpdatePath is sent when required (updates,
   * removes, group context extensions, empty commit) or when asked for.
   *
   * @param options what to commit and how to frame it
   * @return the commit, the Welcome for added members, the new GroupInfo and the pending state
   * @throws IllegalStateException if a commit is already pending, or this member was removed
   * @throws MlsValidationException if an added KeyPackage or the resulting proposal list is
   *     invalid
   */
  public CommitResult commit(CommitOptions options) throws MlsValidationException {
    Objects.requireNonNull(options, "options");
    requireSendable();
    if (pending != null) {
      throw new IllegalStateException("a commit is already pending for epoch " + state.epoch());
    }
    Sender self = Sender.member(state.ownLeaf());
    List<ProposalOrRef> list = new ArrayList<>();
    List<Entry> entries = new ArrayList<>();
    for (int r : options.removes()) {
      Proposal p = new Proposal.Remove(r);
      list.add(new ProposalOrRef.Value(p));
      entries.add(new Entry(p, self, true));
    }
    if (options.includePendingProposals()) {
      // Removes first, so that a leaf both updated and removed is removed (RFC 9420 §12.2);
      // a cached proposal that would make the list invalid is left out, not fatal.
      List<CachedProposal> candidates = new ArrayList<>();
      for (CachedProposal cp : proposals.values()) {
        if (cp.proposal() instanceof Proposal.Remove) {
          candidates.add(cp);
        }
      }
      for (CachedProposal cp : proposals.values()) {
        if (!(cp.proposal() instanceof Proposal.Remove)) {
          candidates.add(cp);
        }
      }
      for (CachedProposal cp : candidates) {
        entries.add(new Entry(cp.proposal(), cp.sender(), false));
        try {
          validateList(entries, self, state);
          list.add(new ProposalOrRef.Reference(cp.ref()));
        } catch (MlsException e) {
          entries.remove(entries.size() - 1);
        }
      }
    }
    for (KeyPackage kp : options.adds()) {
      Proposal p = new Proposal.Add(kp);
      list.add(new ProposalOrRef.Value(p));
      entries.add(new Entry(p, self, true));
    }
    try {
      validateList(entries, self, state);
      return buildCommit(options, list, entries);
    } catch (MlsValidationException e) {
      throw e;
    } catch (MlsException e) {
      throw new MlsValidationException("commit invalid", e);
    }
  }

  /** Builds a commit of an already validated list (tests use it to make invalid commits). */
  CommitResult buildCommit(CommitOptions options, List<ProposalOrRef> list,
      List<Entry> entries) throws MlsException {
    EpochState st = state;
    int ownLeaf = st.ownLeaf();
    Applied a = applyProposals(entries, st);
    if (a.tree.leaf(ownLeaf) == null) {
      throw new MlsValidationException("committer removes itself");
    }
    boolean withPath = options.forcePath() || pathRequired(entries);
    long newEpoch = st.epoch() + 1;
    byte[] gid = st.context.groupId();
    TreeKem kem = st.kem;
    UpdatePath path = null;
    byte[] commitSecret = null;
    TreeKem.PreparedPath prepared = null;
    if (withPath) {
      prepared = kem.preparePath(a.tree, null, gid, signaturePrivateKey, a.addedLeaves,
          config.random());
      GroupContext provisional = new GroupContext(st.context.version(),
          st.context.cipherSuite(), gid, newEpoch, a.tree.treeHash(),
          st.context.confirmedTranscriptHash(), a.extensions);
      path = prepared.updatePath(provisional.toBytes());
      pathEncryptions += prepared.encryptions();
      commitSecret = prepared.commitSecret();
      kem = prepared.state();
    }
    Commit commit = new Commit(list, path);
    FramedContent content = FramedContent.commit(gid, st.epoch(), Sender.member(ownLeaf),
        options.authenticatedData(), commit);
    int wf = options.publicMessage() ? WireFormat.PUBLIC_MESSAGE : WireFormat.PRIVATE_MESSAGE;
    byte[] signature = st.framer.sign(wf, content, signaturePrivateKey);
    byte[] confirmed = TranscriptHash.confirmed(suite, st.interimTranscriptHash, wf, content,
        signature);
    GroupContext ctx = new GroupContext(st.context.version(), st.context.cipherSuite(), gid,
        newEpoch, a.tree.treeHash(), confirmed, a.extensions);
    byte[] pskSecret = pskSecret(suite, a.psks, this::findPsk);
    EpochSecrets secrets = KeySchedule.nextEpoch(suite, st.secrets.initSecret(), commitSecret,
        pskSecret, ctx.toBytes());
    byte[] tag = TranscriptHash.confirmationTag(suite, secrets.confirmationKey(), confirmed);
    AuthenticatedContent ac = new AuthenticatedContent(wf, content,
        new FramedContentAuthData(signature, tag));
    byte[] interim = TranscriptHash.interim(suite, confirmed, tag);
    EpochState next = newState(config, ctx, a.tree, kem.prune(a.tree), secrets, interim, tag);
    // RFC 9420 §12.4.3: GroupInfo of the new epoch, signed by the committer.
    GroupInfo gi = signedGroupInfo(next, options.ratchetTreeInWelcome());
    Welcome welcome = null;
    if (!a.addedKeyPackages.isEmpty()) {
      byte[] welcomeSecret = secrets.welcomeSecret();
      byte[] encryptedGi = suite.seal(KeySchedule.welcomeKey(suite, welcomeSecret),
          KeySchedule.welcomeNonce(suite, welcomeSecret), new byte[0], gi.toBytes());
      List<EncryptedGroupSecrets> egs = new ArrayList<>();
      for (int i = 0; i < a.addedKeyPackages.size(); i++) {
        KeyPackage kp = a.addedKeyPackages.get(i);
        int leaf = a.added.get(i).leafIndex();
        byte[] ps = prepared == null ? null : prepared.pathSecretFor(leaf);
        GroupSecrets gs = new GroupSecrets(secrets.joinerSecret(), ps, a.psks);
        // RFC 9420 §12.4.3.1: EncryptWithLabel(init_key, "Welcome", encrypted_group_info, gs)
        egs.add(new EncryptedGroupSecrets(kp.ref(suite), suite.encryptWithLabel(kp.initKey(),
            "Welcome", encryptedGi, gs.toBytes())));
      }
      welcome = new Welcome(suite.id(), egs, encryptedGi);
    }
    MlsMessage msg = frame(ac, st);
    List<Integer> updated = new ArrayList<>(a.updated);
    updated.removeIf(i -> a.tree.leaf(i) == null);
    if (withPath && !updated.contains(ownLeaf)) {
      updated.add(ownLeaf);
    }
    ProcessedMessage.CommitApplied summary = new ProcessedMessage.CommitApplied(st.epoch(),
        ownLeaf, a.added, a.removed, updated, false, newEpoch);
    pending = new PendingCommit(next, summary, st.epoch());
    pendingReInit = a.reInit;
    return new CommitResult(msg, welcome, gi, pending);
  }

  private Proposal.ReInit pendingReInit;

  /**
   * Makes a path refresh (see {@link #processPathRefresh}): a commit of no proposal with an
   * UpdatePath, which gives this member a new leaf key and fills its direct path of the ratchet
   * tree. Pending as any commit: merge or discard it.
   *
   * @return the commit and the pending state
   * @throws IllegalStateException if a commit is already pending, or this member was removed
   * @throws MlsValidationException if the commit cannot be made
   */
  public CommitResult commitPathRefresh() throws MlsValidationException {
    return commit(CommitOptions.builder().includePendingProposals(false).forcePath(true)
        .ratchetTreeInWelcome(false).build());
  }

  /**
   * Adopts the pending commit: the group enters the commit's epoch.
   *
   * @return what the commit changed
   * @throws IllegalStateException if no commit is pending
   */
  public ProcessedMessage.CommitApplied mergePendingCommit() {
    if (pending == null) {
      throw new IllegalStateException("no pending commit");
    }
    PendingCommit p = pending;
    if (p.fromEpoch != state.epoch()) {
      pending = null;
      throw new IllegalStateException("pending commit is for another epoch");
    }
    adopt(p.next);
    reInit = pendingReInit;
    pendingReInit = null;
    return p.summary;
  }

  /**
   * Drops the pending commit, if any; the group stays in its epoch.
   */
  public void discardPendingCommit() {
    pending = null;
    pendingReInit = null;
  }

  // ---------------------------------------------------------------------------------------------
  // Persistence

  /**
   * Serializes the whole state, secrets included (format version {@link GroupStateCodec#VERSION}
   * in the first byte).
   *
   * <p>The size grows with the group and the retention window, not with the number of epochs
   * the group lived. A pending commit is not saved.
   *
   * @return the bytes; store them encrypted
   */
  public byte[] toBytes() {
    return GroupStateCodec.encode(this);
  }

  /**
   * Restores a group saved by {@link #toBytes()}.
   *
   * @param config bounds, clock and random source (the secret-tree bounds apply to restored
   *     epochs)
   * @param bytes the saved state
   * @return the group, exactly as saved
   * @throws MlsDecodeException if the bytes are malformed or of an unknown format version
   */
  public static Group fromBytes(MlsConfig config, byte[] bytes) throws MlsDecodeException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(bytes, "bytes");
    return GroupStateCodec.decode(config, bytes);
  }

  /**
   * Encodes this group's ratchet state: the secret trees of the current and retained past epochs.
   *
   * <p>Protecting or processing an application message changes only these trees, so a caller
   * that saved {@link #toBytes()} at the last other change may save just this after each
   * application message and restore with {@link #fromBytes(MlsConfig, byte[], byte[])}. Its size
   * grows with the members that sent in a retained epoch, not with the group's size.
   *
   * @return the encoding, which contains secrets in the clear; encrypt it at rest
   */
  public byte[] ratchetStateBytes() {
    return GroupStateCodec.encodeRatchetState(this);
  }

  /**
   * Restores a group from a snapshot saved by {@link #toBytes()} and a ratchet state saved later
   * by {@link #ratchetStateBytes()}.
   *
   * <p>Each epoch's secret tree is taken from the ratchet state where it holds that epoch, and from
   * the snapshot otherwise; the ratchet state must be at least as new as the snapshot.
   *
   * @param config bounds, clock and random source
   * @param snapshot the state saved by {@link #toBytes()}
   * @param ratchetState the state saved by {@link #ratchetStateBytes()}
   * @return the group, with the secret trees as of the ratchet state
   * @throws MlsDecodeException if either encoding is malformed or of an unknown format version
   */
  public static Group fromBytes(MlsConfig config, byte[] snapshot, byte[] ratchetState)
      throws MlsDecodeException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(ratchetState, "ratchetState");
    return GroupStateCodec.decode(config, snapshot,
        GroupStateCodec.decodeRatchetState(ratchetState));
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  static SecretTree newSecretTree(MlsConfig config, CipherSuite suite, EpochSecrets secrets,
      int leafCount) {
    return SecretTree.create(suite, secrets.encryptionSecret(), leafCount, limits(config));
  }

  static SecretTreeLimits limits(MlsConfig config) {
    return new SecretTreeLimits(config.maxForwardGenerationJump(),
        config.maxSkippedKeysPerSender(), config.evictSkippedKeys());
  }

  static EpochState newState(MlsConfig config, GroupContext ctx, RatchetTree tree, TreeKem kem,
      EpochSecrets secrets, byte[] interim, byte[] confirmationTag) {
    return new EpochState(ctx, tree, kem, secrets, interim, confirmationTag,
        newSecretTree(config, secrets.suite(), secrets, tree.leafCount()),
        config.paddingBlockSize(), config.random());
  }

  private static byte[] random(MlsConfig config, int n) {
    byte[] b = new byte[n];
    config.random().nextBytes(b);
    return b;
  }

  @Override
  public String toString() {
    return "Group[epoch=" + state.epoch() + ", leaf=" + state.ownLeaf() + ", members="
        + state.leaves().size() + (active ? "" : ", removed") + "]";
  }
}
