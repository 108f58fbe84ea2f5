package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.MlsConstants;
import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.Capabilities;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.Extension;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.LeafNode;
import io.spacepanda.internal.mls.message.LeafNodeSource;
import io.spacepanda.internal.mls.message.Lifetime;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Validation of leaf nodes (RFC 9420 §7.3) and KeyPackages (§10.1) against a group.
 *
 * <p>The group is described by its suite, group id, extensions (for required_capabilities) and the
 * leaves of its current members (leaf index to leaf node). Every failure is an {@link
 * MlsValidationException} with a fixed message.
 */
final class LeafValidator {

  private final CipherSuite suite;
  private final byte[] groupId;
  private final List<Extension> groupExtensions;
  private final Map<Integer, LeafNode> members;
  private final Clock clock;
  private final Duration skew;

  LeafValidator(CipherSuite suite, byte[] groupId, List<Extension> groupExtensions,
      Map<Integer, LeafNode> members, Clock clock, Duration skew) {
    this.suite = suite;
    this.groupId = groupId;
    this.groupExtensions = groupExtensions;
    this.members = members;
    this.clock = clock;
    this.skew = skew;
  }

  /** RFC 9420 §10.1: validates a KeyPackage received in an Add proposal or for a commit. */
  void validateKeyPackage(KeyPackage kp, boolean checkLifetime) throws MlsValidationException {
    if (kp.version() != MlsConstants.PROTOCOL_VERSION_MLS10 || kp.cipherSuite() != suite.id()) {
      throw new MlsValidationException("key package version or suite mismatch");
    }
    if (!suite.verifyWithLabel(kp.leafNode().signatureKey(), "KeyPackageTBS", kp.toBeSigned(),
        kp.signature())) {
      throw new MlsValidationException("key package signature invalid");
    }
    // RFC 9420 §10.1: the init key must be an HPKE key of the suite (we encrypt a Welcome to it)
    if (!suite.isValidHpkePublicKey(kp.initKey())) {
      throw new MlsValidationException("key package init key invalid");
    }
    if (Arrays.equals(kp.initKey(), kp.leafNode().encryptionKey())) {
      throw new MlsValidationException("key package init key equals encryption key");
    }
    validateLeaf(kp.leafNode(), LeafNodeSource.KEY_PACKAGE, -1, -1, checkLifetime);
  }

  /**
   * RFC 9420 §7.3: validates a leaf node that is to occupy {@code leafIndex} ({@code -1} for a key
   * package), ignoring the member at {@code replacedLeaf} for uniqueness (the leaf it replaces).
   */
  void validateLeaf(LeafNode leaf, LeafNodeSource expectedSource, int leafIndex, int replacedLeaf,
      boolean checkLifetime) throws MlsValidationException {
    if (leaf.source() != expectedSource) {
      throw new MlsValidationException("leaf node source invalid");
    }
    // RFC 9420 §7.3: the encryption key must be an HPKE key of the suite (paths encrypt to it)
    if (!suite.isValidHpkePublicKey(leaf.encryptionKey())) {
      throw new MlsValidationException("leaf node encryption key invalid");
    }
    byte[] tbs = leaf.toBeSigned(groupId, Math.max(leafIndex, 0));
    if (!suite.verifyWithLabel(leaf.signatureKey(), "LeafNodeTBS", tbs, leaf.signature())) {
      throw new MlsValidationException("leaf node signature invalid");
    }
    checkCredential(leaf.credential());
    Capabilities caps = leaf.capabilities();
    checkRequiredCapabilities(caps, groupExtensions);
    // Credential type supported by every member, and every member's type supported by this leaf.
    for (Map.Entry<Integer, LeafNode> e : members.entrySet()) {
      if (e.getKey() == replacedLeaf) {
        continue;
      }
      LeafNode m = e.getValue();
      if (!m.capabilities().credentials().contains(leaf.credential().credentialType())
          || !caps.credentials().contains(m.credential().credentialType())) {
        throw new MlsValidationException("credential type not supported by the group");
      }
    }
    if (!caps.credentials().contains(leaf.credential().credentialType())) {
      throw new MlsValidationException("credential type not in own capabilities");
    }
    if (checkLifetime && leaf.lifetime() != null) {
      checkLifetime(leaf.lifetime());
    }
    for (Extension x : leaf.extensions()) {
      if (x.extensionType() > GroupSupport.MAX_DEFAULT_EXTENSION
          && !caps.extensions().contains(x.extensionType())) {
        throw new MlsValidationException("leaf extension not in capabilities");
      }
    }
    // RFC 9420 §7.3: keys unique among members; the replaced leaf may keep its signature key but
    // never its encryption key.
    for (Map.Entry<Integer, LeafNode> e : members.entrySet()) {
      if (Arrays.equals(e.getValue().encryptionKey(), leaf.encryptionKey())
          || (e.getKey() != replacedLeaf
              && Arrays.equals(e.getValue().signatureKey(), leaf.signatureKey()))) {
        throw new MlsValidationException("leaf node key not unique");
      }
    }
  }

  void checkLifetime(Lifetime lt) throws MlsValidationException {
    long now = clock.instant().getEpochSecond();
    long s = skew.getSeconds();
    // uint64 on the wire: compare unsigned
    if (Long.compareUnsigned(lt.notBefore(), now + s) > 0
        || Long.compareUnsigned(lt.notAfter(), Math.max(0, now - s)) < 0) {
      throw new MlsValidationException("leaf node lifetime invalid");
    }
  }

  static void checkCredential(Credential c) throws MlsValidationException {
    if (c.credentialType() == Credential.BASIC && c.identity() == null) {
      throw new MlsValidationException("credential invalid");
    }
  }

  /** RFC 9420 §11.1: the leaf supports every extension, proposal and credential required. */
  static void checkRequiredCapabilities(Capabilities caps, List<Extension> groupExtensions)
      throws MlsValidationException {
    RequiredCapabilities req = RequiredCapabilities.find(groupExtensions);
    if (req == null) {
      return;
    }
    for (int t : req.extensions()) {
      if (t > GroupSupport.MAX_DEFAULT_EXTENSION && !caps.extensions().contains(t)) {
        throw new MlsValidationException("required capability missing");
      }
    }
    for (int t : req.proposals()) {
      if (t > GroupSupport.MAX_DEFAULT_PROPOSAL && !caps.proposals().contains(t)) {
        throw new MlsValidationException("required capability missing");
      }
    }
    for (int t : req.credentials()) {
      if (!caps.credentials().contains(t)) {
        throw new MlsValidationException("required capability missing");
      }
    }
  }

  /** The required_capabilities extension (RFC 9420 §11.1). */
  record RequiredCapabilities(List<Integer> extensions, List<Integer> proposals,
      List<Integer> credentials) {

    static RequiredCapabilities find(List<Extension> extensions) throws MlsValidationException {
      for (Extension x : extensions) {
        if (x.extensionType() == Extension.REQUIRED_CAPABILITIES) {
          try {
            return TlsReader.decodeExactly(x.extensionData(), r -> new RequiredCapabilities(
                r.vector(TlsReader::u16), r.vector(TlsReader::u16), r.vector(TlsReader::u16)));
          } catch (MlsDecodeException e) {
            throw new MlsValidationException("required capabilities malformed", e);
          }
        }
      }
      return null;
    }
  }
}
