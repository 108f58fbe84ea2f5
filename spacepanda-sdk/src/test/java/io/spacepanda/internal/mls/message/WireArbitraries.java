package io.spacepanda.internal.mls.message;

import io.spacepanda.internal.mls.codec.TlsDecoder;
import io.spacepanda.internal.mls.codec.TlsEncodable;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.HpkeCiphertext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators of random valid values of every wire structure of this package, and the list of
 * every structure with its decoder and encoder, shared by the round-trip and fuzz properties.
 */
final class WireArbitraries {

  private WireArbitraries() {}

  /**
   * One wire structure under test: how to generate, decode and encode it.
   *
   * @param name the structure's name, for failure messages
   * @param values random valid values
   * @param decoder its decoder
   * @param encoder its encoder
   * @param <T> the structure
   */
  record Structure<T>(String name, Arbitrary<T> values, TlsDecoder<T> decoder,
      Function<T, byte[]> encoder) {

    /** @return random valid values paired with this structure */
    Arbitrary<Sample<T>> samples() {
      return values.map(v -> new Sample<>(this, v));
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * A value of a structure.
   *
   * @param structure the structure
   * @param value the value
   * @param <T> the structure
   */
  record Sample<T>(Structure<T> structure, T value) {

    /** @return the value's encoding */
    byte[] encoding() {
      return structure.encoder().apply(value);
    }

    @Override
    public String toString() {
      return structure.name() + ": " + value;
    }
  }

  static Arbitrary<byte[]> bytes(int maxSize) {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxSize);
  }

  static Arbitrary<Integer> u16() {
    return Arbitraries.integers().between(0, 0xFFFF);
  }

  static Arbitrary<Integer> leafIndex() {
    return Arbitraries.integers().between(0, Integer.MAX_VALUE);
  }

  static Arbitrary<Credential> credential() {
    return Arbitraries.oneOf(bytes(16).map(Credential::basic),
        bytes(16).list().ofMaxSize(3).map(Credential::x509));
  }

  static Arbitrary<Capabilities> capabilities() {
    Arbitrary<List<Integer>> list = u16().list().ofMaxSize(3);
    return Combinators.combine(list, list, list, list, list).as(Capabilities::new);
  }

  static Arbitrary<Lifetime> lifetime() {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(Lifetime::new);
  }

  static Arbitrary<Extension> extension() {
    return Combinators.combine(u16(), bytes(16)).as(Extension::new);
  }

  static Arbitrary<List<Extension>> extensions() {
    return extension().list().ofMaxSize(3);
  }

  static Arbitrary<LeafNode> leafNode(LeafNodeSource... sources) {
    Arbitrary<LeafNodeSource> source = sources.length == 0
        ? Arbitraries.of(LeafNodeSource.class) : Arbitraries.of(sources);
    return source.flatMap(src -> Combinators.combine(bytes(32), bytes(32), credential(),
        capabilities(), lifetime(), bytes(32), extensions(), bytes(64))
        .as((ek, sk, cred, caps, lt, ph, ext, sig) -> new LeafNode(ek, sk, cred, caps, src,
            src == LeafNodeSource.KEY_PACKAGE ? lt : null,
            src == LeafNodeSource.COMMIT ? ph : null, ext, sig)));
  }

  static Arbitrary<ParentNode> parentNode() {
    return Combinators.combine(bytes(32), bytes(32), leafIndex().list().ofMaxSize(3))
        .as(ParentNode::new);
  }

  static Arbitrary<Node> node() {
    return Arbitraries.oneOf(leafNode(), parentNode());
  }

  /** Trees of 1..9 nodes: leaves at even and parents at odd positions, blanks anywhere but last. */
  static Arbitrary<List<Node>> ratchetTree() {
    Arbitrary<LeafNode> leaf = leafNode().injectNull(0.3);
    Arbitrary<ParentNode> parent = parentNode().injectNull(0.3);
    return Combinators.combine(leaf.list().ofMinSize(1).ofMaxSize(5),
        parent.list().ofMaxSize(4)).as((leaves, parents) -> {
          List<Node> nodes = new ArrayList<>();
          for (int i = 0; i < leaves.size(); i++) {
            nodes.add(leaves.get(i));
            if (i < leaves.size() - 1) {
              nodes.add(i < parents.size() ? parents.get(i) : null);
            }
          }
          while (!nodes.isEmpty() && nodes.get(nodes.size() - 1) == null) {
            nodes.remove(nodes.size() - 1);
          }
          if (nodes.isEmpty()) {
            nodes.add(new LeafNode(new byte[1], new byte[1], Credential.basic(new byte[1]),
                new Capabilities(List.of(), List.of(), List.of(), List.of(), List.of()),
                LeafNodeSource.UPDATE, null, null, List.of(), new byte[1]));
          }
          return nodes;
        });
  }

  static Arbitrary<HpkeCiphertext> hpkeCiphertext() {
    return Combinators.combine(bytes(32), bytes(48)).as(HpkeCiphertext::new);
  }

  static Arbitrary<UpdatePathNode> updatePathNode() {
    return Combinators.combine(bytes(32), hpkeCiphertext().list().ofMaxSize(2))
        .as(UpdatePathNode::new);
  }

  static Arbitrary<UpdatePath> updatePath() {
    return Combinators.combine(leafNode(LeafNodeSource.COMMIT),
        updatePathNode().list().ofMaxSize(2)).as(UpdatePath::new);
  }

  static Arbitrary<KeyPackage> keyPackage() {
    return Combinators.combine(u16(), u16(), bytes(32), leafNode(LeafNodeSource.KEY_PACKAGE),
        extensions(), bytes(64)).as(KeyPackage::new);
  }

  static Arbitrary<PreSharedKeyId> preSharedKeyId() {
    return Arbitraries.oneOf(
        Combinators.combine(bytes(16), bytes(32)).as(PreSharedKeyId::external),
        Combinators.combine(Arbitraries.integers().between(1, 3), bytes(16), Arbitraries.longs(),
            bytes(32)).as(PreSharedKeyId::resumption));
  }

  static Arbitrary<Proposal> proposal() {
    return Arbitraries.oneOf(
        keyPackage().map(Proposal.Add::new),
        leafNode(LeafNodeSource.UPDATE).map(Proposal.Update::new),
        Arbitraries.integers().map(Proposal.Remove::new),
        preSharedKeyId().map(Proposal.PreSharedKey::new),
        Combinators.combine(bytes(16), u16(), u16(), extensions()).as(Proposal.ReInit::new),
        bytes(32).map(Proposal.ExternalInit::new),
        extensions().map(Proposal.GroupContextExtensions::new));
  }

  static Arbitrary<ProposalOrRef> proposalOrRef() {
    return Arbitraries.oneOf(proposal().map(ProposalOrRef.Value::new),
        bytes(32).map(ProposalOrRef.Reference::new));
  }

  static Arbitrary<Commit> commit() {
    return Combinators.combine(proposalOrRef().list().ofMaxSize(3), updatePath().injectNull(0.5))
        .as(Commit::new);
  }

  static Arbitrary<Sender> sender() {
    return Arbitraries.oneOf(leafIndex().map(Sender::member), leafIndex().map(Sender::external),
        Arbitraries.just(Sender.newMemberProposal()), Arbitraries.just(Sender.newMemberCommit()));
  }

  static Arbitrary<FramedContent> framedContent() {
    return Combinators.combine(bytes(16), Arbitraries.longs(), sender(), bytes(16),
        Arbitraries.of(ContentType.class), bytes(32), proposal(), commit())
        .as((g, e, s, aad, type, app, p, c) -> new FramedContent(g, e, s, aad, type,
            type == ContentType.APPLICATION ? app : null,
            type == ContentType.PROPOSAL ? p : null,
            type == ContentType.COMMIT ? c : null));
  }

  static Arbitrary<FramedContentAuthData> authData(ContentType type) {
    return Combinators.combine(bytes(64), bytes(32)).as((sig, tag) ->
        new FramedContentAuthData(sig, type == ContentType.COMMIT ? tag : null));
  }

  static Arbitrary<AuthenticatedContent> authenticatedContent() {
    return Combinators.combine(Arbitraries.of(WireFormat.PUBLIC_MESSAGE,
        WireFormat.PRIVATE_MESSAGE), framedContent(), bytes(64), bytes(32))
        .as((wf, content, sig, tag) -> new AuthenticatedContent(wf, content,
            new FramedContentAuthData(sig,
                content.contentType() == ContentType.COMMIT ? tag : null)));
  }

  static Arbitrary<PublicMessage> publicMessage() {
    return Combinators.combine(framedContent(), bytes(64), bytes(32), bytes(32))
        .as((content, sig, tag, membership) -> new PublicMessage(content,
            new FramedContentAuthData(sig,
                content.contentType() == ContentType.COMMIT ? tag : null),
            content.sender().type() == SenderType.MEMBER ? membership : null));
  }

  static Arbitrary<PrivateMessage> privateMessage() {
    return Combinators.combine(bytes(16), Arbitraries.longs(), Arbitraries.of(ContentType.class),
        bytes(16), bytes(28), bytes(64)).as(PrivateMessage::new);
  }

  static Arbitrary<PrivateMessageContent> privateMessageContent() {
    return Combinators.combine(framedContent(), bytes(64), bytes(32),
        Arbitraries.integers().between(0, 16)).as((content, sig, tag, padding) ->
            PrivateMessageContent.of(content, new FramedContentAuthData(sig,
                content.contentType() == ContentType.COMMIT ? tag : null), padding));
  }

  static Arbitrary<SenderData> senderData() {
    return Combinators.combine(leafIndex(), Arbitraries.longs().between(0, 0xFFFFFFFFL),
        Arbitraries.bytes().array(byte[].class).ofSize(4)).as(SenderData::new);
  }

  static Arbitrary<GroupContext> groupContext() {
    return Combinators.combine(u16(), bytes(16), Arbitraries.longs(), bytes(32), bytes(32),
        extensions()).as((suite, g, e, th, cth, ext) ->
            new GroupContext(ProtocolVersion.MLS10, suite, g, e, th, cth, ext));
  }

  static Arbitrary<GroupInfo> groupInfo() {
    return Combinators.combine(groupContext(), extensions(), bytes(32), leafIndex(), bytes(64))
        .as(GroupInfo::new);
  }

  static Arbitrary<PathSecret> pathSecret() {
    return bytes(32).map(PathSecret::new);
  }

  static Arbitrary<GroupSecrets> groupSecrets() {
    return Combinators.combine(bytes(32), bytes(32).injectNull(0.4),
        preSharedKeyId().list().ofMaxSize(2)).as(GroupSecrets::new);
  }

  static Arbitrary<EncryptedGroupSecrets> encryptedGroupSecrets() {
    return Combinators.combine(bytes(32), hpkeCiphertext()).as(EncryptedGroupSecrets::new);
  }

  static Arbitrary<Welcome> welcome() {
    return Combinators.combine(u16(), encryptedGroupSecrets().list().ofMaxSize(2), bytes(64))
        .as(Welcome::new);
  }

  static Arbitrary<MlsMessage> mlsMessage() {
    return Arbitraries.oneOf(publicMessage().map(MlsMessage::of),
        privateMessage().map(MlsMessage::of), welcome().map(MlsMessage::of),
        groupInfo().map(MlsMessage::of), keyPackage().map(MlsMessage::of));
  }

  static Arbitrary<ExternalPub> externalPub() {
    return bytes(32).map(ExternalPub::new);
  }

  static Arbitrary<RequiredCapabilities> requiredCapabilities() {
    Arbitrary<List<Integer>> list = u16().list().ofMaxSize(3);
    return Combinators.combine(list, list, list).as(RequiredCapabilities::new);
  }

  static Arbitrary<ExternalSender> externalSender() {
    return Combinators.combine(bytes(32), credential()).as(ExternalSender::new);
  }

  private static <T extends TlsEncodable> Structure<T> plain(String name, Arbitrary<T> values,
      TlsDecoder<T> decoder) {
    return new Structure<>(name, values, decoder, TlsEncodable::toBytes);
  }

  private static Structure<Proposal> body(String name, Arbitrary<? extends Proposal> values,
      TlsDecoder<? extends Proposal> decoder) {
    return new Structure<>(name, values.map(p -> (Proposal) p), decoder::decode, p -> {
      TlsWriter w = new TlsWriter();
      p.encodeBody(w);
      return w.toByteArray();
    });
  }

  private static Structure<FramedContentAuthData> auth(ContentType type) {
    return new Structure<>("FramedContentAuthData/" + type, authData(type),
        r -> FramedContentAuthData.decode(r, type), a -> {
          TlsWriter w = new TlsWriter();
          a.encode(w, type);
          return w.toByteArray();
        });
  }

  private static Structure<PrivateMessageContent> privateContent(ContentType type) {
    return new Structure<>("PrivateMessageContent/" + type,
        privateMessageContent().filter(c -> c.contentType() == type),
        r -> PrivateMessageContent.decode(r.raw(r.remaining()), type),
        PrivateMessageContent::toBytes);
  }

  /** @return every wire structure of the package with its decoder and encoder */
  static List<Structure<?>> all() {
    List<Structure<?>> all = new ArrayList<>();
    all.add(plain("Credential", credential(), Credential::decode));
    all.add(plain("Capabilities", capabilities(), Capabilities::decode));
    all.add(plain("Lifetime", lifetime(), Lifetime::decode));
    all.add(plain("Extension", extension(), Extension::decode));
    all.add(plain("LeafNode", leafNode(), LeafNode::decode));
    all.add(plain("ParentNode", parentNode(), ParentNode::decode));
    all.add(new Structure<>("Node", node(), Node::decode, n -> {
      TlsWriter w = new TlsWriter();
      Node.encode(w, n);
      return w.toByteArray();
    }));
    all.add(new Structure<>("RatchetTreeData", ratchetTree(), RatchetTreeData::decode,
        RatchetTreeData::encode));
    all.add(plain("UpdatePathNode", updatePathNode(), UpdatePathNode::decode));
    all.add(plain("UpdatePath", updatePath(), UpdatePath::decode));
    all.add(plain("KeyPackage", keyPackage(), KeyPackage::decode));
    all.add(plain("PreSharedKeyId", preSharedKeyId(), PreSharedKeyId::decode));
    all.add(plain("Proposal", proposal(), Proposal::decode));
    all.add(body("Add", keyPackage().map(Proposal.Add::new), Proposal.Add::decodeBody));
    all.add(body("Update", leafNode(LeafNodeSource.UPDATE).map(Proposal.Update::new),
        Proposal.Update::decodeBody));
    all.add(body("Remove", Arbitraries.integers().map(Proposal.Remove::new),
        Proposal.Remove::decodeBody));
    all.add(body("PreSharedKey", preSharedKeyId().map(Proposal.PreSharedKey::new),
        Proposal.PreSharedKey::decodeBody));
    all.add(body("ReInit", Combinators.combine(bytes(16), u16(), u16(), extensions())
        .as(Proposal.ReInit::new), Proposal.ReInit::decodeBody));
    all.add(body("ExternalInit", bytes(32).map(Proposal.ExternalInit::new),
        Proposal.ExternalInit::decodeBody));
    all.add(body("GroupContextExtensions",
        extensions().map(Proposal.GroupContextExtensions::new),
        Proposal.GroupContextExtensions::decodeBody));
    all.add(plain("ProposalOrRef", proposalOrRef(), ProposalOrRef::decode));
    all.add(plain("Commit", commit(), Commit::decode));
    all.add(plain("Sender", sender(), Sender::decode));
    all.add(plain("FramedContent", framedContent(), FramedContent::decode));
    for (ContentType type : ContentType.values()) {
      all.add(auth(type));
      all.add(privateContent(type));
    }
    all.add(plain("AuthenticatedContent", authenticatedContent(), AuthenticatedContent::decode));
    all.add(plain("PublicMessage", publicMessage(), PublicMessage::decode));
    all.add(plain("PrivateMessage", privateMessage(), PrivateMessage::decode));
    all.add(plain("SenderData", senderData(), SenderData::decode));
    all.add(plain("GroupContext", groupContext(), GroupContext::decode));
    all.add(plain("GroupInfo", groupInfo(), GroupInfo::decode));
    all.add(plain("PathSecret", pathSecret(), PathSecret::decode));
    all.add(plain("GroupSecrets", groupSecrets(), GroupSecrets::decode));
    all.add(plain("EncryptedGroupSecrets", encryptedGroupSecrets(),
        EncryptedGroupSecrets::decode));
    all.add(plain("Welcome", welcome(), Welcome::decode));
    all.add(plain("MlsMessage", mlsMessage(), MlsMessage::decode));
    all.add(plain("ExternalPub", externalPub(), ExternalPub::decode));
    all.add(plain("RequiredCapabilities", requiredCapabilities(), RequiredCapabilities::decode));
    all.add(plain("ExternalSender", externalSender(), ExternalSender::decode));
    return all;
  }

  /** @return a random valid value of a random structure */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Arbitrary<Sample<?>> anySample() {
    List<Arbitrary<Sample<?>>> samples = new ArrayList<>();
    for (Structure<?> s : all()) {
      samples.add((Arbitrary) s.samples());
    }
    return Arbitraries.oneOf(samples);
  }

  /**
   * Decodes with a structure's decoder; used where the static type is lost.
   *
   * @param structure the structure
   * @param bytes the input
   * @return the value
   * @throws io.spacepanda.internal.mls.MlsDecodeException if the input is not a valid encoding
   */
  static Object decode(Structure<?> structure, byte[] bytes)
      throws io.spacepanda.internal.mls.MlsDecodeException {
    return TlsReader.decodeExactly(bytes, structure.decoder());
  }
}
