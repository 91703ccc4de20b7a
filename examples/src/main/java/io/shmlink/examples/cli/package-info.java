/**
 * The {@code shmlink} command-line tool: lists, inspects, creates, deletes and cleans the channels of a registry
 * directory. {@link io.shmlink.examples.cli.ShmLinkCli} is the entry point.
 */
package io.shmlink.examples.cli;
