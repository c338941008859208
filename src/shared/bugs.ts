// Tier three of DESIGN.md principle 4: a broken invariant of our own. Guests can
// never cause this; when it is thrown the machine stops and the user is shown why.
export class HypervisorBug extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HypervisorBug';
  }
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new HypervisorBug(message);
}
