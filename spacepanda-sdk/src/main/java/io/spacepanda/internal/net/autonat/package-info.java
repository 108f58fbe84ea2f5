/**
 * AutoNAT v1 (libp2p/specs autonat/autonat-v1.md): asks peers to dial this node back, so it learns
 * whether it is reachable from outside (and needs a relay reservation when it is not), and serves
 * such dial-backs for others.
 */
package io.spacepanda.internal.net.autonat;
