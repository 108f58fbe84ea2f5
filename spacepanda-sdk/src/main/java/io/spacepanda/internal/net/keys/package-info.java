/**
 * libp2p identity keys per the peer-ids spec: the protobuf PublicKey, signature verification for Ed25519, secp256k1, RSA and ECDSA, peer id multihashes, and the local signer.
 */
package io.spacepanda.internal.net.keys;
