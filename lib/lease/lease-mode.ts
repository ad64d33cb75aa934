/**
 * How the process of a lease pattern (`SingletonDaemon`, `HotStandbyConsumer`)
 * holds its lease.
 */
export enum LeaseMode {
  /**
   * The process itself holds the lease: it runs `LeaseClient` (lib/runtime)
   * and checks `isValid()` before each side effect, with fencing tokens on its
   * writes. For software you can change. Every task runs your image; only the
   * holder acts.
   */
  IN_PROCESS = 'IN_PROCESS',
  /**
   * A launcher sidecar holds the lease, and your unmodified image runs only
   * while it does: the launcher (an essential container on a public Node.js
   * image) takes the lease; your container's entry point waits (a POSIX `sh`
   * loop) until the launcher holds it, then executes your command; the
   * launcher exits, stopping the task, early enough that your process is dead
   * before the lease can lapse. For vendor software you cannot change: a
   * standby task runs the launcher, not your program. Needs `/bin/sh` in the
   * image and the full command line in `command` (with the image's entry point
   * in `entryPoint` or `command`): the pattern cannot read the image's.
   */
  LAUNCHER = 'LAUNCHER',
}
