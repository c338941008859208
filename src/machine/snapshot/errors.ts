// The one error a snapshot, a replay recipe or a link gives when it cannot be
// used: corrupt, cut short, from another version, or describing a machine that
// cannot be (inconsistent reference counts, a port whose other end is missing...).
// The message is for the user; whatever machine was running is left as it was.
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/** Replaying an input log did not reproduce the recorded machine (our bug, or a log edited by hand). */
export class ReplayError extends SnapshotError {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayError';
  }
}

/** The embedder asked a replay to stop (ReplayOptions.stop): nothing is wrong with the recipe. */
export class ReplayStopped extends Error {
  constructor() {
    super('the replay was stopped');
    this.name = 'ReplayStopped';
  }
}
