/**
 * The wire structures of RFC 9420 (§5.3, §6, §7, §8, §10, §11, §12, code points of §17) as
 * immutable values with value equality, each with {@code encode(TlsWriter)} and a static
 * {@code decode(TlsReader)}.
 *
 * <p>Decoders check only what the bytes alone can show: known code points where the RFC fixes
 * the set (content, sender, node, credential, proposal, PSK types, leaf node source, wire format,
 * version mls10), presence bytes 0 or 1, leaf indices below 2^31 (except {@code Remove}, see
 * there), field sizes within {@link io.spacepanda.internal.mls.MlsConstants}, and the selects that
 * depend on content type, sender type and leaf node source. Anything malformed ends in
 * {@link io.spacepanda.internal.mls.MlsDecodeException}. Signatures, tags and membership are
 * checked by the layers above. Unknown extension types are kept as opaque bytes. No
 * {@code toString} prints a secret.
 */
package io.spacepanda.internal.mls.message;
