/**
 * The MLS ratchet tree (RFC 9420 §4, §7, Appendix C): {@link
 * io.spacepanda.internal.mls.tree.TreeMath} for array index arithmetic, {@link
 * io.spacepanda.internal.mls.tree.RatchetTree} for the public tree (proposals, resolutions, tree
 * and parent hashes, validation, the {@code ratchet_tree} extension form) and {@link
 * io.spacepanda.internal.mls.tree.TreeKem} for one member's private keys and the creation and
 * processing of UpdatePaths.
 *
 * <p>Nothing here knows about framing, the key schedule or group policy; the group layer applies
 * proposals to a {@code RatchetTree.copy()}, builds the provisional GroupContext from its tree
 * hash and passes it back in encoded form.
 */
package io.spacepanda.internal.mls.tree;
