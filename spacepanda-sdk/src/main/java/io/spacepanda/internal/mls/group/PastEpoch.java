package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.framing.FramingOptions;
import io.spacepanda.internal.mls.framing.MessageFramer;
import io.spacepanda.internal.mls.message.GroupContext;
import io.spacepanda.internal.mls.schedule.SecretTree;
import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is kept of a past epoch so that its late application messages still decrypt: its
 * GroupContext (for signatures), sender-data secret, secret tree and its members' credentials and
 * signature keys.
 *
 * <p>Nothing here can verify a handshake message (no membership key) or derive a later epoch's
 * secrets.
 */
final class PastEpoch {

  final GroupContext context;
  final byte[] senderDataSecret;
  final SecretTree secretTree;
  /** Leaf index to member (credential and signature key), not the whole leaf node. */
  final Map<Integer, Member> members;
  final MessageFramer framer;

  PastEpoch(GroupContext context, byte[] senderDataSecret, SecretTree secretTree,
      Map<Integer, Member> members, SecureRandom random) {
    this.context = context;
    this.senderDataSecret = senderDataSecret;
    this.secretTree = secretTree;
    this.members = new TreeMap<>(members);
    // The membership key is never used: only application PrivateMessages are decrypted here.
    this.framer = new MessageFramer(secretTree.suite(), context, new byte[0], senderDataSecret,
        secretTree, new FramingOptions(0), random);
  }

  long epoch() {
    return context.epoch();
  }
}
