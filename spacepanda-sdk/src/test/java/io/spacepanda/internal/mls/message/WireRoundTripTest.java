package io.spacepanda.internal.mls.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.message.WireArbitraries.Sample;
import io.spacepanda.internal.mls.message.WireArbitraries.Structure;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every wire structure of the package: a random valid value encodes, decodes exactly (no trailing
 * bytes) to an equal value with an equal hash code, and re-encodes to the same bytes.
 */
class WireRoundTripTest {

  private static final int TRIES = 200;

  private static final Map<String, Structure<?>> STRUCTURES = WireArbitraries.all().stream()
      .collect(Collectors.toMap(Structure::name, Function.identity()));

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Arbitrary<Sample<?>> samplesOf(String name) {
    return (Arbitrary) STRUCTURES.get(name).samples();
  }

  private static void assertRoundTrip(Sample<?> sample) throws MlsDecodeException {
    byte[] encoded = sample.encoding();
    Object decoded = WireArbitraries.decode(sample.structure(), encoded);
    assertEquals(sample.value(), decoded);
    assertEquals(sample.value().hashCode(), decoded.hashCode());
    assertArrayEquals(encoded, reencode(sample.structure(), decoded));
  }

  @SuppressWarnings("unchecked")
  private static <T> byte[] reencode(Structure<T> structure, Object value) {
    return structure.encoder().apply((T) value);
  }

  @Property(tries = TRIES)
  void credential_roundTrips(@ForAll("credential") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> credential() {
    return samplesOf("Credential");
  }

  @Property(tries = TRIES)
  void capabilities_roundTrips(@ForAll("capabilities") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> capabilities() {
    return samplesOf("Capabilities");
  }

  @Property(tries = TRIES)
  void lifetime_roundTrips(@ForAll("lifetime") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> lifetime() {
    return samplesOf("Lifetime");
  }

  @Property(tries = TRIES)
  void extension_roundTrips(@ForAll("extension") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> extension() {
    return samplesOf("Extension");
  }

  @Property(tries = TRIES)
  void leafNode_roundTrips(@ForAll("leafNode") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> leafNode() {
    return samplesOf("LeafNode");
  }

  @Property(tries = TRIES)
  void parentNode_roundTrips(@ForAll("parentNode") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> parentNode() {
    return samplesOf("ParentNode");
  }

  @Property(tries = TRIES)
  void node_roundTrips(@ForAll("node") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> node() {
    return samplesOf("Node");
  }

  @Property(tries = TRIES)
  void ratchetTreeData_roundTrips(@ForAll("ratchetTreeData") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> ratchetTreeData() {
    return samplesOf("RatchetTreeData");
  }

  @Property(tries = TRIES)
  void updatePathNode_roundTrips(@ForAll("updatePathNode") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> updatePathNode() {
    return samplesOf("UpdatePathNode");
  }

  @Property(tries = TRIES)
  void updatePath_roundTrips(@ForAll("updatePath") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> updatePath() {
    return samplesOf("UpdatePath");
  }

  @Property(tries = TRIES)
  void keyPackage_roundTrips(@ForAll("keyPackage") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> keyPackage() {
    return samplesOf("KeyPackage");
  }

  @Property(tries = TRIES)
  void preSharedKeyId_roundTrips(@ForAll("preSharedKeyId") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> preSharedKeyId() {
    return samplesOf("PreSharedKeyId");
  }

  @Property(tries = TRIES)
  void proposal_roundTrips(@ForAll("proposal") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> proposal() {
    return samplesOf("Proposal");
  }

  @Property(tries = TRIES)
  void add_roundTrips(@ForAll("add") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> add() {
    return samplesOf("Add");
  }

  @Property(tries = TRIES)
  void update_roundTrips(@ForAll("update") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> update() {
    return samplesOf("Update");
  }

  @Property(tries = TRIES)
  void remove_roundTrips(@ForAll("remove") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> remove() {
    return samplesOf("Remove");
  }

  @Property(tries = TRIES)
  void preSharedKey_roundTrips(@ForAll("preSharedKey") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> preSharedKey() {
    return samplesOf("PreSharedKey");
  }

  @Property(tries = TRIES)
  void reInit_roundTrips(@ForAll("reInit") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> reInit() {
    return samplesOf("ReInit");
  }

  @Property(tries = TRIES)
  void externalInit_roundTrips(@ForAll("externalInit") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> externalInit() {
    return samplesOf("ExternalInit");
  }

  @Property(tries = TRIES)
  void groupContextExtensions_roundTrips(@ForAll("groupContextExtensions") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> groupContextExtensions() {
    return samplesOf("GroupContextExtensions");
  }

  @Property(tries = TRIES)
  void proposalOrRef_roundTrips(@ForAll("proposalOrRef") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> proposalOrRef() {
    return samplesOf("ProposalOrRef");
  }

  @Property(tries = TRIES)
  void commit_roundTrips(@ForAll("commit") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> commit() {
    return samplesOf("Commit");
  }

  @Property(tries = TRIES)
  void sender_roundTrips(@ForAll("sender") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> sender() {
    return samplesOf("Sender");
  }

  @Property(tries = TRIES)
  void framedContent_roundTrips(@ForAll("framedContent") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> framedContent() {
    return samplesOf("FramedContent");
  }

  @Property(tries = TRIES)
  void framedContentAuthDataApplication_roundTrips(@ForAll("framedContentAuthDataApplication") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> framedContentAuthDataApplication() {
    return samplesOf("FramedContentAuthData/APPLICATION");
  }

  @Property(tries = TRIES)
  void framedContentAuthDataProposal_roundTrips(@ForAll("framedContentAuthDataProposal") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> framedContentAuthDataProposal() {
    return samplesOf("FramedContentAuthData/PROPOSAL");
  }

  @Property(tries = TRIES)
  void framedContentAuthDataCommit_roundTrips(@ForAll("framedContentAuthDataCommit") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> framedContentAuthDataCommit() {
    return samplesOf("FramedContentAuthData/COMMIT");
  }

  @Property(tries = TRIES)
  void privateMessageContentApplication_roundTrips(@ForAll("privateMessageContentApplication") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> privateMessageContentApplication() {
    return samplesOf("PrivateMessageContent/APPLICATION");
  }

  @Property(tries = TRIES)
  void privateMessageContentProposal_roundTrips(@ForAll("privateMessageContentProposal") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> privateMessageContentProposal() {
    return samplesOf("PrivateMessageContent/PROPOSAL");
  }

  @Property(tries = TRIES)
  void privateMessageContentCommit_roundTrips(@ForAll("privateMessageContentCommit") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> privateMessageContentCommit() {
    return samplesOf("PrivateMessageContent/COMMIT");
  }

  @Property(tries = TRIES)
  void authenticatedContent_roundTrips(@ForAll("authenticatedContent") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> authenticatedContent() {
    return samplesOf("AuthenticatedContent");
  }

  @Property(tries = TRIES)
  void publicMessage_roundTrips(@ForAll("publicMessage") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> publicMessage() {
    return samplesOf("PublicMessage");
  }

  @Property(tries = TRIES)
  void privateMessage_roundTrips(@ForAll("privateMessage") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> privateMessage() {
    return samplesOf("PrivateMessage");
  }

  @Property(tries = TRIES)
  void senderData_roundTrips(@ForAll("senderData") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> senderData() {
    return samplesOf("SenderData");
  }

  @Property(tries = TRIES)
  void groupContext_roundTrips(@ForAll("groupContext") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> groupContext() {
    return samplesOf("GroupContext");
  }

  @Property(tries = TRIES)
  void groupInfo_roundTrips(@ForAll("groupInfo") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> groupInfo() {
    return samplesOf("GroupInfo");
  }

  @Property(tries = TRIES)
  void pathSecret_roundTrips(@ForAll("pathSecret") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> pathSecret() {
    return samplesOf("PathSecret");
  }

  @Property(tries = TRIES)
  void groupSecrets_roundTrips(@ForAll("groupSecrets") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> groupSecrets() {
    return samplesOf("GroupSecrets");
  }

  @Property(tries = TRIES)
  void encryptedGroupSecrets_roundTrips(@ForAll("encryptedGroupSecrets") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> encryptedGroupSecrets() {
    return samplesOf("EncryptedGroupSecrets");
  }

  @Property(tries = TRIES)
  void welcome_roundTrips(@ForAll("welcome") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> welcome() {
    return samplesOf("Welcome");
  }

  @Property(tries = TRIES)
  void mlsMessage_roundTrips(@ForAll("mlsMessage") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> mlsMessage() {
    return samplesOf("MlsMessage");
  }

  @Property(tries = TRIES)
  void externalPub_roundTrips(@ForAll("externalPub") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> externalPub() {
    return samplesOf("ExternalPub");
  }

  @Property(tries = TRIES)
  void requiredCapabilities_roundTrips(@ForAll("requiredCapabilities") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> requiredCapabilities() {
    return samplesOf("RequiredCapabilities");
  }

  @Property(tries = TRIES)
  void externalSender_roundTrips(@ForAll("externalSender") Sample<?> sample) throws MlsDecodeException {
    assertRoundTrip(sample);
  }

  @Provide
  Arbitrary<Sample<?>> externalSender() {
    return samplesOf("ExternalSender");
  }
}
