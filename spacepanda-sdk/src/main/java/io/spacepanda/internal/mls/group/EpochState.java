package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.framing.FramingOptions;
import io.spacepanda.internal.mls.framing.MessageFramer;
import io.spacepanda.internal.mls.message.GroupContext;
import io.spacepanda.internal.mls.message.LeafNode;
import io.spacepanda.internal.mls.schedule.EpochSecrets;
import io.spacepanda.internal.mls.schedule.SecretTree;
import io.spacepanda.internal.mls.tree.RatchetTree;
import io.spacepanda.internal.mls.tree.TreeKem;
import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a member holds for one epoch: the GroupContext, the ratchet tree, the private keys
 * of its own path ({@link TreeKem}), the epoch secrets, the interim transcript hash, and the
 * secret tree with the framer that uses it.
 *
 * <p>Nothing but the secret tree (which deletes keys as they are used) changes after
 * construction; a commit builds a new instance from a copy of the tree.
 */
final class EpochState {

  final GroupContext context;
  final RatchetTree tree;
  final TreeKem kem;
  final EpochSecrets secrets;
  final byte[] interimTranscriptHash;
  /** The confirmation tag that started this epoch (for GroupInfo, RFC 9420 §12.4.3). */
  final byte[] confirmationTag;
  final SecretTree secretTree;
  final MessageFramer framer;

  EpochState(GroupContext context, RatchetTree tree, TreeKem kem, EpochSecrets secrets,
      byte[] interimTranscriptHash, byte[] confirmationTag, SecretTree secretTree,
      int paddingBlockSize,
      SecureRandom random) {
    this.context = context;
    this.tree = tree;
    this.kem = kem;
    this.secrets = secrets;
    this.interimTranscriptHash = interimTranscriptHash;
    this.confirmationTag = confirmationTag;
    this.secretTree = secretTree;
    this.framer = MessageFramer.forEpoch(context, secrets, secretTree,
        new FramingOptions(paddingBlockSize), random);
  }

  long epoch() {
    return context.epoch();
  }

  int ownLeaf() {
    return kem.ownLeaf();
  }

  LeafNode ownLeafNode() {
    return tree.leaf(kem.ownLeaf());
  }

  Map<Integer, LeafNode> leaves() {
    return leaves(tree);
  }

  static Map<Integer, LeafNode> leaves(RatchetTree tree) {
    Map<Integer, LeafNode> out = new TreeMap<>();
    for (int i : tree.occupiedLeaves()) {
      out.put(i, tree.leaf(i));
    }
    return out;
  }
}
