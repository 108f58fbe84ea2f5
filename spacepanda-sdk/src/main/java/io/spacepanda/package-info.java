/**
 * The SpacePanda API an application calls: build a node with {@link SpacePanda#builder()}, then
 * work with its {@link Space}s and {@link Channel}s and receive events through a {@link
 * SpacePandaListener}.
 *
 * <p>{@link io.spacepanda.Storages} makes the storage implementations that ship with the SDK.
 * Plug-in interfaces are in {@link io.spacepanda.spi}.
 */
package io.spacepanda;
